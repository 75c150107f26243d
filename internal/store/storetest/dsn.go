package storetest

import (
	"context"
	"net/url"
	"testing"
)

// PostgresDSN returns the URL of a new migrated PostgreSQL schema of its
// own in the database at TEST_DATABASE_URL (search_path in the query),
// for tests that open the database by its address, as a command or
// another process does; the schema is dropped when the test ends. See
// PostgresURL for what happens without TEST_DATABASE_URL.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	st, schema := PostgresEmpty(t)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	u, err := url.Parse(PostgresURL(t))
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
