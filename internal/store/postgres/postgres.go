package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/allornothing"
	"github.com/steward-crm/steward/internal/store/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock key that serializes migrations of one
// database across processes.
const migrationLock = 0x73746577617264 // "steward"

// Store is a steward.Store on a PostgreSQL database. It is safe for
// concurrent use; Close it when done.
type Store struct {
	*pool
	// bound is the transaction of the Atomic call this Store was handed
	// to; nil for the Store that Open returns.
	bound *txState
}

type pool struct {
	db     *pgxpool.Pool
	logger *slog.Logger
	now    func() time.Time
}

var _ steward.Store = (*Store)(nil)

// Open connects to the PostgreSQL database at dsn (a postgres:// URL or a
// keyword/value string). It does not migrate; see Migrate.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, steward.Errorf(steward.EINVALID, "The PostgreSQL address is not valid (%v); write it as postgres://user:password@host:5432/dbname.", err)
	}
	return OpenConfig(ctx, cfg, logger)
}

// OpenConfig is Open with a parsed pool configuration, e.g. one whose
// RuntimeParams set a search_path.
func OpenConfig(ctx context.Context, cfg *pgxpool.Config, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect postgres %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return &Store{pool: &pool{
		db:     db,
		logger: logger,
		now:    func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}}, nil
}

// Close closes the pool. Calling it on a Store handed to an Atomic
// function is an error.
func (s *Store) Close() error {
	if s.bound != nil {
		return errors.New("close postgres store: a transaction's store cannot be closed")
	}
	s.db.Close()
	return nil
}

// Migrate applies the embedded migrations that are not recorded in
// schema_migrations yet, in one transaction under an advisory lock, and
// returns their names. Migrating an up-to-date database does nothing.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	names, err := migration.Names(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var applied []string
	err = s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    text PRIMARY KEY,
			applied_at timestamptz NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		done, err := appliedMigrations(ctx, tx)
		if err != nil {
			return err
		}
		for _, name := range migration.Pending(names, done) {
			body, err := migrationFiles.ReadFile("migrations/" + name)
			if err != nil {
				return fmt.Errorf("read migration %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("apply migration %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
				name, s.now()); err != nil {
				return fmt.Errorf("record migration %s: %w", name, err)
			}
			applied = append(applied, name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	river, err := s.migrateRiver(ctx)
	applied = append(applied, river...)
	if err != nil {
		return applied, err
	}
	for _, name := range applied {
		s.logger.Info("applied migration", "migration", name)
	}
	return applied, nil
}

// PendingMigrations returns the names of the embedded migrations that the
// database has not applied.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	names, err := migration.Names(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var exists bool
	if err := s.db.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("look for schema_migrations: %w", err)
	}
	river, err := s.pendingRiver(ctx)
	if err != nil {
		return nil, err
	}
	if !exists {
		return append(names, river...), nil
	}
	done, err := appliedMigrations(ctx, s.db)
	if err != nil {
		return nil, err
	}
	return append(migration.Pending(names, done), river...), nil
}

func appliedMigrations(ctx context.Context, q querier) (map[string]bool, error) {
	rows, err := q.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	done := make(map[string]bool, len(versions))
	for _, v := range versions {
		done[v] = true
	}
	return done, nil
}

// querier is what both *pgxpool.Pool and pgx.Tx offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// txKey carries a Store's open transaction in a context; the pool pointer
// keeps two databases' transactions apart.
type txKey struct{ p *pool }

// txState is an open transaction, or a savepoint in one, and what the
// whole transaction shares.
type txState struct {
	tx  pgx.Tx
	top *txTop
}

// txTop is what a transaction and all its savepoints share.
type txTop struct {
	// wroteCustomers is set by every write to the customers table, in the
	// transaction or any of its savepoints (even one rolled back later):
	// the commit then bumps the customers' generation.
	wroteCustomers bool
	// aon is on in a transaction begun with steward.AllOrNothing: writes
	// make no savepoints, and the first that fails dooms the transaction.
	aon allornothing.State
}

// stateOf returns the transaction a call with ctx joins, or nil.
func (s *Store) stateOf(ctx context.Context) *txState {
	if s.bound != nil {
		return s.bound
	}
	t, _ := ctx.Value(txKey{s.pool}).(*txState)
	return t
}

// txOf returns the transaction a call with ctx joins, or nil.
func (s *Store) txOf(ctx context.Context) pgx.Tx {
	if t := s.stateOf(ctx); t != nil {
		return t.tx
	}
	return nil
}

// read returns where a read with ctx runs: the joined transaction, or the
// pool.
func (s *Store) read(ctx context.Context) querier {
	if tx := s.txOf(ctx); tx != nil {
		return tx
	}
	return s.db
}

