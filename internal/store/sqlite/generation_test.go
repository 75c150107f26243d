package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/sqlite"
)

// TestGenerationReopen checks that a database keeps its id and counter
// across reopening, and that a database made before migration 0002 gets an
// id when it is migrated.
func TestGenerationReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crm.db")
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCustomer(ctx, &steward.Customer{Record: steward.Record{FirstName: "Reza"}}, steward.Meta{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	before, err := s.CustomerGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if after, err := s.CustomerGeneration(ctx); err != nil || after != before || after.N != 1 {
		t.Errorf("after reopening: %+v, %v; want %+v with N 1", after, err, before)
	}
	s.Close()

	// Undo migration 0002 as if the database predated it.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DROP TABLE customer_generation;
		DELETE FROM schema_migrations WHERE version = '0002_customer_generation.sql'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g, err := s.CustomerGeneration(ctx)
	if err != nil || len(g.Database) != 32 || g.Database == before.Database || g.N != 0 {
		t.Errorf("an old database migrated: %+v, %v; want a new 32-digit id and N 0", g, err)
	}
	if pending, err := s.PendingMigrations(ctx); err != nil || !slices.Equal(pending, nil) {
		t.Errorf("pending %v, %v", pending, err)
	}
}
