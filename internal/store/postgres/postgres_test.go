package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.PostgresURL(t)
	storetest.Run(t, func(t *testing.T) steward.Store { return storetest.Postgres(t) })
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

func BenchmarkCreateCustomers(b *testing.B) {
	storetest.PostgresURL(b)
	for _, batch := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			storetest.BenchmarkCreateCustomers(b, storetest.Postgres(b), batch)
		})
	}
}

// BenchmarkCreateCustomersInto measures 10,000-row batches into a database
// that already holds db customers (the import gate's target is a database
// of 1,000,000). Filling takes a while; run it on purpose, e.g.
// -bench CreateCustomersInto/db=1000000 -benchtime 10x.
func BenchmarkCreateCustomersInto(b *testing.B) {
	storetest.PostgresURL(b)
	for _, n := range []int{100000, 1000000} {
		b.Run(fmt.Sprintf("db=%d", n), func(b *testing.B) {
			s := storetest.Postgres(b)
			storetest.FillCustomers(b, s, n)
			storetest.BenchmarkCreateCustomers(b, s, 10000)
		})
	}
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
