-- Modify "recurring_invoices" table
ALTER TABLE "recurring_invoices" ADD COLUMN "auto_send" boolean NOT NULL DEFAULT false;
