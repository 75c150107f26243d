package store

import (
	"context"
	"log/slog"

	"github.com/steward-crm/steward/internal/store/sqlite"
)

// OpenWith is Open with options for an SQLite database (such as
// sqlite.CacheSize); a PostgreSQL database ignores them.
func OpenWith(ctx context.Context, dsn string, logger *slog.Logger, sqliteOpts ...sqlite.Option) (Store, error) {
	if len(sqliteOpts) == 0 || KindOf(dsn) == Postgres {
		return Open(ctx, dsn, logger)
	}
	if dsn == "" {
		dsn = DefaultPath
	}
	s, err := sqlite.Open(ctx, dsn, logger, sqliteOpts...)
	if err != nil {
		return nil, err
	}
	return s, nil
}
