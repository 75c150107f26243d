-- The history of imports through the gate: counts and the file's name,
-- never a row's values.
CREATE TABLE imports (
	id          INTEGER PRIMARY KEY,
	source      TEXT    NOT NULL,
	name        TEXT    NOT NULL DEFAULT '',
	actor       TEXT    NOT NULL DEFAULT '',
	status      TEXT    NOT NULL CHECK (status IN ('committed', 'failed')),
	error       TEXT    NOT NULL DEFAULT '',
	started_at  TEXT    NOT NULL,
	finished_at TEXT    NOT NULL,
	rows_read   INTEGER NOT NULL DEFAULT 0,
	accepted    INTEGER NOT NULL DEFAULT 0,
	rejected    INTEGER NOT NULL DEFAULT 0,
	created     INTEGER NOT NULL DEFAULT 0,
	updated     INTEGER NOT NULL DEFAULT 0,
	merged      INTEGER NOT NULL DEFAULT 0,
	summary     TEXT    CHECK (summary IS NULL OR json_valid(summary))
);
CREATE INDEX imports_source ON imports (source, id);
