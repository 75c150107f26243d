-- Incremental jobs. Every write of a customer sets its change_seq to the
-- customers' generation its transaction commits as (customer_generation.n
-- plus one, read inside the write: SQLite has one writer at a time), so a
-- job that took the mark n+1 when it started finds every customer written
-- since by change_seq >= mark (steward.CustomerStore.CustomerChangeMark).
-- Customers written before this migration have 0, before any mark.
ALTER TABLE customers ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX customers_change_seq ON customers (change_seq);

-- Which customers a run examined: all of them (full), or those changed
-- since a mark; and the mark it took at its start, which the next run of
-- the job starts from once this one succeeded.
ALTER TABLE job_runs ADD COLUMN full_scan     INTEGER NOT NULL DEFAULT 0 CHECK (full_scan IN (0, 1));
ALTER TABLE job_runs ADD COLUMN changes_since INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_runs ADD COLUMN change_mark   INTEGER NOT NULL DEFAULT 0;

-- verify-emails finds the checks past their window without a full scan.
CREATE INDEX email_checks_checked_at ON email_checks (checked_at);
