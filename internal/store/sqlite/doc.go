// Package sqlite implements steward.Store on an SQLite database file with
// modernc.org/sqlite (pure Go, no cgo).
//
// The file runs in WAL mode with foreign keys on, a busy timeout and
// synchronous=NORMAL. The Store holds two connection pools on the file: one
// writer connection, through which every write goes in a BEGIN IMMEDIATE
// transaction (SQLite has one writer; taking the write lock up front avoids
// the deadlock of two readers upgrading), and a few read-only connections
// that WAL lets read while the writer writes. Calls made inside Atomic, with
// the context or Store it hands to fn, use its transaction for reads and
// writes alike, so they see their own writes and never wait for themselves.
// Each write call inside Atomic runs in a savepoint, which copies every
// page the call changes to a temporary file first; in a transaction begun
// with steward.AllOrNothing it makes none, and inserts into source_refs and
// suggestions, whose indexes take new rows at random places, one row per
// statement (see rowByRow). The write lock every transaction takes when it
// begins is also what steward.Exclusive asks for: such a transaction
// serializes with every other writer.
//
// One writer means a long transaction (an import in Atomic) makes every
// other write wait: in this process until it ends, in another process up
// to the busy timeout (10 s unless Open is given BusyTimeout), after which
// the write fails with ECONFLICT ("busy"). Reads never wait. Keep
// transactions short where others write, e.g. a job's heartbeat.
//
// The schema lives in migrations/*.sql, embedded, applied in name order and
// recorded in schema_migrations; Open applies what is missing.
package sqlite