// write runs fn in a transaction: a new one, or a savepoint in the
// transaction ctx (or s) joins, so that fn's writes are all-or-nothing
// either way and a failure leaves the outer transaction usable; in an
// all-or-nothing transaction, no savepoint, and a failure dooms it.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return s.transact(ctx, steward.TxOptions{}, fn)
}

// transact is write with the options of a new transaction, which a joined
// one ignores (Atomic refuses them there).
func (s *Store) transact(ctx context.Context, o steward.TxOptions, fn func(ctx context.Context, tx pgx.Tx) error) error {
	var (
		tx    pgx.Tx
		top   *txTop
		err   error
		outer = s.stateOf(ctx)
	)
	if outer != nil && outer.top.aon.On() {
		return outer.top.aon.Run(func() error {
			return fn(context.WithValue(ctx, txKey{s.pool}, outer), outer.tx)
		})
	}
	if outer != nil {
		tx, err = outer.tx.Begin(ctx)
		top = outer.top
	} else {
		tx, err = s.db.Begin(ctx)
		top = &txTop{}
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if outer == nil {
		if o.AllOrNothing {
			top.aon.Start()
		}
		// Taken before fn's first statement, which (read committed) then
		// sees all the lock's previous holder committed.
		for _, name := range o.Locks {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey(name)); err != nil {
				return fmt.Errorf("lock %s: %w", name, err)
			}
		}
	}
	if err := fn(context.WithValue(ctx, txKey{s.pool}, &txState{tx: tx, top: top}), tx); err != nil {
		return err
	}
	if err := top.aon.Err(); err != nil {
		return err
	}
	if outer == nil && top.wroteCustomers {
		// Last, so that the generation row stays locked only while
		// committing, not during a long import transaction.
		if _, err := tx.Exec(ctx, bumpGeneration); err != nil {
			return fmt.Errorf("bump customer generation: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// pipeline sends the statements fn queues in one round trip, atomically:
// as one implicit transaction, or inside a joined transaction between
// SAVEPOINT and RELEASE, so that a failure leaves that transaction usable
// (unless it is all-or-nothing: then a failure dooms it).
func (s *Store) pipeline(ctx context.Context, fn func(b *pgx.Batch)) error {
	b := &pgx.Batch{}
	t := s.stateOf(ctx)
	if t == nil {
		fn(b)
		return s.db.SendBatch(ctx, b).Close()
	}
	tx := t.tx
	if t.top.aon.On() {
		return t.top.aon.Run(func() error {
			fn(b)
			return tx.SendBatch(ctx, b).Close()
		})
	}
	b.Queue("SAVEPOINT steward_one")
	fn(b)
	b.Queue("RELEASE steward_one")
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		if ctx.Err() != nil {
			// Cancelled: pgx closed the connection, and the transaction
			// went with it; there is no savepoint left to roll back.
			return err
		}
		if _, rerr := tx.Exec(context.WithoutCancel(ctx), "ROLLBACK TO steward_one; RELEASE steward_one"); rerr != nil {
			return errors.Join(err, fmt.Errorf("roll back savepoint: %w", rerr))
		}
		return err
	}
	return nil
}

// one runs a single statement through pipeline. fn, when not nil, reads
// the statement's row (for RETURNING).
func (s *Store) one(ctx context.Context, fn func(pgx.Row) error, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := s.pipeline(ctx, func(b *pgx.Batch) {
		q := b.Queue(sql, args...)
		if fn != nil {
			q.QueryRow(fn)
			return
		}
		q.Exec(func(ct pgconn.CommandTag) error {
			tag = ct
			return nil
		})
	})
	return tag, err
}

// Atomic implements steward.Store.
func (s *Store) Atomic(ctx context.Context, fn func(ctx context.Context, s steward.Store) error, opts ...steward.TxOption) error {
	o, err := steward.NewTxOptions(opts, s.stateOf(ctx) != nil)
	if err != nil {
		return err
	}
	return lostRace(s.transact(ctx, o, func(ctx context.Context, tx pgx.Tx) error {
		return fn(ctx, &Store{pool: s.pool, bound: s.stateOf(ctx)})
	}))
}

// lockKey is the advisory lock key of a steward.Exclusive lock: the
// 64-bit FNV-1a hash of its name, the same in every process and version
// of steward.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// PostgreSQL error codes the store turns into steward errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

func pgCode(err error, code string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == code
}

func isUnique(err error) bool     { return pgCode(err, uniqueViolation) }
func isForeignKey(err error) bool { return pgCode(err, foreignKeyViolation) }
