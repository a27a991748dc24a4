-- Modify "invoices" table
ALTER TABLE "invoices" ADD COLUMN "overdue_notified_at" timestamptz NULL;
-- Create index "invoice_overdue_pending" to table: "invoices"
CREATE INDEX "invoice_overdue_pending" ON "invoices" ("due_date") WHERE (((status)::text = 'sent'::text) AND (overdue_notified_at IS NULL));
-- Invoices already announced as overdue keep their marker (hand-written):
-- the job then starts from what is really new.
UPDATE "invoices" i SET "overdue_notified_at" = e."created_at"
FROM "events" e WHERE e."subject_id" = i."id" AND e."type" = 'invoice.overdue';
