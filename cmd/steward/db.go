package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/store/sqlite"
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

// openMode says whether a command may create the database it opens.
type openMode int

const (
	// mustExist refuses a database that does not exist: a mistyped --db
	// must not silently make an empty one and report on it.
	mustExist openMode = iota
	// mayCreate creates an SQLite file that does not exist (import,
	// demo, migrate).
	mayCreate
)

// openStore opens the database for a subcommand (dsn as dbDSN resolves
// it). An SQLite file is created (mode mayCreate only; otherwise a missing
// file is ENOTFOUND) and migrated on open. A PostgreSQL database must
// already be migrated by "steward migrate": it is shared by every
// instance, so no ordinary command changes its schema behind the
// operator's back; one that lacks migrations, or cannot be reached, is
// EUNAVAILABLE with what to do.
func openStore(ctx context.Context, env *Env, dsn string, mode openMode) (store.Store, error) {
	return openStoreWith(ctx, env, dsn, mode)
}

// openStoreWith is openStore with options for an SQLite database (import's
// page cache under --memory-limit).
func openStoreWith(ctx context.Context, env *Env, dsn string, mode openMode, sqliteOpts ...sqlite.Option) (store.Store, error) {
	dsn = dbDSN(env, dsn)
	if store.KindOf(dsn) == store.SQLite {
		path := store.SQLitePath(dsn)
		if _, err := os.Stat(path); mode == mustExist && errors.Is(err, fs.ErrNotExist) {
			return nil, steward.Errorf(steward.ENOTFOUND,
				"The database %s does not exist. Name an existing one with --db or $STEWARD_DB, or create it: 'steward migrate --db %s' (an import creates it too).", path, path)
		}
		if err := precreate(env, path); err != nil {
			return nil, err
		}
	}
	s, err := store.OpenWith(ctx, dsn, envLogger(env), sqliteOpts...)
	if err != nil {
		if store.KindOf(dsn) == store.Postgres {
			return nil, unavailable(dsn, err)
		}
		return nil, fmt.Errorf("open database %s: %w", store.Redact(dsn), err)
	}
	if store.KindOf(dsn) != store.Postgres {
		return s, nil
	}
	pending, err := s.PendingMigrations(ctx)
	if err != nil {
		s.Close()
		return nil, unavailable(dsn, err)
	}
	if len(pending) > 0 {
		s.Close()
		return nil, steward.Errorf(steward.EUNAVAILABLE,
			"The database %s lacks %d migration(s) (%s). Run 'steward migrate --db %s' first.",
			store.Redact(dsn), len(pending), strings.Join(pending, ", "), store.Redact(dsn))
	}
	return s, nil
}

// unavailableError is EUNAVAILABLE for a PostgreSQL database that could
// not be opened, keeping the driver's error for the operator (who reads
// the whole chain on stderr) behind a message that names the database
// without its password.
type unavailableError struct {
	user *steward.Error
	err  error
}

func (e *unavailableError) Error() string   { return e.user.Message }
func (e *unavailableError) Unwrap() []error { return []error{e.user, e.err} }

func unavailable(dsn string, err error) error {
	return &unavailableError{
		user: steward.Errorf(steward.EUNAVAILABLE, "The database %s cannot be used: %v.", store.Redact(dsn), err),
		err:  err,
	}
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
