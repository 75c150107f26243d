-- The customers' generation, for caches of derived data (the import gate's
-- duplicate index): a random id of this database, made here once, and a
-- counter that every committed transaction writing customers bumps by one,
-- as its last statement so that the row is locked only while committing
-- (steward.Generation).
CREATE TABLE customer_generation (
	id       int    PRIMARY KEY CHECK (id = 1),
	database text   NOT NULL,
	n        bigint NOT NULL CHECK (n >= 0),
	-- Replaced by every bump, so that a database put back to an earlier
	-- state (a restored backup) and changed up to the same n is not taken
	-- for the state a cache saw.
	token    text   NOT NULL
);
INSERT INTO customer_generation (id, database, n, token)
VALUES (1, replace(gen_random_uuid()::text, '-', ''), 0, md5(random()::text || clock_timestamp()::text));
