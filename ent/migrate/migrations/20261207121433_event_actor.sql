-- Modify "events" table
ALTER TABLE "events" ADD COLUMN "actor_id" character varying NULL;
