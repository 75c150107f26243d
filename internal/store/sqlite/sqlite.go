package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/allornothing"
	"github.com/steward-crm/steward/internal/store/migration"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is a steward.Store on one SQLite database file. It is safe for
// concurrent use; Close it when done.
type Store struct {
	*pools
	// bound is the transaction of the Atomic call this Store was handed
	// to; nil for the Store that Open returns.
	bound *txState
}

// pools are the connections to one file, shared by a Store and the
// transaction-bound Stores that Atomic hands out.
type pools struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	logger *slog.Logger
	now    func() time.Time
	// Hot statements, prepared once: on the writer connection (for use
	// inside transactions through txState.use) and on the readers.
	writerStmts, readerStmts map[string]*sql.Stmt
}

// preparedQueries are the reads a nightly job or an import runs per
// customer, prepared once on the writer and on every reader.
var preparedQueries = []string{queryCustomerByID}

// writerQueries are prepared once on the writer only: they run inside a
// write transaction (through prepared), never on the readers. Preparing an
// update once instead of per call halves it.
var writerQueries = []string{queryUpdateCustomer, queryInsertChange,
	queryLastSuggestionID, querySuggestionByKey, queryInsertSuggestions,
	queryInsertSuggestion, queryUpdateSuggestion,
	queryLastCustomerID, queryInsertCustomers, queryInsertSourceRefs, queryInsertSourceRef}

var _ steward.Store = (*Store)(nil)

// writerPragmas tune the one writer connection for imports into a large
// database, where every new customer inserts at random places in several
// indexes (measured with BenchmarkImport, 1,000,000 customers). A
// connection applies the first of two settings of a pragma, so these are
// not repeated in the common ones.
//
//   - A page cache that takes up to 1 GiB of memory (DefaultCacheSize,
//     or CacheSize; set before these; SQLite counts half of it, see
//     pageCost): with the default 32 MiB most index pages are read
//     from the file again on every batch.
//   - A checkpoint every 65,536 WAL pages (256 MiB) instead of 1,000, so
//     that a page written by many transactions is copied back once;
//     journal_size_limit gives the file back after a checkpoint.
//   - temp_store(file): the journal of a savepoint (every store call inside
//     Atomic) then spills to a temporary file; kept in memory, the driver's
//     allocator spent more time freeing it than everything else together.
const writerPragmas = "&_pragma=wal_autocheckpoint(65536)" +
	"&_pragma=journal_size_limit(67108864)&_pragma=temp_store(file)"

// readerPragmas tune the read-only connections: a page cache SQLite counts
// as 32 MiB each (about 64 MiB of memory, see pageCost),
// temporary tables (sorting) in memory.
const readerPragmas = "&_pragma=cache_size(-32768)&_pragma=temp_store(memory)"

// DefaultBusyTimeout is how long a write waits for another process's
// write transaction on the same file before it fails with ECONFLICT,
// unless Open is given BusyTimeout.
const DefaultBusyTimeout = 10 * time.Second

// Option changes how Open opens a database.
type Option func(*options) error

type options struct {
	busyTimeout time.Duration
	// cacheKiB is the writer's page cache in KiB (CacheSize).
	cacheKiB int64
}

// BusyTimeout sets how long a write waits for another process's write
// transaction on the same file (SQLite's busy timeout) before it fails
// with ECONFLICT; DefaultBusyTimeout when not given. 0 fails at once; a
// negative timeout is EINVALID. In one process writes queue for the one
// writer connection instead, for as long as their context allows.
func BusyTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return steward.Errorf(steward.EINVALID, "An SQLite busy timeout cannot be negative (%v).", d)
		}
		o.busyTimeout = d
		return nil
	}
}

