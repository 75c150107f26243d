package store

import (
	"context"
	"log/slog"
	"regexp"
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
// postgresql:// URLs and for libpq's keyword/value connection strings
// ("host=db dbname=crm user=steward"), SQLite otherwise (a file name).
func KindOf(dsn string) Kind {
	l := strings.ToLower(strings.TrimSpace(dsn))
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") || isKeywordValue(dsn) {
		return Postgres
	}
	return SQLite
}

// pgKeywords are the connection keywords of libpq that identify a
// keyword/value connection string.
var pgKeywords = map[string]bool{"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true,
	"password": true, "sslmode": true, "service": true, "connect_timeout": true, "application_name": true,
	"search_path": true, "sslrootcert": true, "sslcert": true, "sslkey": true, "sslpassword": true, "target_session_attrs": true}

// isKeywordValue reports whether dsn is a libpq keyword/value string: it
// starts with one of pgKeywords and "=".
func isKeywordValue(dsn string) bool {
	k, _, ok := strings.Cut(strings.TrimSpace(dsn), "=")
	return ok && pgKeywords[strings.ToLower(strings.TrimSpace(k))]
}

// secretRE finds the values of the secret keywords of a keyword/value
// string or of a URL's query: password and sslpassword, quoted or not.
var secretRE = regexp.MustCompile(`(?i)((?:^|[\s&?])(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)`)

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

// SQLitePath returns the file an SQLite dsn names: dsn without a sqlite://
// or file: prefix and without a query.
func SQLitePath(dsn string) string {
	if dsn == "" {
		dsn = DefaultPath
	}
	p := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
	p, _, _ = strings.Cut(p, "?")
	return p
}

// Redact returns dsn with every secret replaced by "xxxxx", for logs and
// messages: the password of a URL's user, password= and sslpassword= in
// its query, and the same keywords of a keyword/value string.
func Redact(dsn string) string {
	if KindOf(dsn) != Postgres {
		return dsn
	}
	out := secretRE.ReplaceAllString(dsn, "${1}xxxxx")
	scheme, rest, ok := strings.Cut(out, "://")
	if !ok {
		return out
	}
	at := strings.LastIndex(rest, "@")
	if slash := strings.IndexAny(rest, "/?"); at < 0 || (slash >= 0 && slash < at) {
		return out
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return out
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
