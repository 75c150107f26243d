package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

// ReportLatency reports the 50th and 99th percentiles of ds, in ms, as
// the benchmark's metrics p50-ms and p99-ms.
func ReportLatency(b *testing.B, ds []time.Duration) {
	b.Helper()
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		return float64(ds[min(len(ds)-1, int(q*float64(len(ds))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// FillSuggestions stores n pending suggestions of pairs of customer ids
// (not stored customers: the queue does not read them), with the import
// evidence of the import gate's size, and probabilities spread over
// 0.5..1, and returns them as stored.
func FillSuggestions(tb testing.TB, s steward.Store, n int) []*steward.Suggestion {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	var out []*steward.Suggestion
	for start := 0; start < n; start += 5000 {
		var batch []*steward.Suggestion
		for i := start; i < min(start+5000, n); i++ {
			ev, err := json.Marshal(steward.Evidence{Producer: steward.EvidenceImport, Origin: "bench", Row: i,
				Pairs: []steward.PairEvidence{{A: int64(2*i + 1), B: int64(2*i + 2), Probability: 0.9, Weight: 12,
					Fields: []steward.FieldEvidence{{Field: "email", Level: "exact", Weight: 9.1}, {Field: "last_name", Level: "exact", Weight: 3.2},
						{Field: "first_name", Level: "close", Weight: 1.9}, {Field: "address+phone", Level: "same_city", Weight: 0.4}}}}})
			if err != nil {
				tb.Fatal(err)
			}
			batch = append(batch, &steward.Suggestion{CustomerIDs: []int64{int64(2*i + 1), int64(2*i + 2)},
				Probability: 0.5 + float64(rng.IntN(5000))/10000, Evidence: ev})
		}
		if err := s.UpsertSuggestions(ctx, batch); err != nil {
			tb.Fatal(err)
		}
		out = append(out, batch...)
	}
	return out
}

// BenchmarkReviewQueue measures pages of the review queue of n pending
// suggestions as a steward turns them: 50 at a time, from a random place
// in the queue, most confident first or most uncertain first, every other
// one within a score band; it reports the p50 and p99 latency of a page.
func BenchmarkReviewQueue(b *testing.B, s steward.Store, n int) {
	ctx := context.Background()
	all := FillSuggestions(b, s, n)
	var inBand []*steward.Suggestion
	for _, sg := range all {
		if sg.Probability >= 0.6 && sg.Probability <= 0.8 {
			inBand = append(inBand, sg)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var ds []time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		f := steward.SuggestionFilter{Status: steward.SuggestionPending, Limit: 50, After: all[rng.IntN(len(all))].ID}
		if i%2 == 1 {
			f.Order = steward.MostUncertain
		}
		if i%4 >= 2 {
			f.MinProbability, f.MaxProbability = 0.6, 0.8
			f.After = inBand[rng.IntN(len(inBand))].ID
		}
		if i%8 == 0 {
			f.After = 0
		}
		i++
		t0 := time.Now()
		page, err := s.Suggestions(ctx, f)
		ds = append(ds, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if len(page) == 0 && f.After == 0 {
			b.Fatalf("empty first page for %+v", f)
		}
	}
	ReportLatency(b, ds)
}

// BenchmarkMerge measures merges of members customers at a time into one
// (merge.Service.Merge: plan, before-images, updates, source records,
// the merge kept), in a database of 10,000 other customers.
func BenchmarkMerge(b *testing.B, s steward.Store, members int) {
	ctx := context.Background()
	FillCustomers(b, s, 10000)
	svc := mergeService(b)
	next := 0
	var pool []int64
	refill := func() {
		cs := make([]*steward.Customer, 500*members)
		for i := range cs {
			cs[i] = benchCustomer(next)
			cs[i].Record.Attributes["email_opt_out"] = []string{"yes", "no", ""}[next%3]
			next++
		}
		if err := s.CreateCustomers(ctx, cs, meta); err != nil {
			b.Fatal(err)
		}
		for _, c := range cs {
			pool = append(pool, c.ID)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(pool) < members {
			b.StopTimer()
			refill()
			b.StartTimer()
		}
		ids := pool[:members]
		pool = pool[members:]
		if _, err := svc.Merge(ctx, s, merge.Request{CustomerIDs: ids}, steward.Meta{Actor: "bench", Cause: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/merge")
}

// ReviewQueueName names a review-queue benchmark of n suggestions.
func ReviewQueueName(n int) string { return fmt.Sprintf("pending=%d", n) }

// FilledRecord returns the record FillCustomers stores as its i-th
// customer, for benchmarks that look customers up.
func FilledRecord(i int) steward.Record { return benchCustomer(1_000_000_000 + i).Record }
