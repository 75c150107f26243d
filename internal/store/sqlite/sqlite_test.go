package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/sqlite"
	"github.com/steward-crm/steward/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) steward.Store { return storetest.SQLite(t) })
}

func BenchmarkCreateCustomers(b *testing.B) {
	for _, batch := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			storetest.BenchmarkCreateCustomers(b, storetest.SQLite(b), batch)
		})
	}
}

// TestAnotherWriter opens the file twice, as two processes would: a write
// waits for the other's transaction up to the busy timeout, then fails
// with ECONFLICT rather than an internal error; reads go on meanwhile.
func TestAnotherWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 10 s busy timeout")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m := steward.Meta{Actor: "t", Cause: "test"}
	first := &steward.Customer{Record: steward.Record{FirstName: "First"}}
	if err := b.CreateCustomer(ctx, first, m); err != nil {
		t.Fatal(err)
	}
	err = a.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := tx.CreateCustomer(ctx, &steward.Customer{Record: steward.Record{FirstName: "Importing"}}, m); err != nil {
			return err
		}
		if got, err := b.Customer(ctx, first.ID); err != nil || got.Record.FirstName != "First" {
			t.Errorf("read during another's write: %v, %v", got, err)
		}
		start := time.Now()
		err := b.CreateCustomer(context.Background(), &steward.Customer{Record: steward.Record{FirstName: "Blocked"}}, m)
		if steward.ErrorCode(err) != steward.ECONFLICT {
			t.Errorf("write during another's transaction: %v, want ECONFLICT", err)
		}
		if waited := time.Since(start); waited < 5*time.Second {
			t.Errorf("gave up after %v, before the busy timeout", waited)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := b.CountCustomers(ctx, ""); err != nil || n != 2 {
		t.Errorf("count = %d, %v; want 2", n, err)
	}
}

// BenchmarkCreateCustomersInto measures 10,000-row batches into a database
// that already holds db customers (the import gate's target is a database
// of 1,000,000). Filling takes a while; run it on purpose, e.g.
// -bench CreateCustomersInto/db=1000000 -benchtime 10x.
func BenchmarkCreateCustomersInto(b *testing.B) {
	for _, n := range []int{100000, 1000000} {
		b.Run(fmt.Sprintf("db=%d", n), func(b *testing.B) {
			s := storetest.SQLite(b)
			storetest.FillCustomers(b, s, n)
			storetest.BenchmarkCreateCustomers(b, s, 10000)
		})
	}
}

func BenchmarkEachCustomer(b *testing.B) {
	const n = 100000
	s := storetest.SQLite(b)
	storetest.FillCustomers(b, s, n)
	storetest.BenchmarkEachCustomer(b, s, n)
}

func BenchmarkUpdateCustomers(b *testing.B) {
	for _, inTx := range []bool{true, false} {
		b.Run(fmt.Sprintf("tx=%v", inTx), func(b *testing.B) {
			storetest.BenchmarkUpdateCustomers(b, storetest.SQLite(b), 5000, inTx)
		})
	}
}

func BenchmarkSuggestionsPage(b *testing.B) {
	storetest.BenchmarkSuggestionsPage(b, storetest.SQLite(b), 100000)
}

func TestOpenRefusesMemory(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:?cache=shared", "x.db?_pragma=foo"} {
		if _, err := sqlite.Open(context.Background(), path, nil); steward.ErrorCode(err) != steward.EINVALID {
			t.Errorf("Open(%q) = %v, want EINVALID", path, err)
		}
	}
	path := filepath.Join(t.TempDir(), "plain.db")
	s, err := sqlite.Open(context.Background(), "file:"+path, nil)
	if err != nil {
		t.Fatalf("Open(file:%s): %v", path, err)
	}
	s.Close()
}
