// Package store opens the steward database named by a DSN: PostgreSQL for a
// postgres:// or postgresql:// URL, SQLite for anything else (a file path,
// ./steward.db by default). The backends themselves live in the sqlite and
// postgres subpackages; storetest holds the conformance suite both pass.
package store
