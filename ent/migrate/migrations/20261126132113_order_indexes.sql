-- Drop index "account_company_id" from table: "accounts"
DROP INDEX "account_company_id";
-- Create index "account_company_id_id" to table: "accounts"
CREATE INDEX "account_company_id_id" ON "accounts" ("company_id", "id");
-- Drop index "apikey_company_id" from table: "api_keys"
DROP INDEX "apikey_company_id";
-- Create index "apikey_company_id_id" to table: "api_keys"
CREATE INDEX "apikey_company_id_id" ON "api_keys" ("company_id", "id");
-- Drop index "attachment_company_id" from table: "attachments"
DROP INDEX "attachment_company_id";
-- Create index "attachment_company_id_id" to table: "attachments"
CREATE INDEX "attachment_company_id_id" ON "attachments" ("company_id", "id");
-- Drop index "contact_company_id" from table: "contacts"
DROP INDEX "contact_company_id";
-- Create index "contact_company_id_id" to table: "contacts"
CREATE INDEX "contact_company_id_id" ON "contacts" ("company_id", "id");
-- Drop index "customergroup_company_id" from table: "customer_groups"
DROP INDEX "customergroup_company_id";
-- Create index "customergroup_company_id_id" to table: "customer_groups"
CREATE INDEX "customergroup_company_id_id" ON "customer_groups" ("company_id", "id");
-- Drop index "customer_company_id" from table: "customers"
DROP INDEX "customer_company_id";
-- Drop index "customer_company_id_name" from table: "customers"
DROP INDEX "customer_company_id_name";
-- Create index "customer_company_id_created_at_id" to table: "customers"
CREATE INDEX "customer_company_id_created_at_id" ON "customers" ("company_id", "created_at", "id");
-- Create index "customer_company_id_id" to table: "customers"
CREATE INDEX "customer_company_id_id" ON "customers" ("company_id", "id");
-- Create index "customer_company_id_name_id" to table: "customers"
CREATE INDEX "customer_company_id_name_id" ON "customers" ("company_id", "name", "id");
-- Drop index "documentcounter_company_id" from table: "document_counters"
DROP INDEX "documentcounter_company_id";
-- Create index "documentcounter_company_id_id" to table: "document_counters"
CREATE INDEX "documentcounter_company_id_id" ON "document_counters" ("company_id", "id");
-- Drop index "event_company_id" from table: "events"
DROP INDEX "event_company_id";
-- Create index "event_company_id_id" to table: "events"
CREATE INDEX "event_company_id_id" ON "events" ("company_id", "id");
-- Drop index "idempotencykey_company_id" from table: "idempotency_keys"
DROP INDEX "idempotencykey_company_id";
-- Create index "idempotencykey_company_id_id" to table: "idempotency_keys"
CREATE INDEX "idempotencykey_company_id_id" ON "idempotency_keys" ("company_id", "id");
-- Drop index "invoiceitem_company_id" from table: "invoice_items"
DROP INDEX "invoiceitem_company_id";
-- Create index "invoiceitem_company_id_id" to table: "invoice_items"
CREATE INDEX "invoiceitem_company_id_id" ON "invoice_items" ("company_id", "id");
-- Drop index "invoice_company_id" from table: "invoices"
DROP INDEX "invoice_company_id";
-- Create index "invoice_company_id_created_at_id" to table: "invoices"
CREATE INDEX "invoice_company_id_created_at_id" ON "invoices" ("company_id", "created_at", "id");
-- Create index "invoice_company_id_due_date_id" to table: "invoices"
CREATE INDEX "invoice_company_id_due_date_id" ON "invoices" ("company_id", "due_date", "id");
-- Create index "invoice_company_id_id" to table: "invoices"
CREATE INDEX "invoice_company_id_id" ON "invoices" ("company_id", "id");
-- Create index "invoice_company_id_invoice_date_id" to table: "invoices"
CREATE INDEX "invoice_company_id_invoice_date_id" ON "invoices" ("company_id", "invoice_date", "id");
-- Create index "invoice_company_id_total_id" to table: "invoices"
CREATE INDEX "invoice_company_id_total_id" ON "invoices" ("company_id", "total", "id");
-- Drop index "item_company_id" from table: "items"
DROP INDEX "item_company_id";
-- Create index "item_company_id_id" to table: "items"
CREATE INDEX "item_company_id_id" ON "items" ("company_id", "id");
-- Drop index "journalentry_company_id" from table: "journal_entries"
DROP INDEX "journalentry_company_id";
-- Create index "journalentry_company_id_created_at_id" to table: "journal_entries"
CREATE INDEX "journalentry_company_id_created_at_id" ON "journal_entries" ("company_id", "created_at", "id");
-- Create index "journalentry_company_id_date_id" to table: "journal_entries"
CREATE INDEX "journalentry_company_id_date_id" ON "journal_entries" ("company_id", "date", "id");
-- Create index "journalentry_company_id_id" to table: "journal_entries"
CREATE INDEX "journalentry_company_id_id" ON "journal_entries" ("company_id", "id");
-- Drop index "ledgerdiscount_company_id" from table: "ledger_discounts"
DROP INDEX "ledgerdiscount_company_id";
-- Create index "ledgerdiscount_company_id_id" to table: "ledger_discounts"
CREATE INDEX "ledgerdiscount_company_id_id" ON "ledger_discounts" ("company_id", "id");
-- Drop index "ledgerentry_company_id" from table: "ledger_entries"
DROP INDEX "ledgerentry_company_id";
-- Create index "ledgerentry_company_id_id" to table: "ledger_entries"
CREATE INDEX "ledgerentry_company_id_id" ON "ledger_entries" ("company_id", "id");
-- Drop index "paymentallocation_company_id" from table: "payment_allocations"
DROP INDEX "paymentallocation_company_id";
-- Create index "paymentallocation_company_id_id" to table: "payment_allocations"
CREATE INDEX "paymentallocation_company_id_id" ON "payment_allocations" ("company_id", "id");
-- Drop index "payment_company_id" from table: "payments"
DROP INDEX "payment_company_id";
-- Create index "payment_company_id_amount_id" to table: "payments"
CREATE INDEX "payment_company_id_amount_id" ON "payments" ("company_id", "amount", "id");
-- Create index "payment_company_id_created_at_id" to table: "payments"
CREATE INDEX "payment_company_id_created_at_id" ON "payments" ("company_id", "created_at", "id");
-- Create index "payment_company_id_id" to table: "payments"
CREATE INDEX "payment_company_id_id" ON "payments" ("company_id", "id");
-- Create index "payment_company_id_payment_date_id" to table: "payments"
CREATE INDEX "payment_company_id_payment_date_id" ON "payments" ("company_id", "payment_date", "id");
-- Drop index "quoteitem_company_id" from table: "quote_items"
DROP INDEX "quoteitem_company_id";
-- Create index "quoteitem_company_id_id" to table: "quote_items"
CREATE INDEX "quoteitem_company_id_id" ON "quote_items" ("company_id", "id");
-- Drop index "quote_company_id" from table: "quotes"
DROP INDEX "quote_company_id";
-- Create index "quote_company_id_created_at_id" to table: "quotes"
CREATE INDEX "quote_company_id_created_at_id" ON "quotes" ("company_id", "created_at", "id");
-- Create index "quote_company_id_id" to table: "quotes"
CREATE INDEX "quote_company_id_id" ON "quotes" ("company_id", "id");
-- Create index "quote_company_id_quote_date_id" to table: "quotes"
CREATE INDEX "quote_company_id_quote_date_id" ON "quotes" ("company_id", "quote_date", "id");
-- Create index "quote_company_id_total_id" to table: "quotes"
CREATE INDEX "quote_company_id_total_id" ON "quotes" ("company_id", "total", "id");
-- Create index "quote_company_id_valid_until_id" to table: "quotes"
CREATE INDEX "quote_company_id_valid_until_id" ON "quotes" ("company_id", "valid_until", "id");
-- Drop index "salesorderitem_company_id" from table: "sales_order_items"
DROP INDEX "salesorderitem_company_id";
-- Create index "salesorderitem_company_id_id" to table: "sales_order_items"
CREATE INDEX "salesorderitem_company_id_id" ON "sales_order_items" ("company_id", "id");
-- Drop index "salesorder_company_id" from table: "sales_orders"
DROP INDEX "salesorder_company_id";
-- Create index "salesorder_company_id_created_at_id" to table: "sales_orders"
CREATE INDEX "salesorder_company_id_created_at_id" ON "sales_orders" ("company_id", "created_at", "id");
-- Create index "salesorder_company_id_id" to table: "sales_orders"
CREATE INDEX "salesorder_company_id_id" ON "sales_orders" ("company_id", "id");
-- Create index "salesorder_company_id_order_date_id" to table: "sales_orders"
CREATE INDEX "salesorder_company_id_order_date_id" ON "sales_orders" ("company_id", "order_date", "id");
-- Create index "salesorder_company_id_required_date_id" to table: "sales_orders"
CREATE INDEX "salesorder_company_id_required_date_id" ON "sales_orders" ("company_id", "required_date", "id");
-- Create index "salesorder_company_id_total_id" to table: "sales_orders"
CREATE INDEX "salesorder_company_id_total_id" ON "sales_orders" ("company_id", "total", "id");
-- Drop index "taxcode_company_id" from table: "tax_codes"
DROP INDEX "taxcode_company_id";
-- Create index "taxcode_company_id_id" to table: "tax_codes"
CREATE INDEX "taxcode_company_id_id" ON "tax_codes" ("company_id", "id");
-- Drop index "user_company_id" from table: "users"
DROP INDEX "user_company_id";
-- Create index "user_company_id_id" to table: "users"
CREATE INDEX "user_company_id_id" ON "users" ("company_id", "id");
-- Drop index "webhookdelivery_company_id" from table: "webhook_deliveries"
DROP INDEX "webhookdelivery_company_id";
-- Create index "webhookdelivery_company_id_id" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_company_id_id" ON "webhook_deliveries" ("company_id", "id");
-- Drop index "webhookendpoint_company_id" from table: "webhook_endpoints"
DROP INDEX "webhookendpoint_company_id";
-- Create index "webhookendpoint_company_id_id" to table: "webhook_endpoints"
CREATE INDEX "webhookendpoint_company_id_id" ON "webhook_endpoints" ("company_id", "id");