// Open opens (creating if needed) the SQLite database at path, which must
// be a file path, and applies missing migrations. logger may be nil.
func Open(ctx context.Context, path string, logger *slog.Logger, opts ...Option) (*Store, error) {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "sqlite://"), "file:")
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.ContainsRune(path, '?') {
		return nil, steward.Errorf(steward.EINVALID, "An SQLite database must be a plain file path such as ./steward.db (no :memory:, no options after ?), not %q.", path)
	}
	o := options{busyTimeout: DefaultBusyTimeout, cacheKiB: cacheKiB(DefaultCacheSize)}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// SQLite counts the timeout in whole milliseconds; a shorter one than
	// that still waits a little rather than not at all.
	busy := o.busyTimeout.Milliseconds()
	if busy == 0 && o.busyTimeout > 0 {
		busy = 1
	}
	common := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", busy)
	writer, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&"+
		common+fmt.Sprintf("&_pragma=cache_size(-%d)", o.cacheKiB)+writerPragmas)
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&"+common+readerPragmas)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open sqlite reader: %w", err)
	}
	reader.SetMaxOpenConns(4)
	reader.SetMaxIdleConns(4)
	s := &Store{pools: &pools{
		path:   path,
		writer: writer,
		reader: reader,
		logger: logger,
		now:    func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// Prepared after migrating, while no transaction holds the writer.
	s.writerStmts = make(map[string]*sql.Stmt)
	s.readerStmts = make(map[string]*sql.Stmt)
	for _, q := range preparedQueries {
		w, err := writer.PrepareContext(ctx, q)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		s.writerStmts[q] = w
		r, err := reader.PrepareContext(ctx, q)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		s.readerStmts[q] = r
	}
	for _, q := range writerQueries {
		w, err := writer.PrepareContext(ctx, q)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		s.writerStmts[q] = w
	}
	return s, nil
}

// Close closes the database. Calling it on a Store handed to an Atomic
// function is an error.
func (s *Store) Close() error {
	if s.bound != nil {
		return errors.New("close sqlite store: a transaction's store cannot be closed")
	}
	var errs []error
	for _, st := range s.writerStmts {
		errs = append(errs, st.Close())
	}
	for _, st := range s.readerStmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, s.reader.Close(), s.writer.Close())...)
}

