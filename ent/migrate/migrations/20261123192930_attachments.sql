-- Create "attachments" table
CREATE TABLE "attachments" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "document_type" character varying NOT NULL, "document_id" character varying NOT NULL, "filename" character varying NOT NULL, "content_type" character varying NOT NULL, "size" bigint NOT NULL, "sha256" character varying NOT NULL, "content" bytea NOT NULL, "created_by_id" character varying NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "attachments_companies_attachments" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "attachment_company_id" to table: "attachments"
CREATE INDEX "attachment_company_id" ON "attachments" ("company_id");
-- Create index "attachment_document_id" to table: "attachments"
CREATE INDEX "attachment_document_id" ON "attachments" ("document_id");
