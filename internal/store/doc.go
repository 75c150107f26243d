// Package store opens the steward database named by a DSN: PostgreSQL for a
// postgres:// or postgresql:// URL, SQLite for anything else (a file path,
// ./steward.db by default). The backends themselves live in the sqlite and
// postgres subpackages, each with its SQL written for its dialect;
// storetest holds the conformance suite both pass and helpers that open
// fresh stores for other packages' tests; pages is their shared paging and
// allornothing the state of a transaction made all-or-nothing.
//
// Schema changes are new files in both sqlite/migrations and
// postgres/migrations, named NNNN_what.sql so that name order is apply
// order; an applied file is never edited. SQLite applies them when opened;
// PostgreSQL when an operator runs "steward migrate", and the other
// commands refuse a database that lacks one.
package store