// Migrate applies the embedded migrations that are not recorded in
// schema_migrations yet, in one transaction, and returns their names.
// Migrating an up-to-date database does nothing.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	names, err := migration.Names(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var applied []string
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    TEXT PRIMARY KEY,
			applied_at TEXT NOT NULL
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
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("apply migration %s: %w", name, err)
			}
			if strings.Contains(string(body), "writable_schema") {
				// The schema's text changed underneath SQLite: a new
				// schema version makes every connection read it again.
				var v int64
				if err := tx.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&v); err != nil {
					return fmt.Errorf("migration %s: %w", name, err)
				}
				if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA schema_version = %d`, v+1)); err != nil {
					return fmt.Errorf("migration %s: %w", name, err)
				}
				var ok string
				if err := tx.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&ok); err != nil || ok != "ok" {
					return fmt.Errorf("migration %s: the database fails its check afterwards: %s %v", name, ok, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				name, formatTime(s.now())); err != nil {
				return fmt.Errorf("record migration %s: %w", name, err)
			}
			applied = append(applied, name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, name := range applied {
		s.logger.Info("applied migration", "database", s.path, "migration", name)
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
	var exists int
	if err := s.reader.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("look for schema_migrations: %w", err)
	}
	if exists == 0 {
		return names, nil
	}
	done, err := appliedMigrations(ctx, s.reader)
	if err != nil {
		return nil, err
	}
	return migration.Pending(names, done), nil
}

func appliedMigrations(ctx context.Context, q querier) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	done := make(map[string]bool)
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		done[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return done, nil
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// txState is one open write transaction, its savepoint counter and the
// prepared statements it has taken into use.
type txState struct {
	tx         *sql.Tx
	savepoints int
	stmts      map[*sql.Stmt]*sql.Stmt
	// wroteCustomers is set by every write to the customers table, in the
	// transaction or any of its savepoints (even one rolled back later):
	// the commit then bumps the customers' generation.
	wroteCustomers bool
	// aon is on in a transaction begun with steward.AllOrNothing: writes
	// make no savepoints, and the first that fails dooms the transaction.
	aon allornothing.State
}

// use returns the transaction's version of a statement prepared on the
// writer. database/sql keeps every such version until the transaction
// ends, so each is made once per transaction, not once per call.
func (t *txState) use(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	if ts, ok := t.stmts[st]; ok {
		return ts
	}
	if t.stmts == nil {
		t.stmts = make(map[*sql.Stmt]*sql.Stmt)
	}
	ts := t.tx.StmtContext(ctx, st)
	t.stmts[st] = ts
	return ts
}

// prepared returns the prepared form of query (one of preparedQueries, or
// of writerQueries inside a transaction) where a call with ctx runs: in the
// joined transaction, or on the readers.
func (s *Store) prepared(ctx context.Context, query string) *sql.Stmt {
	if t := s.txOf(ctx); t != nil {
		return t.use(ctx, s.writerStmts[query])
	}
	return s.readerStmts[query]
}

// txKey carries a Store's open transaction in a context; the pools pointer
// keeps two databases' transactions apart.
type txKey struct{ p *pools }

// txOf returns the transaction a call with ctx joins, or nil.
func (s *Store) txOf(ctx context.Context) *txState {
	if s.bound != nil {
		return s.bound
	}
	t, _ := ctx.Value(txKey{s.pools}).(*txState)
	return t
}

// read returns where a read with ctx runs: the joined transaction, or the
// read-only pool.
func (s *Store) read(ctx context.Context) querier {
	if t := s.txOf(ctx); t != nil {
		return t.tx
	}
	return s.reader
}

// write runs fn in a transaction: a new one on the writer connection, or a
// savepoint in the transaction ctx (or s) joins, so that fn's writes are
// all-or-nothing either way and a failure leaves the outer transaction
// usable; in an all-or-nothing transaction, no savepoint, and a failure
// dooms it.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.transact(ctx, steward.TxOptions{}, fn)
}

// transact is write with the options of a new transaction, which a joined
// one ignores (Atomic refuses them there). Every transaction begins with
// BEGIN IMMEDIATE, taking the database's write lock at once, so a
// transaction's locks (steward.Exclusive) need nothing more: it already
// serializes with every other writer, in this process (one writer
// connection) and in others (the busy timeout).
func (s *Store) transact(ctx context.Context, o steward.TxOptions, fn func(ctx context.Context, tx *sql.Tx) error) (err error) {
	if t := s.txOf(ctx); t != nil && t.aon.On() {
		return t.aon.Run(func() error { return fn(context.WithValue(ctx, txKey{s.pools}, t), t.tx) })
	}
	if t := s.txOf(ctx); t != nil {
		t.savepoints++
		name := fmt.Sprintf("steward_sp%d", t.savepoints)
		if _, err := t.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
		ctx = context.WithValue(ctx, txKey{s.pools}, t)
		done := false
		defer func() {
			if done {
				return
			}
			// fn failed or panicked: undo its writes, keep the outer ones.
			bg := context.WithoutCancel(ctx)
			_, rerr := t.tx.ExecContext(bg, "ROLLBACK TO "+name)
			_, lerr := t.tx.ExecContext(bg, "RELEASE "+name)
			if rerr != nil || lerr != nil {
				err = errors.Join(err, fmt.Errorf("roll back savepoint: %w", errors.Join(rerr, lerr)))
			}
		}()
		if err := fn(ctx, t.tx); err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(ctx, "RELEASE "+name); err != nil {
			return fmt.Errorf("release savepoint: %w", err)
		}
		done = true
		return nil
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if isBusy(err) {
		return steward.Errorf(steward.ECONFLICT, "The database is busy with another writer (an import?); try again when it is done.")
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	t := &txState{tx: tx}
	if o.AllOrNothing {
		t.aon.Start()
	}
	if err := fn(context.WithValue(ctx, txKey{s.pools}, t), tx); err != nil {
		return err
	}
	if err := t.aon.Err(); err != nil {
		return err
	}
	if t.wroteCustomers {
		if err := bumpGeneration(ctx, tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// rowByRow reports whether writes with ctx insert one row per statement
// into tables whose indexes take new rows at random places: in an
// all-or-nothing transaction. There no savepoint journals the pages a call
// changes, and a single-row INSERT needs no statement journal either,
// whereas a multi-row one first copies every page it is about to change
// to the statement journal (a temporary file), at a write system call
// each, in case it must roll back halfway.
func (s *Store) rowByRow(ctx context.Context) bool {
	t := s.txOf(ctx)
	return t != nil && t.aon.On()
}

// Atomic implements steward.Store.
func (s *Store) Atomic(ctx context.Context, fn func(ctx context.Context, s steward.Store) error, opts ...steward.TxOption) error {
	o, err := steward.NewTxOptions(opts, s.txOf(ctx) != nil)
	if err != nil {
		return err
	}
	return s.transact(ctx, o, func(ctx context.Context, _ *sql.Tx) error {
		return fn(ctx, &Store{pools: s.pools, bound: s.txOf(ctx)})
	})
}

// timeFormat is how times are stored: UTC, microseconds, fixed width, so
// that text order is time order.
const timeFormat = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string {
	return t.UTC().Format(timeFormat)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t, nil
}

func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// constraint reports whether err is an SQLite constraint failure with one
// of the extended codes.
func constraint(err error, codes ...int) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return slices.Contains(codes, e.Code())
}

func isUnique(err error) bool {
	return constraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

func isForeignKey(err error) bool {
	return constraint(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY)
}

// isBusy reports whether err is SQLITE_BUSY (any extended code): another
// process held the write lock for longer than the busy timeout.
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
