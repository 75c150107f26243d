package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/postgres"
	"github.com/steward-crm/steward/internal/store/sqlite"
)

// SQLite returns a new migrated SQLite store in a file under t.TempDir(),
// closed when the test ends.
func SQLite(t testing.TB) *sqlite.Store {
	t.Helper()
	return openSQLite(t, filepath.Join(t.TempDir(), "steward.db"))
}

// openSQLite opens the SQLite database at path, closed when the test ends.
func openSQLite(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close sqlite: %v", err)
		}
	})
	return s
}

// PostgresURL returns TEST_DATABASE_URL. When it is empty the test is
// skipped, loudly, or fails if the CI variable is set: CI must not skip
// the PostgreSQL tests without anyone noticing.
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("TEST_DATABASE_URL is not set, and CI is: the PostgreSQL tests must run in CI")
		}
		t.Skip("SKIPPING PostgreSQL tests: set TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test?sslmode=disable) to run them")
	}
	return url
}

// Postgres returns a new migrated PostgreSQL store in a schema of its own,
// created in the database at TEST_DATABASE_URL and dropped when the test
// ends. See PostgresURL for what happens without one.
func Postgres(t testing.TB) *postgres.Store {
	t.Helper()
	s, _ := postgresSchema(t)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return s
}

// PostgresEmpty is Postgres without the migrations, for tests of
// migrating; it also returns the schema's name.
func PostgresEmpty(t testing.TB) (*postgres.Store, string) {
	t.Helper()
	return postgresSchema(t)
}

func postgresSchema(t testing.TB) (*postgres.Store, string) {
	t.Helper()
	url := PostgresURL(t)
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "steward_test_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to TEST_DATABASE_URL: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return openSchema(t, schema), schema
}

// openSchema opens a store on the schema of the database at
// TEST_DATABASE_URL, closed when the test ends.
func openSchema(t testing.TB, schema string) *postgres.Store {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(PostgresURL(t))
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 10
	s, err := postgres.OpenConfig(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Database is one fresh database of a backend, as Run's tests get it.
type Database struct {
	// Store is a migrated store on the database.
	Store steward.Store
	// OpenAgain opens another store on the same database, as a second
	// process or instance would, closed when the test ends.
	OpenAgain func(t testing.TB) steward.Store
	// Exec runs one SQL statement on the database outside any store: a
	// test's way to reach what the stores' methods cannot, such as
	// forgetting that a migration was applied.
	Exec func(t testing.TB, sql string)
}

// SQLiteDatabase returns a fresh SQLite database for Run: a file under
// t.TempDir().
func SQLiteDatabase(t *testing.T) *Database {
	t.Helper()
	path := filepath.Join(t.TempDir(), "steward.db")
	return &Database{
		Store:     openSQLite(t, path),
		OpenAgain: func(t testing.TB) steward.Store { return openSQLite(t, path) },
		Exec: func(t testing.TB, query string) {
			t.Helper()
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatalf("open sqlite: %v", err)
			}
			defer db.Close()
			if _, err := db.ExecContext(context.Background(), query); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		},
	}
}

// PostgresDatabase returns a fresh PostgreSQL database for Run: a schema of
// its own in the database at TEST_DATABASE_URL (see Postgres).
func PostgresDatabase(t *testing.T) *Database {
	t.Helper()
	s, schema := postgresSchema(t)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return &Database{
		Store:     s,
		OpenAgain: func(t testing.TB) steward.Store { return openSchema(t, schema) },
		Exec: func(t testing.TB, query string) {
			t.Helper()
			ctx := context.Background()
			cfg, err := pgx.ParseConfig(PostgresURL(t))
			if err != nil {
				t.Fatalf("parse TEST_DATABASE_URL: %v", err)
			}
			cfg.RuntimeParams["search_path"] = schema
			c, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatalf("connect postgres: %v", err)
			}
			defer c.Close(ctx)
			if _, err := c.Exec(ctx, query); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		},
	}
}
