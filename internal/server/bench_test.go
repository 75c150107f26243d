package server_test

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// benchBackends runs fn on SQLite and, with TEST_DATABASE_URL, PostgreSQL,
// each holding n generated customers.
func benchBackends(b *testing.B, n int, fn func(b *testing.B, st steward.Store)) {
	b.Run(fmt.Sprintf("sqlite/customers=%d", n), func(b *testing.B) { fn(b, storetest.SQLiteFilled(b, n)) })
	b.Run(fmt.Sprintf("postgres/customers=%d", n), func(b *testing.B) {
		st := storetest.Postgres(b)
		storetest.FillCustomers(b, st, n)
		fn(b, st)
	})
}

// BenchmarkSearch measures GET /api/v1/customers through HTTP, with
// authentication and the audit entry, in a database of
// STEWARD_BENCH_CUSTOMERS customers (100,000 unless set): an email, a
// phone typed locally, a full name, a family name shared by many, in
// turn; it reports the p50 and p99 latency of a search. Loading the
// indexes is not timed.
func BenchmarkSearch(b *testing.B) {
	n := storetest.BenchDatabaseSize(b)
	benchBackends(b, n, func(b *testing.B, st steward.Store) {
		t0 := time.Now()
		a := newBenchAPI(b, st)
		b.Logf("indexes of %d customers loaded in %v", n, time.Since(t0).Round(time.Millisecond))
		rng := rand.New(rand.NewPCG(5, 6))
		var ds []time.Duration
		kinds := make([][]time.Duration, 4)
		i := 0
		for b.Loop() {
			r := storetest.FilledRecord(rng.IntN(n))
			var q string
			switch i % 4 {
			case 0:
				q = "q=" + url.QueryEscape(r.Email)
			case 1:
				q = "q=" + url.QueryEscape("0"+strings.TrimPrefix(r.Phone, "+98"))
			case 2:
				q = "q=" + url.QueryEscape(r.FirstName+" "+r.LastName)
			default:
				q = "name=" + url.QueryEscape(r.LastName)
			}
			t := time.Now()
			res := a.do("viewer", "GET", "/api/v1/customers?"+q, nil)
			ds = append(ds, time.Since(t))
			kinds[i%4] = append(kinds[i%4], time.Since(t))
			i++
			if res.status != 200 || !strings.Contains(string(res.body), `"customer"`) {
				b.Fatalf("%s: %d %.200s", q, res.status, res.body)
			}
		}
		storetest.ReportLatency(b, ds)
		for k, name := range []string{"email", "phone", "full name", "family name"} {
			slices.Sort(kinds[k])
			if n := len(kinds[k]); n > 0 {
				b.Logf("%s: p50 %v, p99 %v", name, kinds[k][n/2], kinds[k][min(n-1, n*99/100)])
			}
		}
	})
}

// BenchmarkSuggestionsAPI measures GET /api/v1/suggestions through HTTP
// with 100,000 pending suggestions: a page of 50 from a random cursor,
// most confident or most uncertain first; p50 and p99.
func BenchmarkSuggestionsAPI(b *testing.B) {
	benchBackends(b, 1000, func(b *testing.B, st steward.Store) {
		all := storetest.FillSuggestions(b, st, 100000)
		a := newBenchAPI(b, st)
		rng := rand.New(rand.NewPCG(7, 8))
		var ds []time.Duration
		i := 0
		for b.Loop() {
			q := fmt.Sprintf("/api/v1/suggestions?limit=50&cursor=%d", all[rng.IntN(len(all))].ID)
			if i%2 == 1 {
				q += "&order=uncertain"
			}
			i++
			t := time.Now()
			res := a.do("viewer", "GET", q, nil)
			ds = append(ds, time.Since(t))
			if res.status != 200 {
				b.Fatalf("%s: %d %s", q, res.status, res.body)
			}
		}
		storetest.ReportLatency(b, ds)
	})
}
