-- Create "accounts" table
CREATE TABLE "accounts" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "code" character varying NOT NULL, "name" character varying NOT NULL, "type" character varying NOT NULL, "subtype" character varying NULL, "currency" character varying NOT NULL DEFAULT 'MYR', "normal_balance" character varying NOT NULL, "description" text NULL, "active" boolean NOT NULL DEFAULT true, "reconcilable" boolean NOT NULL DEFAULT false, "system_role" character varying NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "accounts_companies_accounts" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "account_company_id" to table: "accounts"
CREATE INDEX "account_company_id" ON "accounts" ("company_id");
-- Create index "account_company_id_code" to table: "accounts"
CREATE UNIQUE INDEX "account_company_id_code" ON "accounts" ("company_id", "code");
-- Create index "account_company_id_system_role" to table: "accounts"
CREATE UNIQUE INDEX "account_company_id_system_role" ON "accounts" ("company_id", "system_role");
-- Create "journal_entries" table
CREATE TABLE "journal_entries" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "entry_number" character varying NOT NULL, "date" date NOT NULL, "reference" character varying NULL, "description" text NULL, "source_type" character varying NOT NULL, "source_id" character varying NULL, "status" character varying NOT NULL DEFAULT 'posted', "total_debit" numeric(20,4) NOT NULL, "total_credit" numeric(20,4) NOT NULL, "reversal_of_id" character varying NULL, "created_by_id" character varying NULL, "company_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "journal_entries_companies_journal_entries" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "journal_entries_reversal_of_id_key" to table: "journal_entries"
CREATE UNIQUE INDEX "journal_entries_reversal_of_id_key" ON "journal_entries" ("reversal_of_id");
-- Create index "journalentry_company_id" to table: "journal_entries"
CREATE INDEX "journalentry_company_id" ON "journal_entries" ("company_id");
-- Create index "journalentry_company_id_entry_number" to table: "journal_entries"
CREATE UNIQUE INDEX "journalentry_company_id_entry_number" ON "journal_entries" ("company_id", "entry_number");
-- Create index "journalentry_source_id" to table: "journal_entries"
CREATE INDEX "journalentry_source_id" ON "journal_entries" ("source_id");
-- Create "ledger_entries" table
CREATE TABLE "ledger_entries" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "position" bigint NOT NULL DEFAULT 0, "date" date NOT NULL, "debit" numeric(20,4) NOT NULL, "credit" numeric(20,4) NOT NULL, "description" character varying NULL, "currency" character varying NOT NULL DEFAULT 'MYR', "original_amount" numeric(20,4) NOT NULL, "exchange_rate" numeric(12,6) NOT NULL, "company_id" character varying NOT NULL, "journal_entry_id" character varying NOT NULL, "account_id" character varying NOT NULL, "customer_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "ledger_entries_accounts_account" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "ledger_entries_companies_ledger_entries" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "ledger_entries_customers_customer" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "ledger_entries_journal_entries_lines" FOREIGN KEY ("journal_entry_id") REFERENCES "journal_entries" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION);
-- Create index "ledgerentry_account_id_date" to table: "ledger_entries"
CREATE INDEX "ledgerentry_account_id_date" ON "ledger_entries" ("account_id", "date");
-- Create index "ledgerentry_company_id" to table: "ledger_entries"
CREATE INDEX "ledgerentry_company_id" ON "ledger_entries" ("company_id");
-- Create index "ledgerentry_customer_id_date" to table: "ledger_entries"
CREATE INDEX "ledgerentry_customer_id_date" ON "ledger_entries" ("customer_id", "date");
-- Create index "ledgerentry_journal_entry_id_position" to table: "ledger_entries"
CREATE INDEX "ledgerentry_journal_entry_id_position" ON "ledger_entries" ("journal_entry_id", "position");
