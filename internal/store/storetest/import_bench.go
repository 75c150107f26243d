package storetest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/sqlite"
)

// ImportBatch is the batch size of the import benchmarks: what the import
// gate hands the store at a time.
const ImportBatch = 500

// BenchDatabaseSize is how many customers the import benchmarks put in the
// database first: STEWARD_BENCH_CUSTOMERS, or 100,000. The gate's target is
// a database of 1,000,000 (STEWARD_BENCH_CUSTOMERS=1000000).
func BenchDatabaseSize(tb testing.TB) int {
	tb.Helper()
	v := os.Getenv("STEWARD_BENCH_CUSTOMERS")
	if v == "" {
		return 100000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		tb.Fatalf("STEWARD_BENCH_CUSTOMERS=%q is not a number of customers", v)
	}
	return n
}

// SQLiteFilled returns a migrated SQLite store holding n generated
// customers (see FillCustomers), closed when the benchmark ends. Filling a
// large database takes minutes, so the filled file is kept in the
// temporary directory (steward-bench-v2-<n>.db; the version changes with
// the generated data) and each call works on a copy.
func SQLiteFilled(b *testing.B, n int) *sqlite.Store {
	b.Helper()
	ctx := context.Background()
	cached := filepath.Join(os.TempDir(), fmt.Sprintf("steward-bench-v2-%d.db", n))
	if _, err := os.Stat(cached); err != nil {
		tmp := cached + ".filling"
		os.Remove(tmp)
		s, err := sqlite.Open(ctx, tmp, nil)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		FillCustomers(b, s, n)
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.Logf("filled %d customers in %v", n, time.Since(start).Round(time.Second))
		if err := os.Rename(tmp, cached); err != nil {
			b.Fatal(err)
		}
	}
	path := filepath.Join(b.TempDir(), "steward.db")
	if err := copyFile(path, cached); err != nil {
		b.Fatal(err)
	}
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// cpuTime returns the CPU time this process has used, user and system:
// on a machine shared with other work it is steadier than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPerRow reports wall and CPU microseconds per row and rows per
// second of wall time.
func reportPerRow(b *testing.B, rows int, cpu time.Duration) {
	wall := b.Elapsed()
	b.ReportMetric(float64(wall.Microseconds())/float64(rows), "µs/row")
	b.ReportMetric(float64(cpu.Microseconds())/float64(rows), "cpu-µs/row")
	b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
}

// fillBatches fills batches with new slices of ImportBatch generated
// customers, numbered from *next on.
func fillBatches(batches [][]*steward.Customer, next *int) {
	for i := range batches {
		batches[i] = make([]*steward.Customer, ImportBatch)
		for j := range batches[i] {
			batches[i][j] = benchCustomer(*next)
			*next++
		}
	}
}

// BenchmarkImportCustomers measures CreateCustomers with batches of
// ImportBatch new customers into s, which should already hold many,
// reporting µs per customer (wall and this process's CPU). perTx batches
// share one transaction (Atomic) when more than one.
func BenchmarkImportCustomers(b *testing.B, s steward.Store, perTx int) {
	ctx := context.Background()
	m := steward.Meta{Actor: "bench", Cause: "import:bench"}
	next := 0
	batches := make([][]*steward.Customer, perTx)
	var cpu time.Duration
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		fillBatches(batches, &next)
		b.StartTimer()
		start := cpuTime()
		var err error
		if perTx == 1 {
			err = s.CreateCustomers(ctx, batches[0], m)
		} else {
			err = s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
				for _, batch := range batches {
					if err := tx.CreateCustomers(ctx, batch, m); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - start
	}
	reportPerRow(b, next, cpu)
}

// BenchmarkUpsertSuggestions measures UpsertSuggestions with batches of
// ImportBatch into s, which holds stored suggestions first: new sets
// (fresh) or, one batch in two, the stored ones again with another
// probability (again). oneByOne measures UpsertSuggestion, each its own
// transaction, instead.
func BenchmarkUpsertSuggestions(b *testing.B, s steward.Store, stored int, oneByOne bool) {
	ctx := context.Background()
	sg := func(i, round int) *steward.Suggestion {
		return &steward.Suggestion{CustomerIDs: []int64{int64(2*i + 1), int64(2*i + 2)},
			Probability: float64((i+round)%1000) / 1000, Evidence: []byte(`{"email":9.1,"last_name":3.2}`)}
	}
	for start := 0; start < stored; start += 5000 {
		batch := make([]*steward.Suggestion, 0, 5000)
		for i := start; i < min(start+5000, stored); i++ {
			batch = append(batch, sg(i, 0))
		}
		if err := s.UpsertSuggestions(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	for _, mode := range []string{"fresh", "again"} {
		b.Run("suggestions="+mode, func(b *testing.B) {
			next, round, rows := stored, 0, 0
			batch := make([]*steward.Suggestion, ImportBatch)
			var cpu time.Duration
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				round++
				for i := range batch {
					if mode == "fresh" {
						batch[i] = sg(next, 0)
						next++
					} else {
						batch[i] = sg((round*ImportBatch+i)%stored, round)
					}
				}
				b.StartTimer()
				start := cpuTime()
				if oneByOne {
					for _, x := range batch {
						if err := s.UpsertSuggestion(ctx, x); err != nil {
							b.Fatal(err)
						}
					}
				} else if err := s.UpsertSuggestions(ctx, batch); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - start
				rows += len(batch)
			}
			reportPerRow(b, rows, cpu)
		})
	}
}
