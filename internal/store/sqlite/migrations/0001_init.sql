-- Customers: the canonical fields as columns (queries and indexes need
-- them), other columns as a JSON object. Times are UTC text with
-- microseconds, fixed width, so they sort and compare as text.
CREATE TABLE customers (
	id            INTEGER PRIMARY KEY,
	status        TEXT    NOT NULL CHECK (status IN ('active', 'merged', 'erased')),
	merged_into   INTEGER REFERENCES customers (id),
	version       INTEGER NOT NULL CHECK (version > 0),
	source        TEXT    NOT NULL DEFAULT '',
	source_id     TEXT    NOT NULL DEFAULT '',
	first_name    TEXT    NOT NULL DEFAULT '',
	last_name     TEXT    NOT NULL DEFAULT '',
	company       TEXT    NOT NULL DEFAULT '',
	email         TEXT    NOT NULL DEFAULT '',
	phone         TEXT    NOT NULL DEFAULT '',
	address_line1 TEXT    NOT NULL DEFAULT '',
	address_line2 TEXT    NOT NULL DEFAULT '',
	city          TEXT    NOT NULL DEFAULT '',
	region        TEXT    NOT NULL DEFAULT '',
	postal_code   TEXT    NOT NULL DEFAULT '',
	country       TEXT    NOT NULL DEFAULT '',
	birth_date    TEXT    NOT NULL DEFAULT '',
	national_id   TEXT    NOT NULL DEFAULT '',
	attributes    TEXT    NOT NULL DEFAULT '{}',
	-- Who created the customer and why. Creation is not written to changes:
	-- a field's value at creation is the before of its first change, or
	-- its current value (steward.CreationChanges).
	created_by    TEXT    NOT NULL DEFAULT '',
	created_cause TEXT    NOT NULL DEFAULT '',
	created_at    TEXT    NOT NULL,
	updated_at    TEXT    NOT NULL
);
CREATE INDEX customers_status_id ON customers (status, id);
CREATE INDEX customers_email ON customers (email) WHERE email <> '';
CREATE INDEX customers_phone ON customers (phone) WHERE phone <> '';
CREATE INDEX customers_merged_into ON customers (merged_into) WHERE merged_into IS NOT NULL;

-- Source cross-references: which customer a source system's record became.
CREATE TABLE source_refs (
	source      TEXT    NOT NULL,
	source_id   TEXT    NOT NULL,
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	PRIMARY KEY (source, source_id)
) WITHOUT ROWID;
CREATE INDEX source_refs_customer ON source_refs (customer_id);

-- The audit trail: one row per changed field of an update.
CREATE TABLE changes (
	id           INTEGER PRIMARY KEY,
	customer_id  INTEGER NOT NULL REFERENCES customers (id),
	at           TEXT    NOT NULL,
	actor        TEXT    NOT NULL,
	field        TEXT    NOT NULL,
	before_value TEXT    NOT NULL,
	after_value  TEXT    NOT NULL,
	cause        TEXT    NOT NULL
);
CREATE INDEX changes_customer ON changes (customer_id, id);

CREATE TABLE job_runs (
	id           INTEGER PRIMARY KEY,
	job          TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
	started_at   TEXT NOT NULL,
	finished_at  TEXT,
	heartbeat_at TEXT NOT NULL,
	checkpoint   TEXT NOT NULL DEFAULT '',
	counts       TEXT NOT NULL DEFAULT '{}',
	error        TEXT NOT NULL DEFAULT ''
);
-- At most one running run per job, enforced here rather than in Go.
CREATE UNIQUE INDEX job_runs_one_running ON job_runs (job) WHERE status = 'running';
CREATE INDEX job_runs_job ON job_runs (job, id);

-- Duplicate suggestions, keyed by their sorted member set.
CREATE TABLE suggestions (
	id             INTEGER PRIMARY KEY,
	member_key     TEXT    NOT NULL UNIQUE,
	customer_ids   TEXT    NOT NULL,
	probability    REAL    NOT NULL CHECK (probability >= 0 AND probability <= 1),
	evidence       TEXT,
	status         TEXT    NOT NULL CHECK (status IN ('pending', 'merged', 'rejected', 'skipped')),
	run_id         INTEGER REFERENCES job_runs (id),
	decided_by     TEXT    NOT NULL DEFAULT '',
	decision_cause TEXT    NOT NULL DEFAULT '',
	created_at     TEXT    NOT NULL,
	updated_at     TEXT    NOT NULL
);
CREATE INDEX suggestions_review ON suggestions (status, probability DESC, id);
CREATE INDEX suggestions_order ON suggestions (probability DESC, id);

-- Pairs a steward said are different people; kept for good.
CREATE TABLE not_duplicates (
	a          INTEGER NOT NULL REFERENCES customers (id),
	b          INTEGER NOT NULL REFERENCES customers (id),
	created_at TEXT    NOT NULL,
	actor      TEXT    NOT NULL,
	cause      TEXT    NOT NULL,
	PRIMARY KEY (a, b),
	CHECK (a < b)
) WITHOUT ROWID;

-- The latest verification of each address a customer had.
CREATE TABLE email_checks (
	customer_id INTEGER NOT NULL REFERENCES customers (id),
	email       TEXT    NOT NULL,
	verdict     TEXT    NOT NULL,
	reason      TEXT    NOT NULL DEFAULT '',
	checked_at  TEXT    NOT NULL,
	PRIMARY KEY (customer_id, email)
) WITHOUT ROWID;
