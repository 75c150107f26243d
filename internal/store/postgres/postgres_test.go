package postgres_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/postgres"
	"github.com/steward-crm/steward/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.PostgresURL(t)
	storetest.Run(t, storetest.PostgresDatabase)
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.PostgresEmpty(t)
	pending, err := s.PendingMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) == 0 {
		t.Fatal("an empty schema has no pending migrations")
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(pending) {
		t.Errorf("applied %v, pending were %v", applied, pending)
	}
	if pending, err = s.PendingMigrations(ctx); err != nil || len(pending) != 0 {
		t.Errorf("after migrating: pending %v, %v", pending, err)
	}
	if applied, err = s.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Errorf("second migration applied %v, %v", applied, err)
	}
}

// TestGenerationReopen checks that a database keeps its id and counter
// when opened again, and that a database made before migration 0002 gets
// an id when it is migrated.
func TestGenerationReopen(t *testing.T) {
	ctx := context.Background()
	s, schema := storetest.PostgresEmpty(t)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCustomer(ctx, &steward.Customer{Record: steward.Record{FirstName: "Reza"}}, steward.Meta{Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	before, err := s.CustomerGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	again, err := postgres.OpenConfig(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if after, err := again.CustomerGeneration(ctx); err != nil || after != before || after.N != 1 {
		t.Errorf("opened again: %+v, %v; want %+v with N 1", after, err, before)
	}

	// Undo migration 0002 as if the database predated it.
	conn, err := pgx.Connect(ctx, storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SET search_path = `+schema+`;
		DROP TABLE customer_generation;
		DELETE FROM schema_migrations WHERE version = '0002_customer_generation.sql'`); err != nil {
		t.Fatal(err)
	}
	if pending, err := again.PendingMigrations(ctx); err != nil || !slices.Equal(pending, []string{"0002_customer_generation.sql"}) {
		t.Fatalf("pending %v, %v; want 0002 only", pending, err)
	}
	if applied, err := again.Migrate(ctx); err != nil || len(applied) != 1 {
		t.Fatalf("migrating applied %v, %v", applied, err)
	}
	g, err := s.CustomerGeneration(ctx)
	if err != nil || len(g.Database) != 32 || g.Database == before.Database || g.N != 0 {
		t.Errorf("an old database migrated: %+v, %v; want a new 32-digit id and N 0", g, err)
	}
}

func BenchmarkCreateCustomers(b *testing.B) {
	storetest.PostgresURL(b)
	for _, batch := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			storetest.BenchmarkCreateCustomers(b, storetest.Postgres(b), batch)
		})
	}
}

// BenchmarkImport measures what the import gate asks of the store, in
// batches of 500, into a database of STEWARD_BENCH_CUSTOMERS customers
// (100,000 unless set; the gate's target is 1,000,000): new customers, and
// duplicate suggestions (into 100,000 stored ones) with UpsertSuggestions
// or one UpsertSuggestion at a time. New customers are created one batch
// per transaction, 20 batches per transaction, or 200 (100,000 customers:
// the import gate makes one transaction per import). cpu-µs/row is this
// process's CPU only, not the server's. An iteration is one transaction,
// so run it on purpose with a count, e.g. -bench 'Import/.*per-tx=1$'
// -benchtime 200x.
func BenchmarkImport(b *testing.B) {
	storetest.PostgresURL(b)
	n := storetest.BenchDatabaseSize(b)
	for _, perTx := range []int{1, 20, 200} {
		b.Run(fmt.Sprintf("op=CreateCustomers/db=%d/batches-per-tx=%d", n, perTx), func(b *testing.B) {
			s := storetest.Postgres(b)
			storetest.FillCustomers(b, s, n)
			storetest.BenchmarkImportCustomers(b, s, perTx)
		})
	}
	b.Run("op=UpsertSuggestions", func(b *testing.B) {
		storetest.BenchmarkUpsertSuggestions(b, storetest.Postgres(b), 100000, false)
	})
	b.Run("op=UpsertSuggestion", func(b *testing.B) {
		storetest.BenchmarkUpsertSuggestions(b, storetest.Postgres(b), 100000, true)
	})
}

func BenchmarkEachCustomer(b *testing.B) {
	storetest.PostgresURL(b)
	const n = 100000
	s := storetest.Postgres(b)
	storetest.FillCustomers(b, s, n)
	storetest.BenchmarkEachCustomer(b, s, n)
}

func BenchmarkUpdateCustomers(b *testing.B) {
	storetest.PostgresURL(b)
	for _, inTx := range []bool{true, false} {
		b.Run(fmt.Sprintf("tx=%v", inTx), func(b *testing.B) {
			storetest.BenchmarkUpdateCustomers(b, storetest.Postgres(b), 5000, inTx)
		})
	}
}

func BenchmarkSuggestionsPage(b *testing.B) {
	storetest.PostgresURL(b)
	storetest.BenchmarkSuggestionsPage(b, storetest.Postgres(b), 20000)
}

// BenchmarkGateImport measures one import of 100,000 rows as the import
// gate writes it (see storetest.BenchmarkGateImport) into a database of
// STEWARD_BENCH_CUSTOMERS customers (100,000 unless set).
func BenchmarkGateImport(b *testing.B) {
	storetest.PostgresURL(b)
	n := storetest.BenchDatabaseSize(b)
	for _, allOrNothing := range []bool{false, true} {
		b.Run(storetest.GateImportName(n, allOrNothing), func(b *testing.B) {
			s := storetest.Postgres(b)
			storetest.FillCustomers(b, s, n)
			storetest.BenchmarkGateImport(b, s, int64(n), allOrNothing)
		})
	}
}

// TestExclusiveLock checks what steward.Exclusive takes on PostgreSQL: the
// transaction-level advisory lock on the FNV-1a hash of the name, which
// every process and version of steward computes alike, held until the
// transaction ends; a transaction with another name does not wait for it.
func TestExclusiveLock(t *testing.T) {
	db := storetest.PostgresDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Advisory locks are the database's, shared by every test's schema.
	name := fmt.Sprintf("test-%d", time.Now().UnixNano())
	h := fnv.New64a()
	h.Write([]byte(name))
	key := int64(h.Sum64())
	conn, err := pgx.Connect(ctx, storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	free := func() bool {
		t.Helper()
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, key).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}

	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.Store.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
			close(held)
			<-release
			return nil
		}, steward.Exclusive(name))
	}()
	<-held
	if free() {
		t.Errorf("the advisory lock on FNV-1a(%q) is free while an Exclusive transaction holds it", name)
	}
	other := db.OpenAgain(t)
	if err := other.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		return tx.CreateCustomer(ctx, &steward.Customer{Record: steward.Record{FirstName: "Other"}}, steward.Meta{Actor: "t"})
	}, steward.Exclusive(name+"-other")); err != nil {
		t.Errorf("a transaction with another lock: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !free() {
		t.Error("the advisory lock is still held after the transaction ended")
	}
}
