-- Modify "payments" table
ALTER TABLE "payments" ADD COLUMN "refunded_amount" numeric(20,4) NOT NULL DEFAULT 0, ADD COLUMN "failed_at" timestamptz NULL, ADD COLUMN "failure_reason" character varying NULL;
-- Create "refunds" table
CREATE TABLE "refunds" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "amount" numeric(20,4) NOT NULL, "from_credit" numeric(20,4) NOT NULL, "from_invoices" numeric(20,4) NOT NULL, "refund_date" date NOT NULL, "method" character varying NOT NULL DEFAULT 'bank_transfer', "reason" character varying NULL, "reference" character varying NULL, "journal_entry_id" character varying NULL, "created_by_id" character varying NULL, "company_id" character varying NOT NULL, "payment_id" character varying NOT NULL, "account_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "refunds_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "refunds_companies_refunds" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "refunds_payments_refunds" FOREIGN KEY ("payment_id") REFERENCES "payments" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "refund_company_id_id" to table: "refunds"
CREATE INDEX "refund_company_id_id" ON "refunds" ("company_id", "id");
-- Create index "refund_payment_id" to table: "refunds"
CREATE INDEX "refund_payment_id" ON "refunds" ("payment_id");
-- Modify "payment_allocations" table
ALTER TABLE "payment_allocations" ADD COLUMN "refund_id" character varying NULL, ADD CONSTRAINT "payment_allocations_refunds_allocations" FOREIGN KEY ("refund_id") REFERENCES "refunds" ("id") ON UPDATE NO ACTION ON DELETE SET NULL;
-- Existing payments have refunded nothing; new rows get the value from ent.
ALTER TABLE "payments" ALTER COLUMN "refunded_amount" DROP DEFAULT;
