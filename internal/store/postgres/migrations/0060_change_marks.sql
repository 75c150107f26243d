-- Incremental jobs. Every write of a customer sets its change_seq to the id
-- of its transaction (pg_current_xact_id), and the commit of a transaction
-- that wrote customers records, under the customer_generation row lock
-- that orders those commits, the generation it commits as. A job that took
-- the mark n+1 when it started finds every customer whose last writer
-- committed since through the transactions with seq >= mark, whatever
-- order concurrent transactions wrote in
-- (steward.CustomerStore.CustomerChangeMark). Customers written before
-- this migration have 0, which no transaction has. The default is set
-- after the column is added so that the existing rows are not rewritten.
ALTER TABLE customers ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE customers ALTER COLUMN change_seq SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX customers_change_seq ON customers (change_seq);

-- One row per committed transaction that wrote customers: the generation
-- it committed as, and its id.
CREATE TABLE customer_change_txns (
	seq bigint PRIMARY KEY,
	xid bigint NOT NULL
);

-- Which customers a run examined: all of them (full), or those changed
-- since a mark; and the mark it took at its start, which the next run of
-- the job starts from once this one succeeded.
ALTER TABLE job_runs ADD COLUMN full_scan     boolean NOT NULL DEFAULT false;
ALTER TABLE job_runs ADD COLUMN changes_since bigint  NOT NULL DEFAULT 0;
ALTER TABLE job_runs ADD COLUMN change_mark   bigint  NOT NULL DEFAULT 0;

-- verify-emails finds the checks past their window without a full scan.
CREATE INDEX email_checks_checked_at ON email_checks (checked_at);
