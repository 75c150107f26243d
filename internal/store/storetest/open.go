package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/steward-crm/steward/internal/store/postgres"
	"github.com/steward-crm/steward/internal/store/sqlite"
)

// SQLite returns a new migrated SQLite store in a file under t.TempDir(),
// closed when the test ends.
func SQLite(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "steward.db"), nil)
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
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 10
	s, err := postgres.OpenConfig(ctx, cfg, nil)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, schema
}
