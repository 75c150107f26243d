package postgres

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// River's tables (the job queue the scheduler shares between instances,
// see internal/riverjobs) are created and upgraded by River's own
// migrator, after steward's migrations: River applies each of its versions
// in a transaction of its own (some add enum values, which PostgreSQL
// does not let one transaction use), so an interrupted migration leaves
// the versions before it applied and is finished by the next. They live in
// the same schema as steward's tables (the connection's search_path).

// riverMigrator returns River's migrator, which logs nothing (steward
// logs what it applied).
func riverMigrator(driver *riverpgxv5.Driver) (*rivermigrate.Migrator[pgx.Tx], error) {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("river migrator: %w", err)
	}
	return m, nil
}

// migrateRiver applies River's migrations the database lacks and returns
// their names ("river 006 bulk_unique" and so on).
func (s *Store) migrateRiver(ctx context.Context) ([]string, error) {
	m, err := riverMigrator(riverpgxv5.New(s.db))
	if err != nil {
		return nil, err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("apply river migrations: %w", err)
	}
	names := make([]string, 0, len(res.Versions))
	for _, v := range res.Versions {
		names = append(names, riverName(v.Version, v.Name))
	}
	return names, nil
}

// pendingRiver returns the names of River's migrations the database
// lacks, named as migrateRiver names them.
func (s *Store) pendingRiver(ctx context.Context) ([]string, error) {
	m, err := riverMigrator(riverpgxv5.New(s.db))
	if err != nil {
		return nil, err
	}
	have, err := m.ExistingVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("read river migrations: %w", err)
	}
	done := make(map[int]bool, len(have))
	for _, v := range have {
		done[v.Version] = true
	}
	var out []string
	for _, v := range m.AllVersions() {
		if !done[v.Version] {
			out = append(out, riverName(v.Version, v.Name))
		}
	}
	return out, nil
}

func riverName(version int, name string) string {
	return fmt.Sprintf("river %03d %s", version, name)
}

// Pool returns the store's connection pool, for River's client (see
// internal/riverjobs), which keeps its tables beside steward's.
func (s *Store) Pool() *pgxpool.Pool { return s.db }
