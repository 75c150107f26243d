package importer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/store/sqlite"
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
	recs, err := records.ReadAll(rd)
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

// benchRows is the size of BenchmarkImport's file; GATE_BENCH_ROWS
// replaces it.
// fillImported fills st with n generated customers (the rows
// fillGenerated stores) through the gate, as a real import: the database
// then also holds the merge suggestions that import left, as a database
// filled by steward import does (GATE_BENCH_FILL=import).
func fillImported(b *testing.B, st steward.Store, n int) {
	in := generatedCSV(b, n, 7, "crm", "c")
	sum, err := Import(context.Background(), st, bytes.NewReader(in), Options{FileOptions: records.FileOptions{Name: "fill.csv"}, Source: "crm"})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("filled through the gate: %d created, %d suggestions", sum.Created, sum.Suggestions)
}

// openBenchSQLite opens the SQLite database at path for a benchmark.
func openBenchSQLite(b *testing.B, path string) *sqlite.Store {
	st, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		b.Fatal(err)
	}
	return st
}

func benchRows(b *testing.B) int {
	if s := os.Getenv("GATE_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("GATE_BENCH_ROWS: %v", err)
		}
		return n
	}
	return 10_000
}

// BenchmarkImport imports a file of generated rows (10,000 unless
// GATE_BENCH_ROWS says otherwise; with duplicates, Persian and Latin) into
// a database that already holds n customers, as a dry run so that every
// iteration sees the same database: everything is done (reading,
// standardization, validation, loading the duplicate index, matching,
// writing in one transaction) and rolled back. The duplicate index comes
// from its cache file, as in every import after the first: a warm-up
// import before the timer builds it, and its time is reported as
// build-s. It reports rows/s for the whole import (wall time), rows/cpu-s
// per second of this process's CPU time, and per import the stages' wall
// times: load-s to load the index (while the file is read), read-s to read,
// standardize and validate the file, write-s to match and write.
func BenchmarkImport(b *testing.B) {
	nrows := benchRows(b)
	input := generatedCSV(b, nrows, 99, "shop", "s")
	for _, kind := range []string{"sqlite", "postgres"} {
		for _, n := range benchSizes(b) {
			b.Run(fmt.Sprintf("%s/db=%d/rows=%d", kind, n, nrows), func(b *testing.B) {
				var st steward.Store
				// reopen, with GATE_BENCH_COLD on SQLite, opens the
				// database afresh before each timed import, so that its
				// page cache starts empty as in a new process.
				reopen := func() {}
				if kind == "sqlite" {
					path := filepath.Join(b.TempDir(), "steward.db")
					lite := openBenchSQLite(b, path)
					b.Cleanup(func() { lite.Close() })
					st = lite
					if os.Getenv("GATE_BENCH_COLD") != "" {
						reopen = func() {
							if err := lite.Close(); err != nil {
								b.Fatal(err)
							}
							lite = openBenchSQLite(b, path)
							st = lite
						}
					}
				} else {
					st = storetest.Postgres(b)
				}
				if os.Getenv("GATE_BENCH_FILL") == "import" {
					fillImported(b, st, n)
				} else {
					fillGenerated(b, st, n)
				}
				cache := filepath.Join(b.TempDir(), "bench.index")
				warm, err := importDry(st, input, cache)
				if err != nil {
					b.Fatal(err)
				}
				if warm.Index != "database" {
					b.Fatalf("warm-up import found the index in %q", warm.Index)
				}
				b.ReportAllocs()
				stopHeap := heapProfiles(b)
				stopProfile := profileLoop(b)
				cpu0 := cpuTime()
				b.ResetTimer()
				var rows, created int
				var load, read, write float64
				for b.Loop() {
					b.StopTimer()
					reopen()
					b.StartTimer()
					sum, err := importDry(st, input, cache)
					if err != nil {
						b.Fatal(err)
					}
					if sum.Index != "cache" {
						b.Fatalf("import found the index in %q, want the cache", sum.Index)
					}
					rows += sum.Rows
					created += sum.Created
					load += sum.Load.Seconds()
					read += sum.Read.Seconds()
					write += sum.Write.Seconds()
				}
				stopProfile()
				stopHeap()
				b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(rows)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
				b.ReportMetric(load/float64(b.N), "load-s")
				b.ReportMetric(read/float64(b.N), "read-s")
				b.ReportMetric(write/float64(b.N), "write-s")
				b.ReportMetric(warm.Load.Seconds(), "build-s")
				b.ReportMetric(float64(created)/float64(b.N), "created/op")
			})
		}
	}
}

// profileLoop writes a CPU profile of the timed imports alone, without
// filling the database and the warm-up, to the file GATE_BENCH_CPUPROFILE
// names (go test's -cpuprofile covers the whole run); it returns the
// function that stops it.
func profileLoop(b *testing.B) (stop func()) {
	path := os.Getenv("GATE_BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Error(err)
		}
	}
}

// heapProfiles writes the allocation profile to the file
// GATE_BENCH_MEMPROFILE names with ".base" appended when called and to
// the file itself when the function it returns is called, so that
// pprof -diff_base shows the timed imports' allocations alone.
func heapProfiles(b *testing.B) (stop func()) {
	path := os.Getenv("GATE_BENCH_MEMPROFILE")
	if path == "" {
		return func() {}
	}
	write := func(name string) {
		runtime.GC() // the profile shows allocations up to the last collection
		f, err := os.Create(name)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	write(path + ".base")
	return func() { write(path) }
}

// importDry runs a dry-run import with the duplicate index cache.
func importDry(st steward.Store, input []byte, cache string) (*Summary, error) {
	return Import(context.Background(), st, bytes.NewReader(input), Options{FileOptions: records.FileOptions{Name: "bench.csv"}, Source: "shop", DryRun: true, IndexCache: cache})
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
