-- Quality snapshots (steward.Snapshot): the state of the customer database
-- at one time, one metric per row: dimension, field ("" for the whole
-- record) and source ("" for all sources), numerator of denominator.
-- Numbered from 20 so that migrations made in parallel (0006 onwards)
-- keep their names; migrations are applied by name, in order.
CREATE TABLE quality_snapshots (
	id        INTEGER PRIMARY KEY,
	taken_at  TEXT    NOT NULL,
	run_id    INTEGER REFERENCES job_runs (id),
	customers INTEGER NOT NULL CHECK (customers >= 0)
);
CREATE INDEX quality_snapshots_taken_at ON quality_snapshots (taken_at);

CREATE TABLE quality_metrics (
	snapshot_id INTEGER NOT NULL REFERENCES quality_snapshots (id),
	dimension   TEXT    NOT NULL,
	field       TEXT    NOT NULL,
	source      TEXT    NOT NULL,
	numerator   INTEGER NOT NULL CHECK (numerator >= 0),
	denominator INTEGER NOT NULL CHECK (denominator >= numerator),
	PRIMARY KEY (snapshot_id, dimension, field, source)
);
