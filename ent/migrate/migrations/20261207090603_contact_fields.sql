-- Modify "customers" table
ALTER TABLE "customers" ADD COLUMN "contact_code" character varying NULL, ADD COLUMN "pay_term_type" character varying NULL, ADD COLUMN "is_export" boolean NOT NULL DEFAULT false, ADD COLUMN "extra_fields" jsonb NULL;
-- Create index "customer_company_id_contact_code" to table: "customers"
CREATE UNIQUE INDEX "customer_company_id_contact_code" ON "customers" ("company_id", "contact_code");
