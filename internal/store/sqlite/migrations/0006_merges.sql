-- Merges (steward.Merge): who merged which customers into which, with
-- every member's before-image, its source references and the survivor's
-- choices, kept whole as JSON in detail (written and read whole, never
-- queried inside), so that a merge can be undone or a member taken out.
CREATE TABLE merges (
	id            INTEGER PRIMARY KEY,
	survivor_id   INTEGER NOT NULL REFERENCES customers (id),
	status        TEXT    NOT NULL CHECK (status IN ('active', 'undone')),
	version       INTEGER NOT NULL CHECK (version > 0),
	suggestion_id INTEGER REFERENCES suggestions (id),
	actor         TEXT    NOT NULL,
	cause         TEXT    NOT NULL,
	created_at    TEXT    NOT NULL,
	undone_by     TEXT    NOT NULL DEFAULT '',
	undone_at     TEXT,
	detail        TEXT    NOT NULL CHECK (json_valid(detail))
);

-- The members of each merge, the survivor included, to list a customer's
-- merges.
CREATE TABLE merge_members (
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	merge_id    INTEGER NOT NULL REFERENCES merges (id),
	PRIMARY KEY (customer_id, merge_id)
) WITHOUT ROWID;
