package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store"
)

// dbFlagUsage is the --db flag's help, shared by every database subcommand.
const dbFlagUsage = "database: an SQLite file path or a postgres:// URL (default $STEWARD_DB, else " + store.DefaultPath + ")"

// dbFlag adds the --db flag to fs. Its value "" means: $STEWARD_DB, else
// ./steward.db (openStore resolves it).
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "", dbFlagUsage)
}

// dbDSN resolves the database a command works on: the --db value, else
// $STEWARD_DB, else ./steward.db.
func dbDSN(env *Env, dsn string) string {
	if dsn != "" {
		return dsn
	}
	if v := env.Getenv("STEWARD_DB"); v != "" {
		return v
	}
	return store.DefaultPath
}

// openStore opens the database for a subcommand (dsn as dbDSN resolves
// it). An SQLite file is created and migrated on open. A PostgreSQL
// database must already be migrated by "steward migrate": it is shared by
// every instance, so no ordinary command changes its schema behind the
// operator's back; a database that lacks migrations is ECONFLICT with the
// command to run.
func openStore(ctx context.Context, env *Env, dsn string) (store.Store, error) {
	dsn = dbDSN(env, dsn)
	if store.KindOf(dsn) == store.SQLite {
		if err := precreate(env, store.SQLitePath(dsn)); err != nil {
			return nil, err
		}
	}
	s, err := store.Open(ctx, dsn, envLogger(env))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", store.Redact(dsn), err)
	}
	if store.KindOf(dsn) != store.Postgres {
		return s, nil
	}
	pending, err := s.PendingMigrations(ctx)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("check database %s: %w", store.Redact(dsn), err)
	}
	if len(pending) > 0 {
		s.Close()
		return nil, steward.Errorf(steward.ECONFLICT,
			"The database %s lacks %d migration(s) (%s). Run 'steward migrate --db %s' first.",
			store.Redact(dsn), len(pending), strings.Join(pending, ", "), store.Redact(dsn))
	}
	return s, nil
}

// envLogger returns env's logger, or one that discards when a test built
// env without one.
func envLogger(env *Env) *slog.Logger {
	if env.Logger != nil {
		return env.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// indexCacheUsage is the --index-cache flag's help.
const indexCacheUsage = "file that keeps the duplicate index between imports, or off (default: DB.index beside an SQLite file; for PostgreSQL, in the user's cache directory)"

// indexCachePath resolves the duplicate index cache of the database dsn
// (as dbDSN resolves it): flag's value when given ("off" turns the cache
// off), else the database file's path with ".index" added for SQLite, else
// a file in the user's cache directory named after the database's address.
func indexCachePath(env *Env, dsn, flag string) string {
	switch flag {
	case "off":
		return ""
	case "":
	default:
		return flag
	}
	dsn = dbDSN(env, dsn)
	if store.KindOf(dsn) != store.Postgres {
		return strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:") + ".index"
	}
	dir := env.Getenv("XDG_CACHE_HOME")
	if dir == "" {
		home := env.Getenv("HOME")
		if home == "" {
			var err error
			if home, err = os.UserHomeDir(); err != nil {
				return ""
			}
		}
		dir = filepath.Join(home, ".cache")
	}
	sum := sha256.Sum256([]byte(store.Redact(dsn)))
	return filepath.Join(dir, "steward", "index-"+hex.EncodeToString(sum[:8]))
}
