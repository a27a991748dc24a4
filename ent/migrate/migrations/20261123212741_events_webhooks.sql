-- Create "event_cursors" table
CREATE TABLE "event_cursors" ("id" character varying NOT NULL, "txid" character varying NOT NULL DEFAULT '0', "seq" bigint NOT NULL DEFAULT 0, "updated_at" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create "events" table
CREATE TABLE "events" ("id" character varying NOT NULL, "type" character varying NOT NULL, "subject_id" character varying NOT NULL, "payload" jsonb NULL, "seq" bigint NULL, "txid" xid8 NULL DEFAULT pg_current_xact_id(), "created_at" timestamptz NOT NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "events_companies_events" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "event_company_id" to table: "events"
CREATE INDEX "event_company_id" ON "events" ("company_id");
-- Create index "event_company_id_txid_seq" to table: "events"
CREATE INDEX "event_company_id_txid_seq" ON "events" ("company_id", "txid", "seq");
-- Create index "event_overdue_once" to table: "events"
CREATE UNIQUE INDEX "event_overdue_once" ON "events" ("subject_id") WHERE ((type)::text = 'invoice.overdue'::text);
-- Create index "event_txid_seq" to table: "events"
CREATE INDEX "event_txid_seq" ON "events" ("txid", "seq");
-- Create "webhook_deliveries" table
CREATE TABLE "webhook_deliveries" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "endpoint_id" character varying NOT NULL, "event_id" character varying NOT NULL, "event_type" character varying NOT NULL, "status" character varying NOT NULL DEFAULT 'pending', "attempts" bigint NOT NULL DEFAULT 0, "next_attempt_at" timestamptz NOT NULL, "last_error" character varying NULL, "response_code" bigint NULL, "delivered_at" timestamptz NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhook_deliveries_companies_webhook_deliveries" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "webhookdelivery_company_id" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_company_id" ON "webhook_deliveries" ("company_id");
-- Create index "webhookdelivery_endpoint_id_created_at" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_endpoint_id_created_at" ON "webhook_deliveries" ("endpoint_id", "created_at");
-- Create index "webhookdelivery_endpoint_id_event_id" to table: "webhook_deliveries"
CREATE UNIQUE INDEX "webhookdelivery_endpoint_id_event_id" ON "webhook_deliveries" ("endpoint_id", "event_id");
-- Create index "webhookdelivery_next_attempt_at" to table: "webhook_deliveries"
CREATE INDEX "webhookdelivery_next_attempt_at" ON "webhook_deliveries" ("next_attempt_at") WHERE ((status)::text = 'pending'::text);
-- Create "webhook_endpoints" table
CREATE TABLE "webhook_endpoints" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "url" character varying NOT NULL, "events" jsonb NOT NULL, "description" character varying NULL, "secret" character varying NOT NULL, "active" boolean NOT NULL DEFAULT true, "deleted_at" timestamptz NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "webhook_endpoints_companies_webhook_endpoints" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "webhookendpoint_company_id" to table: "webhook_endpoints"
CREATE INDEX "webhookendpoint_company_id" ON "webhook_endpoints" ("company_id");
-- Create index "webhookendpoint_company_id_created_at" to table: "webhook_endpoints"
CREATE INDEX "webhookendpoint_company_id_created_at" ON "webhook_endpoints" ("company_id", "created_at");
