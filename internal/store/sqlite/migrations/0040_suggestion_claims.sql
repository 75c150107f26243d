-- A steward's claim of a suggestion to review: other stewards' queues
-- pass it by until it expires.
CREATE TABLE suggestion_claims (
    suggestion_id INTEGER PRIMARY KEY REFERENCES suggestions (id) ON DELETE CASCADE,
    claimed_by    TEXT NOT NULL,
    claimed_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX suggestion_claims_by ON suggestion_claims (claimed_by);
