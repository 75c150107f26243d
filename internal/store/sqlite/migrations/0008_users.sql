-- Users, their tokens and the audit log of the service (steward.User,
-- steward.Token, steward.AuditEntry). A token is kept as the SHA-256 of
-- its secret, a password as its argon2id hash; neither can be read back.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL UNIQUE,
	role          TEXT    NOT NULL CHECK (role IN ('viewer', 'steward', 'admin')),
	password_hash TEXT    NOT NULL DEFAULT '',
	disabled_at   TEXT,
	created_at    TEXT    NOT NULL,
	updated_at    TEXT    NOT NULL
);

CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	kind       TEXT    NOT NULL CHECK (kind IN ('api', 'session')),
	name       TEXT    NOT NULL DEFAULT '',
	hash       TEXT    NOT NULL UNIQUE,
	created_at TEXT    NOT NULL,
	expires_at TEXT,
	revoked_at TEXT
);
CREATE INDEX tokens_user ON tokens (user_id, id);

-- Only ever appended to.
CREATE TABLE audit_log (
	id     INTEGER PRIMARY KEY,
	at     TEXT NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT CHECK (detail IS NULL OR json_valid(detail))
);
CREATE INDEX audit_log_target ON audit_log (target, id) WHERE target <> '';
CREATE INDEX audit_log_actor ON audit_log (actor, id);
