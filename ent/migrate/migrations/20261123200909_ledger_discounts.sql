-- Create "ledger_discounts" table
CREATE TABLE "ledger_discounts" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "customer_id" character varying NOT NULL, "amount" numeric(20,4) NOT NULL, "date" date NOT NULL, "note" text NULL, "sub_type" character varying NOT NULL DEFAULT 'sell_discount', "status" character varying NOT NULL DEFAULT 'active', "journal_entry_id" character varying NULL, "created_by_id" character varying NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "ledger_discounts_companies_ledger_discounts" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "ledgerdiscount_company_id" to table: "ledger_discounts"
CREATE INDEX "ledgerdiscount_company_id" ON "ledger_discounts" ("company_id");
-- Create index "ledgerdiscount_customer_id_date" to table: "ledger_discounts"
CREATE INDEX "ledgerdiscount_customer_id_date" ON "ledger_discounts" ("customer_id", "date");
