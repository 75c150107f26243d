package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// benchPending is the size of the review queue the benchmarks read.
const benchPending = 100_000

// fillQueue stores customers and n pending suggestions of two or three of
// them each, with evidence of every pair, probabilities spread over
// 0.5..1; it returns the suggestions' ids.
func fillQueue(b *testing.B, st steward.Store, customers, n int) []int64 {
	b.Helper()
	ctx := context.Background()
	storetest.FillCustomers(b, st, customers)
	var ids []int64
	err := st.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		ids = append(ids, c.ID)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	seen := map[string]bool{}
	var out []int64
	for len(out) < n {
		var batch []*steward.Suggestion
		for len(batch) < 5000 && len(out)+len(batch) < n {
			members := []int64{ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]}
			if rng.IntN(4) == 0 {
				members = append(members, ids[rng.IntN(len(ids))])
			}
			k := steward.SuggestionKey(members)
			if seen[k] || len(members) != len(stringsSplit(k)) {
				continue
			}
			seen[k] = true
			ev := steward.Evidence{Producer: steward.EvidenceDedupe, Origin: "bench"}
			for _, m := range members[1:] {
				ev.Pairs = append(ev.Pairs, steward.PairEvidence{A: members[0], B: m, Probability: 0.9, Weight: 8.6, Prior: -9, Keys: []string{"email", "phone"},
					Fields: []steward.FieldEvidence{{Field: "email", Level: "exact", Weight: 9.1}, {Field: "last_name", Level: "exact", Weight: 6.2},
						{Field: "first_name", Level: "close", Weight: 1.9}, {Field: "phone", Level: "different", Weight: -1.2}, {Field: "birth_date", Level: "missing"}}})
			}
			raw, err := json.Marshal(ev)
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, &steward.Suggestion{CustomerIDs: members, Probability: 0.5 + float64(rng.IntN(5000))/10000, Evidence: raw})
		}
		if err := st.UpsertSuggestions(ctx, batch); err != nil {
			b.Fatal(err)
		}
		for _, sg := range batch {
			out = append(out, sg.ID)
		}
	}
	return out
}

func stringsSplit(k string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(k); i++ {
		if i == len(k) || k[i] == ',' {
			out = append(out, k[start:i])
			start = i + 1
		}
	}
	return out
}

// benchPages runs fn on SQLite and, with TEST_DATABASE_URL, PostgreSQL,
// each with a queue of benchPending suggestions and a signed-in steward.
func benchPages(b *testing.B, fn func(b *testing.B, br *browser, sgs []int64)) {
	run := func(b *testing.B, st steward.Store, settle func()) {
		t0 := time.Now()
		sgs := fillQueue(b, st, 5000, benchPending)
		settle()
		b.Logf("%d suggestions stored in %v", len(sgs), time.Since(t0).Round(time.Millisecond))
		s := newSite(b, st)
		br := s.browser()
		br.signIn(steward.RoleSteward)
		fn(b, br, sgs)
	}
	b.Run(fmt.Sprintf("sqlite/pending=%d", benchPending), func(b *testing.B) { run(b, storetest.SQLite(b), func() {}) })
	b.Run(fmt.Sprintf("postgres/pending=%d", benchPending), func(b *testing.B) {
		st, schema := storetest.PostgresEmpty(b)
		if _, err := st.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		// A queue of 100,000 has been vacuumed and analyzed by autovacuum
		// long before a steward reads it; the test server may run without
		// autovacuum, and a planner without statistics sorts the whole
		// score band.
		run(b, st, func() { vacuum(b, schema) })
	})
}

// BenchmarkQueuePage measures GET /queue through HTTP with 100,000
// pending suggestions: the first page, or the page after a random one,
// most uncertain or most confident first, every third within a score
// band; it reports the p50 and p99 server time of a page.
func BenchmarkQueuePage(b *testing.B) {
	benchPages(b, func(b *testing.B, br *browser, sgs []int64) {
		rng := rand.New(rand.NewPCG(13, 14))
		var ds []time.Duration
		kinds := make([][]time.Duration, 4)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := "/queue"
			switch i % 4 {
			case 1:
				q += fmt.Sprintf("?after=%d", sgs[rng.IntN(len(sgs))])
			case 2:
				q += fmt.Sprintf("?order=confident&after=%d", sgs[rng.IntN(len(sgs))])
			case 3:
				q += "?band=middle"
			}
			t := time.Now()
			p := br.get(q)
			ds = append(ds, time.Since(t))
			kinds[i%4] = append(kinds[i%4], time.Since(t))
			i++
			if p.status != http.StatusOK {
				b.Fatalf("%s: %d %.300s", q, p.status, p.body)
			}
		}
		storetest.ReportLatency(b, ds)
		for k, name := range []string{"first page", "after, uncertain", "after, confident", "score band"} {
			slices.Sort(kinds[k])
			if n := len(kinds[k]); n > 0 {
				b.Logf("%s: p50 %v, p99 %v", name, kinds[k][n/2], kinds[k][min(n-1, n*99/100)])
			}
		}
	})
}

// BenchmarkSuggestionPage measures GET /suggestions/{id} through HTTP
// with 100,000 pending suggestions: members, the plan of their merge,
// the waterfalls, the claim and the audit entry of the read; p50 and p99
// server time.
func BenchmarkSuggestionPage(b *testing.B) {
	benchPages(b, func(b *testing.B, br *browser, sgs []int64) {
		rng := rand.New(rand.NewPCG(15, 16))
		var ds []time.Duration
		b.ReportAllocs()
		for b.Loop() {
			q := fmt.Sprintf("/suggestions/%d", sgs[rng.IntN(len(sgs))])
			t := time.Now()
			p := br.get(q)
			ds = append(ds, time.Since(t))
			if p.status != http.StatusOK {
				b.Fatalf("%s: %d %.300s", q, p.status, p.body)
			}
		}
		storetest.ReportLatency(b, ds)
	})
}

// vacuum runs VACUUM ANALYZE in the PostgreSQL schema, as autovacuum would.
func vacuum(b *testing.B, schema string) {
	b.Helper()
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(storetest.PostgresURL(b))
	if err != nil {
		b.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}
}
