package gate

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// benchSizes are the database sizes of BenchmarkImport; GATE_BENCH_SIZES
// (comma-separated) replaces them, e.g. "1000000" for the design target.
func benchSizes(b *testing.B) []int {
	sizes := []int{10_000, 100_000}
	if s := os.Getenv("GATE_BENCH_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				b.Fatalf("GATE_BENCH_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	return sizes
}

// fillGenerated stores n generated customers (source "crm").
func fillGenerated(b *testing.B, st steward.Store, n int) {
	rd, err := records.NewReader(bytes.NewReader(generatedCSV(b, n, 7, "crm", "c")), records.Options{})
	if err != nil {
		b.Fatal(err)
	}
	recs, err := readAllRecords(rd)
	if err != nil {
		b.Fatal(err)
	}
	const batch = 10000
	for start := 0; start < len(recs); start += batch {
		cs := make([]*steward.Customer, 0, batch)
		for i := start; i < min(start+batch, len(recs)); i++ {
			cs = append(cs, &steward.Customer{Record: recs[i]})
		}
		if err := st.CreateCustomers(context.Background(), cs, steward.Meta{Actor: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImport imports a file of 10,000 generated rows (with
// duplicates, Persian and Latin) into a database that already holds n
// customers, as a dry run so that every iteration sees the same database:
// everything is done (reading, standardization, validation, loading the
// duplicate index, matching, writing in one transaction) and rolled back.
// It reports rows/s for the whole import (wall time; rows/cpu-s per second
// of this process's CPU time), and rows/s without the time to
// load the database's customers into the duplicate index (row-rows/s), a
// fixed cost per import that grows with the database.
func BenchmarkImport(b *testing.B) {
	input := generatedCSV(b, 10_000, 99, "shop", "s")
	for _, kind := range []string{"sqlite", "postgres"} {
		for _, n := range benchSizes(b) {
			b.Run(fmt.Sprintf("%s/db=%d/rows=10000", kind, n), func(b *testing.B) {
				var st steward.Store
				if kind == "sqlite" {
					st = storetest.SQLite(b)
				} else {
					st = storetest.Postgres(b)
				}
				fillGenerated(b, st, n)
				b.ReportAllocs()
				cpu0 := cpuTime()
				b.ResetTimer()
				var rows, created int
				var pipeline float64
				for b.Loop() {
					sum, timing, err := importTimed(st, input)
					if err != nil {
						b.Fatal(err)
					}
					rows += sum.Rows
					created += sum.Created
					pipeline += timing
				}
				b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(rows)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
				b.ReportMetric(float64(rows)/pipeline, "row-rows/s")
				b.ReportMetric(float64(created)/float64(b.N), "created/op")
			})
		}
	}
}

// importTimed runs a dry-run import and returns the seconds spent on the
// rows themselves: reading and checking them, matching and writing them,
// without loading the database's customers into the duplicate index.
func importTimed(st steward.Store, input []byte) (*Summary, float64, error) {
	sum, err := Import(context.Background(), st, bytes.NewReader(input), Options{Source: "shop", Name: "bench.csv", DryRun: true})
	if err != nil {
		return nil, 0, err
	}
	return sum, (sum.Read + sum.Write).Seconds(), nil
}

// cpuTime returns the CPU time (user and system) this process has used.
// On a shared machine rows per CPU second is steadier than rows per second
// of wall time; it leaves out the PostgreSQL server's CPU.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
