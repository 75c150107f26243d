-- What a run that succeeded warns about (a quality threshold crossed), as
-- a JSON array of sentences. The domain calls such a run's status
-- "warning"; here it stays 'succeeded', so that the status check and the
-- one-running index need no rebuild of the table.
ALTER TABLE job_runs ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
