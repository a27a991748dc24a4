-- Modify "companies" table
ALTER TABLE "companies" ADD COLUMN "email" character varying NULL, ADD COLUMN "phone" character varying NULL, ADD COLUMN "tax_number" character varying NULL, ADD COLUMN "address" jsonb NULL, ADD COLUMN "logo" bytea NULL, ADD COLUMN "logo_content_type" character varying NULL;
-- Modify "invoices" table
ALTER TABLE "invoices" ADD COLUMN "reminder_count" bigint NOT NULL DEFAULT 0, ADD COLUMN "last_reminder_at" timestamptz NULL;
-- Create "email_messages" table
CREATE TABLE "email_messages" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "document_type" character varying NOT NULL, "document_id" character varying NOT NULL, "customer_id" character varying NOT NULL, "purpose" character varying NOT NULL, "reminder_step" character varying NULL, "to" jsonb NOT NULL, "cc" jsonb NULL, "bcc" jsonb NULL, "subject" character varying NOT NULL, "body_text" text NOT NULL, "body_html" text NOT NULL, "attach_pdf" boolean NOT NULL DEFAULT true, "params" jsonb NULL, "message_id" character varying NOT NULL, "status" character varying NOT NULL DEFAULT 'queued', "attempts" bigint NOT NULL DEFAULT 0, "next_attempt_at" timestamptz NOT NULL, "lease_until" timestamptz NULL, "last_reply" text NULL, "recipients" jsonb NOT NULL, "sent_at" timestamptz NULL, "created_by_id" character varying NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "email_messages_companies_email_messages" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "email_messages_message_id_key" to table: "email_messages"
CREATE UNIQUE INDEX "email_messages_message_id_key" ON "email_messages" ("message_id");
-- Create index "emailmessage_company_id_id" to table: "email_messages"
CREATE INDEX "emailmessage_company_id_id" ON "email_messages" ("company_id", "id");
-- Create index "emailmessage_document_id_created_at" to table: "email_messages"
CREATE INDEX "emailmessage_document_id_created_at" ON "email_messages" ("document_id", "created_at");
-- Create index "emailmessage_document_id_reminder_step" to table: "email_messages"
CREATE UNIQUE INDEX "emailmessage_document_id_reminder_step" ON "email_messages" ("document_id", "reminder_step");
-- Create index "emailmessage_next_attempt_at" to table: "email_messages"
CREATE INDEX "emailmessage_next_attempt_at" ON "email_messages" ("next_attempt_at") WHERE ((status)::text = ANY (ARRAY['queued'::text, 'sending'::text]));
