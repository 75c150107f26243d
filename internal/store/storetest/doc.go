// Package storetest is the conformance suite every steward.Store backend
// must pass, and helpers that open fresh stores for other packages' tests.
//
// A backend's test calls Run with a function that opens an empty, migrated
// store; every subtest opens its own. SQLite opens a file in t.TempDir().
// PostgreSQL needs TEST_DATABASE_URL and gives each test a fresh schema;
// without it the tests skip loudly, unless CI is set, when they fail.
package storetest
