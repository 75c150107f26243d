package quality

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
	"github.com/steward-crm/steward/internal/store/storetest"
	"github.com/steward-crm/steward/validate"
)

// BenchmarkSnapshot measures taking a quality snapshot of
// STEWARD_BENCH_CUSTOMERS customers (100,000 unless set) on SQLite and,
// with TEST_DATABASE_URL, PostgreSQL: customers/s and the heap in use
// after it (a snapshot streams; it must not grow with the database).
// Run: go test -run '^$' -bench Snapshot ./internal/quality
func BenchmarkSnapshot(b *testing.B) {
	n := storetest.BenchDatabaseSize(b)
	b.Run("sqlite", func(b *testing.B) { benchSnapshot(b, storetest.SQLite(b), n) })
	b.Run("postgres", func(b *testing.B) { benchSnapshot(b, storetest.Postgres(b), n) })
}

func benchSnapshot(b *testing.B, st steward.Store, n int) {
	storetest.FillCustomers(b, st, n)
	rules, err := validate.NewRecordRules(validate.DefaultRecordRulesConfig("IR"))
	if err != nil {
		b.Fatal(err)
	}
	m := &Measurer{Rules: rules, Cleanse: cleanse.Options{DefaultCountry: "IR"}, ConsentAttributes: []string{"email_opt_out"},
		VerificationWindow: 30 * 24 * time.Hour}
	var peak uint64
	m.Progress = func(done int64) {
		if done%10000 == 0 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		snap, err := m.Take(context.Background(), st)
		if err != nil {
			b.Fatal(err)
		}
		if snap.Customers != int64(n) {
			b.Fatalf("snapshot of %d customers, want %d", snap.Customers, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "customers/s")
	b.ReportMetric(float64(peak)/(1<<20), "heap-MiB")
}
