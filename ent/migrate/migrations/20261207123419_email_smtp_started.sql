-- Modify "email_messages" table
ALTER TABLE "email_messages" ADD COLUMN "smtp_started_at" timestamptz NULL;
