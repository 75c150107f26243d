-- Suppressions (steward.Suppression): addresses that must not be written
-- to, per keyed hash and scope ('' = every message). The address itself
-- goes when its customer is erased; the hash stays.
CREATE TABLE suppressions (
	id         INTEGER PRIMARY KEY,
	channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
	address    TEXT NOT NULL DEFAULT '',
	hash       TEXT NOT NULL,
	scope      TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL,
	source     TEXT NOT NULL DEFAULT '',
	evidence   TEXT NOT NULL DEFAULT '',
	actor      TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	UNIQUE (hash, scope)
);

-- Temporary delivery failures, counted against the rules file's
-- soft_bounces_before_invalid within soft_bounce_window.
CREATE TABLE soft_bounces (
	hash     TEXT NOT NULL,
	at       TEXT NOT NULL,
	evidence TEXT NOT NULL DEFAULT ''
);
CREATE INDEX soft_bounces_hash_at ON soft_bounces (hash, at);
