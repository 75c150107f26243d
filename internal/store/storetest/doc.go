// Package storetest is the conformance suite every steward.Store backend
// must pass, and helpers that open fresh stores for other packages' tests.
//
// A backend's test calls Run with a function that opens an empty, migrated
// database (SQLiteDatabase, PostgresDatabase); every subtest opens its own.
// SQLite opens a file in t.TempDir().
// PostgreSQL needs TEST_DATABASE_URL and gives each test a fresh schema;
// without it the tests skip loudly, unless CI is set, when they fail.
//
// The tests are kept one file per aggregate (customers.go, suggestions.go,
// decisions.go, jobruns.go, emailchecks.go, models.go, merges.go: the
// merge records and, through package internal/merge, merge, undo, take-out,
// decisions and their races; users.go: users, tokens and the audit log), transactions and
// their options (transactions.go, allornothing.go, generation.go) and
// migrations (migrations.go); suite.go holds Run and its table of tests.
package storetest
