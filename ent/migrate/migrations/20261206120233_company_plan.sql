-- Modify "companies" table
ALTER TABLE "companies" ADD COLUMN "plan" character varying NULL;
