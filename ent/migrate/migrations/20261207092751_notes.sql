-- Create "notes" table
CREATE TABLE "notes" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "customer_id" character varying NOT NULL, "heading" character varying NOT NULL, "description" text NULL, "is_private" boolean NOT NULL DEFAULT false, "created_by_id" character varying NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "notes_companies_notes" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "note_company_id_id" to table: "notes"
CREATE INDEX "note_company_id_id" ON "notes" ("company_id", "id");
-- Create index "note_customer_id_created_at" to table: "notes"
CREATE INDEX "note_customer_id_created_at" ON "notes" ("customer_id", "created_at");
