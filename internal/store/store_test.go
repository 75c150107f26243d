package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/store/storetest"
)

func TestKindOf(t *testing.T) {
	tests := []struct {
		dsn  string
		want store.Kind
	}{
		{"", store.SQLite},
		{"./steward.db", store.SQLite},
		{"/var/lib/steward/steward.db", store.SQLite},
		{"postgres://u@h/db", store.Postgres},
		{"POSTGRESQL://u@h/db", store.Postgres},
		{"postgresish.db", store.SQLite},
		{"host=db dbname=crm user=steward password=s3cret", store.Postgres},
		{"  dbname=crm", store.Postgres},
		{"data=1.db", store.SQLite},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			if got := store.KindOf(tt.dsn); got != tt.want {
				t.Errorf("KindOf(%q) = %s, want %s", tt.dsn, got, tt.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://steward:s3cret@db:5432/crm?sslmode=require", "postgres://steward:xxxxx@db:5432/crm?sslmode=require"},
		{"postgres://steward@db/crm", "postgres://steward@db/crm"},
		{"./steward.db", "./steward.db"},
		{"postgres://steward@db/crm?sslmode=require&password=s3cret", "postgres://steward@db/crm?sslmode=require&password=xxxxx"},
		{"postgres://db/crm?password=s3cret&sslpassword=k3y", "postgres://db/crm?password=xxxxx&sslpassword=xxxxx"},
		{"host=db dbname=crm user=steward password=s3cret sslmode=require", "host=db dbname=crm user=steward password=xxxxx sslmode=require"},
		{`host=db password = 'it\'s a \\ secret' dbname=crm`, "host=db password = xxxxx dbname=crm"},
	}
	for _, tt := range tests {
		if got := store.Redact(tt.dsn); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}

func TestOpenSQLiteMigrates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crm.db")
	s, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	pending, err := s.PendingMigrations(ctx)
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending after open: %v, %v", pending, err)
	}
	c := &steward.Customer{Record: steward.Record{FirstName: "Reza"}}
	if err := s.CreateCustomer(ctx, c, steward.Meta{Actor: "t", Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Reopening keeps the data and applies nothing.
	s2, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, err := s2.Customer(ctx, c.ID); err != nil || got.Record.FirstName != "Reza" {
		t.Fatalf("after reopening: %v, %v", got, err)
	}
}

func TestOpenPostgresDoesNotMigrate(t *testing.T) {
	ctx := context.Background()
	_, schema := storetest.PostgresEmpty(t)
	url := storetest.PostgresURL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	s, err := store.Open(ctx, url+sep+"search_path="+schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pending, err := s.PendingMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) == 0 {
		t.Fatal("Open migrated a PostgreSQL database")
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if pending, _ := s.PendingMigrations(ctx); len(pending) != 0 {
		t.Errorf("pending after Migrate: %v", pending)
	}
}
