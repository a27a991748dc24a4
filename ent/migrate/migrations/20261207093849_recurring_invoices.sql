-- Modify "invoices" table
ALTER TABLE "invoices" ADD COLUMN "recurring_invoice_id" character varying NULL, ADD COLUMN "recurring_period" date NULL;
-- Create index "invoice_recurring_invoice_id_recurring_period" to table: "invoices"
CREATE UNIQUE INDEX "invoice_recurring_invoice_id_recurring_period" ON "invoices" ("recurring_invoice_id", "recurring_period");
-- Create "recurring_invoices" table
CREATE TABLE "recurring_invoices" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "customer_id" character varying NOT NULL, "subscription_number" character varying NOT NULL, "interval" character varying NOT NULL, "interval_count" bigint NOT NULL DEFAULT 1, "start_date" date NOT NULL, "next_run_date" date NULL, "end_date" date NULL, "max_count" bigint NULL, "generated_count" bigint NOT NULL DEFAULT 0, "status" character varying NOT NULL DEFAULT 'active', "stopped_at" timestamptz NULL, "last_generated_at" timestamptz NULL, "currency" character varying NOT NULL, "items" jsonb NOT NULL, "reference" character varying NULL, "notes" text NULL, "terms" text NULL, "issue" boolean NOT NULL DEFAULT true, "created_by_id" character varying NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "recurring_invoices_companies_recurring_invoices" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "recurringinvoice_company_id_id" to table: "recurring_invoices"
CREATE INDEX "recurringinvoice_company_id_id" ON "recurring_invoices" ("company_id", "id");
-- Create index "recurringinvoice_company_id_subscription_number" to table: "recurring_invoices"
CREATE UNIQUE INDEX "recurringinvoice_company_id_subscription_number" ON "recurring_invoices" ("company_id", "subscription_number");
-- Create index "recurringinvoice_customer_id_created_at" to table: "recurring_invoices"
CREATE INDEX "recurringinvoice_customer_id_created_at" ON "recurring_invoices" ("customer_id", "created_at");
-- Create index "recurringinvoice_status_next_run_date" to table: "recurring_invoices"
CREATE INDEX "recurringinvoice_status_next_run_date" ON "recurring_invoices" ("status", "next_run_date");
