package main

import (
	"context"
	"fmt"

	"github.com/steward-crm/steward/internal/store"
)

const migrateUsage = `[--db PATH|URL]

Applies the database migrations that the database lacks; a database that
is up to date is left as it is, so running it twice is harmless. The
database is --db, else $STEWARD_DB, else ./steward.db.

An SQLite database is also migrated whenever a command opens it; a
PostgreSQL database only by this command, which every steward instance
sharing it must wait for after an upgrade.`

// runMigrate implements "steward migrate".
func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "migrate", migrateUsage)
	db := dbFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("name the database with --db", "unexpected argument %q", fs.Arg(0))
	}
	dsn := dbDSN(env, *db)
	if store.KindOf(dsn) == store.SQLite {
		if err := precreate(env, store.SQLitePath(dsn)); err != nil {
			return err
		}
	}
	s, err := store.Open(ctx, dsn, envLogger(env))
	if err != nil {
		if store.KindOf(dsn) == store.Postgres {
			return unavailable(dsn, err)
		}
		return fmt.Errorf("open database %s: %w", store.Redact(dsn), err)
	}
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", store.Redact(dsn), err)
	}
	for _, name := range applied {
		fmt.Fprintf(env.Stdout, "applied %s\n", name)
	}
	fmt.Fprintf(env.Stdout, "%s is up to date\n", store.Redact(dsn))
	return nil
}
