-- Modify "companies" table
ALTER TABLE "companies" ADD COLUMN "link_key" bytea NULL;
-- Modify "invoices" table
ALTER TABLE "invoices" ADD COLUMN "next_reminder_on" date NULL;
-- Create index "invoice_reminder_due" to table: "invoices"
CREATE INDEX "invoice_reminder_due" ON "invoices" ("next_reminder_on") WHERE (next_reminder_on IS NOT NULL);
