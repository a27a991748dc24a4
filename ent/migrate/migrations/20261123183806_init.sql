-- Create "companies" table
CREATE TABLE "companies" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "base_currency" character varying NOT NULL DEFAULT 'MYR', "timezone" character varying NOT NULL DEFAULT 'Asia/Kuala_Lumpur', "settings" jsonb NULL, PRIMARY KEY ("id"));
-- Create "users" table
CREATE TABLE "users" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "email" character varying NOT NULL, "role" character varying NOT NULL DEFAULT 'member', "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "users_companies_users" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "user_company_id" to table: "users"
CREATE INDEX "user_company_id" ON "users" ("company_id");
-- Create index "user_company_id_email" to table: "users"
CREATE UNIQUE INDEX "user_company_id_email" ON "users" ("company_id", "email");
-- Create "api_keys" table
CREATE TABLE "api_keys" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL DEFAULT '', "prefix" character varying NOT NULL, "secret_hash" bytea NOT NULL, "scopes" jsonb NOT NULL, "last_used_at" timestamptz NULL, "revoked_at" timestamptz NULL, "expires_at" timestamptz NULL, "company_id" character varying NOT NULL, "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "api_keys_companies_api_keys" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "api_keys_users_api_keys" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "api_keys_prefix_key" to table: "api_keys"
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys" ("prefix");
-- Create index "apikey_company_id" to table: "api_keys"
CREATE INDEX "apikey_company_id" ON "api_keys" ("company_id");
-- Create "customer_groups" table
CREATE TABLE "customer_groups" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "price_calculation_type" character varying NOT NULL DEFAULT 'percentage', "amount" numeric(12,6) NOT NULL, "selling_price_group_id" character varying NULL, "selling_price_group_name" character varying NULL, "company_id" character varying NOT NULL, "created_by_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "customer_groups_companies_customer_groups" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "customer_groups_users_created_by" FOREIGN KEY ("created_by_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- Create index "customergroup_company_id" to table: "customer_groups"
CREATE INDEX "customergroup_company_id" ON "customer_groups" ("company_id");
-- Create index "customergroup_company_id_name" to table: "customer_groups"
CREATE UNIQUE INDEX "customergroup_company_id_name" ON "customer_groups" ("company_id", "name");
-- Create "customers" table
CREATE TABLE "customers" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "customer_number" character varying NOT NULL, "name" character varying NOT NULL, "type" character varying NOT NULL DEFAULT 'business', "party_type" character varying NOT NULL DEFAULT 'customer', "email" character varying NULL, "phone" character varying NULL, "mobile" character varying NULL, "landline" character varying NULL, "alternate_number" character varying NULL, "website" character varying NULL, "tax_number" character varying NULL, "prefix" character varying NULL, "first_name" character varying NULL, "middle_name" character varying NULL, "last_name" character varying NULL, "supplier_business_name" character varying NULL, "dob" date NULL, "address" jsonb NULL, "billing_address" jsonb NULL, "shipping_address" jsonb NULL, "currency" character varying NOT NULL DEFAULT 'MYR', "payment_terms" bigint NOT NULL DEFAULT 30, "credit_limit" numeric(20,4) NOT NULL, "status" character varying NOT NULL DEFAULT 'active', "tags" jsonb NULL, "custom_fields" jsonb NULL, "latitude" numeric(9,6) NULL, "longitude" numeric(9,6) NULL, "is_default" boolean NOT NULL DEFAULT false, "opening_balance" numeric(20,4) NOT NULL, "current_balance" numeric(20,4) NOT NULL, "total_sales" numeric(20,4) NOT NULL, "last_sale_date" date NULL, "company_id" character varying NOT NULL, "created_by_id" character varying NULL, "group_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "customers_companies_customers" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "customers_customer_groups_customers" FOREIGN KEY ("group_id") REFERENCES "customer_groups" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "customers_users_created_by" FOREIGN KEY ("created_by_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- Create index "customer_company_id" to table: "customers"
CREATE INDEX "customer_company_id" ON "customers" ("company_id");
-- Create index "customer_company_id_customer_number" to table: "customers"
CREATE UNIQUE INDEX "customer_company_id_customer_number" ON "customers" ("company_id", "customer_number");
-- Create index "customer_company_id_name" to table: "customers"
CREATE INDEX "customer_company_id_name" ON "customers" ("company_id", "name");
-- Create "contacts" table
CREATE TABLE "contacts" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "email" character varying NULL, "phone" character varying NULL, "mobile" character varying NULL, "title" character varying NULL, "department" character varying NULL, "is_primary" boolean NOT NULL DEFAULT false, "is_active" boolean NOT NULL DEFAULT true, "notes" text NULL, "company_id" character varying NOT NULL, "customer_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "contacts_companies_contacts" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "contacts_customers_contacts" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "contact_company_id" to table: "contacts"
CREATE INDEX "contact_company_id" ON "contacts" ("company_id");
-- Create index "contact_customer_id" to table: "contacts"
CREATE INDEX "contact_customer_id" ON "contacts" ("customer_id");
-- Create index "contact_one_primary_per_customer" to table: "contacts"
CREATE UNIQUE INDEX "contact_one_primary_per_customer" ON "contacts" ("customer_id") WHERE is_primary;
-- Create "document_counters" table
CREATE TABLE "document_counters" ("id" character varying NOT NULL, "kind" character varying NOT NULL, "year" bigint NOT NULL, "last_value" bigint NOT NULL DEFAULT 0, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "document_counters_companies_document_counters" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "documentcounter_company_id" to table: "document_counters"
CREATE INDEX "documentcounter_company_id" ON "document_counters" ("company_id");
-- Create index "documentcounter_company_id_kind_year" to table: "document_counters"
CREATE UNIQUE INDEX "documentcounter_company_id_kind_year" ON "document_counters" ("company_id", "kind", "year");
