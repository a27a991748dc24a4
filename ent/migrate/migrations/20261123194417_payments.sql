-- Create "idempotency_keys" table
CREATE TABLE "idempotency_keys" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "key" character varying NOT NULL, "operation" character varying NOT NULL, "request_hash" character varying NOT NULL, "resource_id" character varying NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "idempotency_keys_companies_idempotency_keys" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "idempotencykey_company_id" to table: "idempotency_keys"
CREATE INDEX "idempotencykey_company_id" ON "idempotency_keys" ("company_id");
-- Create index "idempotencykey_company_id_key" to table: "idempotency_keys"
CREATE UNIQUE INDEX "idempotencykey_company_id_key" ON "idempotency_keys" ("company_id", "key");
-- Create index "idempotencykey_created_at" to table: "idempotency_keys"
CREATE INDEX "idempotencykey_created_at" ON "idempotency_keys" ("created_at");
-- Create "payments" table
CREATE TABLE "payments" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "payment_number" character varying NOT NULL, "amount" numeric(20,4) NOT NULL, "unapplied_amount" numeric(20,4) NOT NULL, "currency" character varying NOT NULL DEFAULT 'MYR', "exchange_rate" numeric(12,6) NOT NULL, "payment_date" date NOT NULL, "method" character varying NOT NULL DEFAULT 'bank_transfer', "reference" character varying NULL, "notes" text NULL, "method_details" jsonb NULL, "status" character varying NOT NULL DEFAULT 'completed', "voided_at" timestamptz NULL, "void_reason" character varying NULL, "created_by_id" character varying NULL, "company_id" character varying NOT NULL, "customer_id" character varying NOT NULL, "deposit_account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "payments_accounts_deposit_account" FOREIGN KEY ("deposit_account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "payments_companies_payments" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "payments_customers_payments" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "payment_company_id" to table: "payments"
CREATE INDEX "payment_company_id" ON "payments" ("company_id");
-- Create index "payment_company_id_payment_number" to table: "payments"
CREATE UNIQUE INDEX "payment_company_id_payment_number" ON "payments" ("company_id", "payment_number");
-- Create index "payment_customer_id_payment_date" to table: "payments"
CREATE INDEX "payment_customer_id_payment_date" ON "payments" ("customer_id", "payment_date");
-- Create "payment_allocations" table
CREATE TABLE "payment_allocations" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "amount" numeric(20,4) NOT NULL, "voided_at" timestamptz NULL, "company_id" character varying NOT NULL, "invoice_id" character varying NOT NULL, "payment_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "payment_allocations_companies_payment_allocations" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "payment_allocations_invoices_allocations" FOREIGN KEY ("invoice_id") REFERENCES "invoices" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "payment_allocations_payments_allocations" FOREIGN KEY ("payment_id") REFERENCES "payments" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "paymentallocation_company_id" to table: "payment_allocations"
CREATE INDEX "paymentallocation_company_id" ON "payment_allocations" ("company_id");
-- Create index "paymentallocation_invoice_id" to table: "payment_allocations"
CREATE INDEX "paymentallocation_invoice_id" ON "payment_allocations" ("invoice_id");
-- Create index "paymentallocation_payment_id" to table: "payment_allocations"
CREATE INDEX "paymentallocation_payment_id" ON "payment_allocations" ("payment_id");
