-- Create index "ledgerentry_company_id_date_id" to table: "ledger_entries"
CREATE INDEX "ledgerentry_company_id_date_id" ON "ledger_entries" ("company_id", "date", "id");
