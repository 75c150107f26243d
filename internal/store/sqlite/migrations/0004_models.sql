-- The matching models the nightly duplicate job trains (steward.StoredModel),
-- each kept whole as JSON; the latest, by id, is the one used. Every model
-- is kept; none is pruned yet.
CREATE TABLE models (
	id         INTEGER PRIMARY KEY,
	trained_at TEXT    NOT NULL,
	records    INTEGER NOT NULL CHECK (records >= 0),
	labels     INTEGER NOT NULL CHECK (labels >= 0),
	origin     TEXT    NOT NULL DEFAULT '',
	model      TEXT    NOT NULL CHECK (json_valid(model)),
	created_at TEXT    NOT NULL
);
