package riverjobs

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/dnstest"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/schedule"
	"github.com/steward-crm/steward/internal/store/postgres"
	"github.com/steward-crm/steward/internal/store/storetest"
	"github.com/steward-crm/steward/validate"
)

// BenchmarkSharedNightly measures a nightly standardize and verify-emails
// on PostgreSQL, split into shares, after 1% of the customers changed,
// with one and with two instances (River clients, each with its own pool,
// in this process). RIVER_BENCH_CUSTOMERS sets the size (default 20,000).
// It reports the wall time of the schedule run, customers per second and
// the peak Go heap of the process (all instances together).
func BenchmarkSharedNightly(b *testing.B) {
	n := 20000
	if v := os.Getenv("RIVER_BENCH_CUSTOMERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	for _, instances := range []int{1, 2} {
		b.Run(fmt.Sprintf("customers=%d/instances=%d", n, instances), func(b *testing.B) {
			benchNightly(b, n, instances)
		})
	}
}

func benchNightly(b *testing.B, n, instances int) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(b)
	seed, err := postgres.Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer seed.Close()
	cs := messy(n)
	for i := range len(cs) {
		cs[i].Record.Email = fmt.Sprintf("person.%d@shop.dnstest.net", i)
	}
	for lo := 0; lo < n; lo += 5000 {
		if err := seed.CreateCustomers(ctx, cs[lo:min(lo+5000, n)], steward.Meta{Actor: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	ids := make([]int64, n)
	for i, c := range cs {
		ids[i] = c.ID
	}
	cs = nil // the instances' heap is what is measured
	dns := dnstest.Start(b, "shop.dnstest.net. 300 IN MX 10 mx.shop.dnstest.net.",
		"gmail.com. 300 IN MX 10 mx.gmail.com.", "outlook.com. 300 IN MX 10 mx.outlook.com.", "yahoo.com. 300 IN MX 10 mx.yahoo.com.")
	lists, err := validate.LoadLists()
	if err != nil {
		b.Fatal(err)
	}
	res, err := validate.NewDNSResolver(validate.DNSConfig{Server: dns.Addr, Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	build := func(_ context.Context, name string) (jobs.Job, error) {
		if name == steward.JobVerifyEmails {
			return &jobs.VerifyEmails{Verifier: &validate.EmailVerifier{Lists: lists, Resolver: res}, Window: 90 * 24 * time.Hour}, nil
		}
		return &jobs.Standardize{Options: standardizeJob().Options}, nil
	}
	schedules := []schedule.Schedule{{Name: "nightly", Spec: onceSpec{time.Now().Add(240 * time.Hour)},
		Jobs: []string{steward.JobStandardize, steward.JobVerifyEmails}}}
	var engines []*schedule.Engine
	for i := range instances {
		st, err := postgres.Open(ctx, dsn, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		runner := &jobs.Runner{Store: st, StaleAfter: time.Minute}
		sharing := &Sharing{Runner: runner, Build: build}
		e := &schedule.Engine{Store: st, Schedules: schedules, Run: shareRun(runner, sharing), Instance: fmt.Sprintf("bench-%d", i)}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		ready := make(chan struct{})
		go func() {
			done <- Serve(sctx, Config{Pool: st.Pool(), Engine: e, Sharing: sharing, Ready: func() { close(ready) }})
		}()
		<-ready
		defer func() { cancel(); <-done }()
		engines = append(engines, e)
	}
	night := func() time.Duration {
		start := time.Now()
		run, err := engines[0].Start(ctx, "nightly", start, steward.TriggerManual)
		if err != nil {
			b.Fatal(err)
		}
		engines[0].Wait()
		got, err := seed.ScheduleRun(ctx, run.ID)
		if err != nil || got.Status != steward.ScheduleSucceeded {
			b.Fatalf("nightly run = %+v, %v", got, err)
		}
		return time.Since(start)
	}
	// The first night examines every customer and standardizes them; the
	// second examines those it changed (its own writes are changes) and
	// finds nothing to do: from then on a night sees what others changed.
	night()
	night()

	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	var wall time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// 1% of the customers change (an API update, an import).
		for k := i % 100; k < n; k += 100 {
			c, err := seed.Customer(ctx, ids[k])
			if err != nil {
				b.Fatal(err)
			}
			c.Record.FirstName = "CHANGED " + strconv.Itoa(i)
			if err := seed.UpdateCustomer(ctx, c, steward.Meta{Actor: "bench"}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		wall += night()
	}
	b.StopTimer()
	close(stop)
	b.ReportMetric(wall.Seconds()/float64(b.N), "s/night")
	b.ReportMetric(float64(n)*float64(b.N)/wall.Seconds(), "customers/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}
