package jobs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gen"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// BenchmarkNightlyDedupe measures the nightly dedupe job on generated
// customers (internal/gen, seed 7, as `steward gen --seed 7` writes them)
// after 1% of them changed (a third of those took another customer's
// name, email and birth date, the rest a new phone number), incremental
// and then --full on the same database, on SQLite and on PostgreSQL
// (with TEST_DATABASE_URL). DEDUPE_BENCH_CUSTOMERS sets the size; without
// it the benchmark is skipped. It reports each run's wall time, the peak
// resident memory of the process during it (VmHWM, reset before the run)
// and its peak Go heap, and how many suggestions the full run after the
// incremental one still made or rewrote (0 when the incremental run found
// what a full run finds).
func BenchmarkNightlyDedupe(b *testing.B) {
	v := os.Getenv("DEDUPE_BENCH_CUSTOMERS")
	if v == "" {
		b.Skip("set DEDUPE_BENCH_CUSTOMERS (e.g. 1000000) to run")
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("sqlite/customers=%d", n), func(b *testing.B) {
		benchNightlyDedupe(b, storetest.SQLite(b), n)
	})
	b.Run(fmt.Sprintf("postgres/customers=%d", n), func(b *testing.B) {
		storetest.PostgresURL(b)
		benchNightlyDedupe(b, storetest.Postgres(b), n)
	})
}

func benchNightlyDedupe(b *testing.B, s steward.Store, n int) {
	ctx := context.Background()
	t0 := time.Now()
	seedGeneratedBench(b, s, n)
	b.Logf("seeded %d customers in %s", n, time.Since(t0).Round(time.Second))
	job := cachedDedupe(b, s, nil)
	job.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rn := &Runner{Store: s, StaleAfter: time.Hour}
	t0 = time.Now()
	first, err := rn.Start(ctx, job, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first run (trains the model): %s, counts %v", time.Since(t0).Round(time.Second), first.Counts)

	var ids []int64
	err = s.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		ids = append(ids, c.ID)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	t0 = time.Now()
	rnd := rand.New(rand.NewPCG(7, 1))
	changes := len(ids) / 100
	for k := range changes {
		c, err := s.Customer(ctx, ids[rnd.IntN(len(ids))])
		if err != nil {
			b.Fatal(err)
		}
		if k%3 == 0 {
			o, err := s.Customer(ctx, ids[rnd.IntN(len(ids))])
			if err != nil {
				b.Fatal(err)
			}
			c.Record.FirstName, c.Record.LastName, c.Record.Email, c.Record.BirthDate = o.Record.FirstName, o.Record.LastName, o.Record.Email, o.Record.BirthDate
		} else {
			c.Record.Phone = fmt.Sprintf("+1202555%04d", rnd.IntN(10000))
		}
		if err := s.UpdateCustomer(ctx, c, steward.Meta{Actor: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("changed %d customers in %s", changes, time.Since(t0).Round(time.Second))

	measure := func(name string, opts Options) *steward.JobRun {
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS()
		stop := heapPeak()
		t0 := time.Now()
		rec, err := rn.Start(ctx, job, opts)
		wall := time.Since(t0)
		heap := stop()
		if err != nil {
			b.Fatal(err)
		}
		rss := peakRSS()
		b.ReportMetric(wall.Seconds(), name+"-s")
		b.ReportMetric(float64(rss)/(1<<20), name+"-peak-rss-MiB")
		b.ReportMetric(float64(heap)/(1<<20), name+"-peak-heap-MiB")
		b.Logf("%s: %s, peak RSS %d MiB, peak heap %d MiB, counts %v", name, wall.Round(10*time.Millisecond), rss>>20, heap>>20, rec.Counts)
		return rec
	}
	b.ResetTimer()
	for b.Loop() {
		inc := measure("incremental", Options{})
		if inc.Counts["incremental"] != 1 {
			b.Errorf("the run after 1%% changed was not incremental: %v", inc.Counts)
		}
		full := measure("full", Options{Full: true})
		b.ReportMetric(float64(full.Counts["suggestions_new"]), "full-after-new")
		b.ReportMetric(float64(full.Counts["suggestions_updated"]), "full-after-updated")
	}
}

// seedGeneratedBench stores n generated customers (seed 7, 30% of the
// entities duplicated) in batches.
func seedGeneratedBench(b *testing.B, s steward.Store, n int) {
	var out bytes.Buffer
	if err := gen.Generate(context.Background(), gen.Options{N: n, Seed: 7, DupRate: 0.3}, &out, io.Discard, nil); err != nil {
		b.Fatal(err)
	}
	rd, err := records.NewReader(&out, records.Options{})
	if err != nil {
		b.Fatal(err)
	}
	batch := make([]*steward.Customer, 0, 5000)
	flush := func() {
		if err := s.CreateCustomers(context.Background(), batch, steward.Meta{Actor: "bench"}); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for {
		r, err := rd.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		batch = append(batch, &steward.Customer{Record: r})
		if len(batch) == cap(batch) {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
}

// resetPeakRSS resets the process's peak resident memory (VmHWM), where
// Linux allows it.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns the process's peak resident memory since the last
// reset, 0 where it is not known.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// heapPeak samples the Go heap in use until stop, which returns its peak.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}
