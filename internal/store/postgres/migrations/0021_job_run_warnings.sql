-- What a run that succeeded warns about (a quality threshold crossed), as
-- a JSON array of sentences. The domain calls such a run's status
-- "warning"; here it stays 'succeeded' (see the SQLite migration).
ALTER TABLE job_runs ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]';
