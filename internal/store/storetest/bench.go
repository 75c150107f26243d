package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/steward-crm/steward"
)

// BenchmarkCreateCustomers measures CreateCustomers with batches of the
// given size into s, reporting rows/s. Every iteration inserts new
// customers, so the table grows as the benchmark runs.
func BenchmarkCreateCustomers(b *testing.B, s steward.Store, batch int) {
	ctx := context.Background()
	m := steward.Meta{Actor: "bench", Cause: "import:bench"}
	next := 0
	cs := make([]*steward.Customer, batch)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for i := range cs {
			cs[i] = benchCustomer(next)
			next++
		}
		b.StartTimer()
		if err := s.CreateCustomers(ctx, cs, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
}

// FillCustomers inserts n generated customers into s in batches, for
// benchmarks that need a database of a given size.
func FillCustomers(tb testing.TB, s steward.Store, n int) {
	tb.Helper()
	const batch = 10000
	ctx := context.Background()
	m := steward.Meta{Actor: "bench", Cause: "fill"}
	for start := 0; start < n; start += batch {
		k := min(batch, n-start)
		cs := make([]*steward.Customer, k)
		for i := range cs {
			cs[i] = benchCustomer(1_000_000_000 + start + i)
		}
		if err := s.CreateCustomers(ctx, cs, m); err != nil {
			tb.Fatal(err)
		}
	}
}

// benchCustomer is a typical imported customer: ten canonical fields and
// two attributes, all different per i. Email, phone and source id start
// with a scrambled i, so that, as with real data, a new customer's index
// entries land anywhere among the stored ones rather than next to the last
// ones.
func benchCustomer(i int) *steward.Customer {
	h := uint64(i) * 0x9E3779B97F4A7C15 // a bijection: scrambled, never repeated
	return &steward.Customer{Record: steward.Record{
		Source:       "bench",
		SourceID:     fmt.Sprintf("%06x-%d", h>>40, i),
		FirstName:    fmt.Sprintf("Name%d", i%5000),
		LastName:     fmt.Sprintf("Family%d", i%20000),
		Email:        fmt.Sprintf("user%06x%d@example.com", h>>40, i),
		Phone:        fmt.Sprintf("+98912%07d", (h>>24)%10000000),
		AddressLine1: fmt.Sprintf("%d Azadi St", i%300),
		City:         "Tehran",
		PostalCode:   fmt.Sprintf("%010d", i%100000),
		Country:      "IR",
		BirthDate:    "1985-04-12",
		Attributes:   map[string]string{"channel": "shop", "segment": fmt.Sprintf("s%d", i%7)},
	}}
}

// BenchmarkEachCustomer measures EachCustomer over all active customers of
// s, which must hold n of them, reporting rows/s.
func BenchmarkEachCustomer(b *testing.B, s steward.Store, n int) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		seen := 0
		if err := s.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(*steward.Customer) error {
			seen++
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		if seen != n {
			b.Fatalf("saw %d customers, want %d", seen, n)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkUpdateCustomers measures UpdateCustomer changing one field of
// each of n customers, in transactions of 1,000 updates as a nightly job
// makes them (inTx) or each on its own, reporting rows/s.
func BenchmarkUpdateCustomers(b *testing.B, s steward.Store, n int, inTx bool) {
	ctx := context.Background()
	FillCustomers(b, s, n)
	var all []*steward.Customer
	if err := s.EachCustomer(ctx, steward.CustomerFilter{}, func(c *steward.Customer) error {
		all = append(all, c)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	m := steward.Meta{Actor: "bench", Cause: "job:bench"}
	round := 0
	b.ReportAllocs()
	for b.Loop() {
		round++
		for start := 0; start < len(all); start += 1000 {
			chunk := all[start:min(start+1000, len(all))]
			update := func(ctx context.Context, s steward.Store) error {
				for _, c := range chunk {
					c.Record.City = fmt.Sprintf("City%d", round)
					if err := s.UpdateCustomer(ctx, c, m); err != nil {
						return err
					}
				}
				return nil
			}
			var err error
			if inTx {
				err = s.Atomic(ctx, update)
			} else {
				err = update(ctx, s)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkSuggestionsPage measures one page of the review queue (50
// pending suggestions, continuing after a suggestion deep in the queue)
// with n suggestions stored.
func BenchmarkSuggestionsPage(b *testing.B, s steward.Store, n int) {
	ctx := context.Background()
	var middle int64
	for start := 0; start < n; start += 5000 {
		if err := s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
			for i := start; i < min(start+5000, n); i++ {
				sg := &steward.Suggestion{CustomerIDs: []int64{int64(2*i + 1), int64(2*i + 2)},
					Probability: float64(i%1000) / 1000, Evidence: []byte(`{"email":9.1,"last_name":3.2}`)}
				if err := tx.UpsertSuggestion(ctx, sg); err != nil {
					return err
				}
				if i == n/2+500 {
					middle = sg.ID
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		page, err := s.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending, Limit: 50, After: middle})
		if err != nil {
			b.Fatal(err)
		}
		if len(page) != 50 {
			b.Fatalf("page of %d", len(page))
		}
	}
}
