-- Modify "idempotency_keys" table
ALTER TABLE "idempotency_keys" ADD COLUMN "response" jsonb NULL;
