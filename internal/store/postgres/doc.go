// Package postgres implements steward.Store on PostgreSQL with pgx v5 and
// a pgxpool connection pool.
//
// The SQL is written for PostgreSQL: batches of customers go in with COPY
// (ids drawn from the identity sequence in one query first), the schema uses
// jsonb, bigint[] and partial unique indexes, and optimistic locking reads
// the row FOR UPDATE so concurrent writers queue instead of racing. Calls
// made inside Atomic with the context or Store it hands to fn run in its
// transaction; a nested Atomic, and every write method called inside one,
// runs in a savepoint, so a refused write (a duplicate source record, a
// running job) leaves the transaction usable; in a transaction begun with
// steward.AllOrNothing, calls make no savepoints (each is a subtransaction
// and a round trip or two, and more than 64 that write in one transaction
// can slow down other sessions' snapshots), and the first failure dooms
// the transaction. A transaction begun with steward.Exclusive takes
// pg_advisory_xact_lock on its lock's key (lockKey) before fn runs; the
// lock ends with the transaction.
//
// The schema lives in migrations/*.sql, embedded, applied in name order
// under an advisory lock and recorded in schema_migrations. Open does not
// migrate: production schema changes happen when an operator runs
// "steward migrate".
package postgres
