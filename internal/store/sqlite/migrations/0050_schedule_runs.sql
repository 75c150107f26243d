-- The runs of the rules file's schedules: one row per scheduled time
-- claimed (or skipped, or missed), so that a time runs once across
-- instances, and a schedule never has two running runs.
CREATE TABLE schedule_runs (
	id           INTEGER PRIMARY KEY,
	schedule     TEXT NOT NULL,
	scheduled_at TEXT NOT NULL,
	trigger      TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'catch-up')),
	instance     TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'missed')),
	started_at   TEXT,
	finished_at  TEXT,
	heartbeat_at TEXT,
	jobs         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(jobs)),
	error        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX schedule_runs_time ON schedule_runs (schedule, scheduled_at);
CREATE UNIQUE INDEX schedule_runs_one_running ON schedule_runs (schedule) WHERE status = 'running';

-- Schedules an operator paused.
CREATE TABLE schedule_pauses (
	schedule  TEXT PRIMARY KEY,
	paused_at TEXT NOT NULL,
	paused_by TEXT NOT NULL DEFAULT ''
);
