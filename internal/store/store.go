package store

import (
	"context"
	"log/slog"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/postgres"
	"github.com/steward-crm/steward/internal/store/sqlite"
)

// DefaultPath is the SQLite database used when no DSN is given.
const DefaultPath = "./steward.db"

// Store is a steward.Store that can be migrated and closed.
type Store interface {
	steward.Store
	// Migrate applies the embedded migrations the database lacks and
	// returns their names; nothing when it is up to date.
	Migrate(ctx context.Context) ([]string, error)
	// PendingMigrations returns the names of the migrations not applied.
	PendingMigrations(ctx context.Context) ([]string, error)
	// Close releases the database.
	Close() error
}

// Kind names the backend a DSN selects.
type Kind string

// Backends.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// KindOf returns the backend dsn selects: PostgreSQL for postgres:// and
// postgresql:// URLs, SQLite otherwise.
func KindOf(dsn string) Kind {
	l := strings.ToLower(dsn)
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Open opens the database dsn names ("" means DefaultPath). An SQLite
// database is created if missing and migrated on open: it belongs to this
// process. A PostgreSQL database is opened as it is; it is shared by many
// instances, so its schema changes only when an operator runs Migrate
// ("steward migrate"). logger may be nil.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (Store, error) {
	if dsn == "" {
		dsn = DefaultPath
	}
	if KindOf(dsn) == Postgres {
		s, err := postgres.Open(ctx, dsn, logger)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, dsn, logger)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Redact returns dsn with any password replaced by "xxxxx", for logs and
// messages.
func Redact(dsn string) string {
	if KindOf(dsn) != Postgres {
		return dsn
	}
	scheme, rest, _ := strings.Cut(dsn, "://")
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return dsn
	}
	userinfo := rest[:at]
	user, _, hasPassword := strings.Cut(userinfo, ":")
	if !hasPassword {
		return dsn
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
