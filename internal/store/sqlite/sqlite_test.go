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
	storetest.Run(t, storetest.SQLiteDatabase)
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
	const timeout = 300 * time.Millisecond
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sqlite.Open(ctx, path, nil, sqlite.BusyTimeout(timeout))
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
		switch waited := time.Since(start); {
		case waited < timeout*9/10:
			t.Errorf("gave up after %v, before the %v busy timeout", waited, timeout)
		case waited > sqlite.DefaultBusyTimeout/2:
			t.Errorf("waited %v: the %v busy timeout was not applied", waited, timeout)
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

// BenchmarkImport measures what the import gate asks of the store, in
// batches of 500, into a database of STEWARD_BENCH_CUSTOMERS customers
// (100,000 unless set; the gate's target is 1,000,000, whose filled file
// takes minutes the first time and is then kept in the temporary
// directory): new customers, and duplicate suggestions (into 100,000
// stored ones) with UpsertSuggestions or one UpsertSuggestion at a time.
// New customers are created one batch per transaction, 20 batches per
// transaction, or 200 (100,000 customers: the import gate makes one
// transaction per import). An iteration is one transaction, so run it on
// purpose with a count, e.g. -bench 'Import/.*per-tx=1$' -benchtime 200x.
func BenchmarkImport(b *testing.B) {
	n := storetest.BenchDatabaseSize(b)
	for _, perTx := range []int{1, 20, 200} {
		b.Run(fmt.Sprintf("op=CreateCustomers/db=%d/batches-per-tx=%d", n, perTx), func(b *testing.B) {
			storetest.BenchmarkImportCustomers(b, storetest.SQLiteFilled(b, n), perTx)
		})
	}
	b.Run("op=UpsertSuggestions", func(b *testing.B) {
		storetest.BenchmarkUpsertSuggestions(b, storetest.SQLite(b), 100000, false)
	})
	b.Run("op=UpsertSuggestion", func(b *testing.B) {
		storetest.BenchmarkUpsertSuggestions(b, storetest.SQLite(b), 100000, true)
	})
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

func TestOpenRefusesNegativeBusyTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "never.db")
	if _, err := sqlite.Open(context.Background(), path, nil, sqlite.BusyTimeout(-time.Second)); steward.ErrorCode(err) != steward.EINVALID {
		t.Errorf("Open with a negative busy timeout: %v, want EINVALID", err)
	}
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

// BenchmarkGateImport measures one import of 100,000 rows as the import
// gate writes it (see storetest.BenchmarkGateImport) into a database of
// STEWARD_BENCH_CUSTOMERS customers (100,000 unless set).
func BenchmarkGateImport(b *testing.B) {
	n := storetest.BenchDatabaseSize(b)
	for _, allOrNothing := range []bool{false, true} {
		b.Run(storetest.GateImportName(n, allOrNothing), func(b *testing.B) {
			storetest.BenchmarkGateImport(b, storetest.SQLiteFilled(b, n), int64(n), allOrNothing)
		})
	}
}
