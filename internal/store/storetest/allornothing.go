package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// writeEverything makes, through tx, every kind of write an import and a
// steward make, in batches large enough to take every path of a backend's
// batch code.
func writeEverything(ctx context.Context, tx steward.Store) error {
	run, err := tx.StartJobRun(ctx, "dedupe")
	if err != nil {
		return err
	}
	cs := make([]*steward.Customer, 1203)
	for i := range cs {
		cs[i] = sample(i)
		if i%10 == 0 {
			cs[i].Record.Source, cs[i].Record.Attributes = "", nil
		}
	}
	if err := tx.CreateCustomers(ctx, cs, meta); err != nil {
		return err
	}
	merged := sample(5000)
	merged.Status, merged.MergedInto = steward.StatusMerged, cs[0].ID
	if err := tx.CreateCustomer(ctx, merged, meta); err != nil {
		return err
	}
	pair := func(i int) []int64 { return []int64{cs[2*i+1].ID, cs[2*i].ID} }
	var ss []*steward.Suggestion
	for i := range 550 {
		ss = append(ss, &steward.Suggestion{CustomerIDs: pair(i), Probability: float64(i%97) / 100,
			Evidence: json.RawMessage(fmt.Sprintf(`{"row": %d, "fields": [{"field": "email", "weight": 9.5}]}`, i)), RunID: run.ID})
	}
	ss = append(ss,
		&steward.Suggestion{CustomerIDs: pair(3), Probability: 0.31},
		&steward.Suggestion{CustomerIDs: []int64{cs[5].ID, cs[3].ID, cs[4].ID}, Probability: 0.8})
	if err := tx.UpsertSuggestions(ctx, ss); err != nil {
		return err
	}
	if err := tx.SetSuggestionStatus(ctx, ss[7].ID, steward.SuggestionRejected, meta); err != nil {
		return err
	}
	again := []*steward.Suggestion{
		{CustomerIDs: pair(7), Probability: 0.99},                                                       // decided: left alone
		{CustomerIDs: pair(8), Probability: ss[8].Probability, Evidence: ss[8].Evidence, RunID: run.ID}, // unchanged
		{CustomerIDs: pair(9), Probability: 0.5},                                                        // changed
		{CustomerIDs: pair(590), Probability: 0.6, RunID: run.ID},                                       // new
	}
	if err := tx.UpsertSuggestions(ctx, again); err != nil {
		return err
	}
	if err := tx.UpsertSuggestion(ctx, &steward.Suggestion{CustomerIDs: pair(591), Probability: 0.7}); err != nil {
		return err
	}
	cs[1].Record.City = "Yazd"
	if err := tx.UpdateCustomer(ctx, cs[1], meta); err != nil {
		return err
	}
	if err := tx.AddNotDuplicate(ctx, cs[1].ID, cs[2].ID, meta); err != nil {
		return err
	}
	return tx.RecordEmailCheck(ctx, cs[1].ID, cs[1].Record.Email, "valid", "", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

// contents is what a store holds, without the times of writing, which
// differ between two runs.
type contents struct {
	Customers   []steward.Customer
	Sources     map[steward.SourceRef]int64
	Suggestions []steward.Suggestion
	Changes     [][]steward.Change
	Pairs       map[steward.Pair]bool
	Generation  int64
}

func contentsOf(t *testing.T, s steward.Store) contents {
	t.Helper()
	ctx := context.Background()
	var c contents
	var refs []steward.SourceRef
	must(t, s.EachCustomer(ctx, steward.CustomerFilter{}, func(cu *steward.Customer) error {
		changes, err := s.Changes(ctx, cu.ID)
		if err != nil {
			return err
		}
		for i := range changes {
			changes[i].At = time.Time{}
		}
		c.Changes = append(c.Changes, changes)
		refs = append(refs, steward.SourceRef{Source: cu.Record.Source, ID: cu.Record.SourceID})
		cu.CreatedAt, cu.UpdatedAt = time.Time{}, time.Time{}
		c.Customers = append(c.Customers, *cu)
		return nil
	}))
	var err error
	c.Sources, err = s.CustomerIDsBySource(ctx, refs)
	must(t, err)
	ss, err := s.Suggestions(ctx, steward.SuggestionFilter{})
	must(t, err)
	for _, sg := range ss {
		sg.CreatedAt, sg.UpdatedAt = time.Time{}, time.Time{}
		c.Suggestions = append(c.Suggestions, *sg)
	}
	c.Pairs, err = s.NotDuplicatePairs(ctx)
	must(t, err)
	g, err := s.CustomerGeneration(ctx)
	must(t, err)
	c.Generation = g.N
	return c
}

// testAllOrNothingSame checks that a transaction made all-or-nothing
// stores exactly what the same calls store with a savepoint each.
func testAllOrNothingSame(t *testing.T, guarded, unguarded steward.Store) {
	ctx := context.Background()
	must(t, guarded.Atomic(ctx, writeEverything))
	must(t, unguarded.Atomic(ctx, writeEverything, steward.AllOrNothing()))
	want, got := contentsOf(t, guarded), contentsOf(t, unguarded)
	if len(want.Customers) != 1204 || len(want.Suggestions) != 553 || len(want.Sources) != 1083 {
		t.Fatalf("the calls stored %d customers, %d suggestions, %d source records; want 1204, 553, 1083",
			len(want.Customers), len(want.Suggestions), len(want.Sources))
	}
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got.Customers), len(want.Customers)) {
			if !reflect.DeepEqual(got.Customers[i], want.Customers[i]) {
				t.Errorf("customer %d: %+v, want %+v", i, got.Customers[i], want.Customers[i])
				break
			}
		}
		for i := range min(len(got.Suggestions), len(want.Suggestions)) {
			if !reflect.DeepEqual(got.Suggestions[i], want.Suggestions[i]) {
				t.Errorf("suggestion %d: %+v, want %+v", i, got.Suggestions[i], want.Suggestions[i])
				break
			}
		}
		t.Fatalf("all-or-nothing stored something else than with savepoints (%d customers, %d suggestions, %d sources, generation %d; want %d, %d, %d, %d)",
			len(got.Customers), len(got.Suggestions), len(got.Sources), got.Generation,
			len(want.Customers), len(want.Suggestions), len(want.Sources), want.Generation)
	}
}

// testAllOrNothingDoomed checks that in an all-or-nothing transaction a
// failed call keeps its error code, every later write fails, and Atomic
// rolls everything back even when fn returns nil; and that the next
// transaction has its savepoints again.
func testAllOrNothingDoomed(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ids := []int64{create(t, s, sample(1)).ID, create(t, s, sample(2)).ID}
	before, err := s.CustomerGeneration(ctx)
	must(t, err)
	fails := []struct {
		name string
		code string
		call func(ctx context.Context, tx steward.Store) error
	}{
		{"source conflict", steward.ECONFLICT, func(ctx context.Context, tx steward.Store) error {
			return tx.CreateCustomers(ctx, []*steward.Customer{sample(3), sample(1)}, meta)
		}},
		{"missing merge target", steward.ENOTFOUND, func(ctx context.Context, tx steward.Store) error {
			c := sample(3)
			c.Status, c.MergedInto = steward.StatusMerged, 987654
			return tx.CreateCustomers(ctx, []*steward.Customer{sample(4), c}, meta)
		}},
		{"missing job run", steward.ENOTFOUND, func(ctx context.Context, tx steward.Store) error {
			return tx.UpsertSuggestions(ctx, []*steward.Suggestion{
				{CustomerIDs: ids, Probability: 0.5},
				{CustomerIDs: []int64{ids[0], 5}, Probability: 0.5, RunID: 424242}})
		}},
		{"nested Atomic", "", func(ctx context.Context, tx steward.Store) error {
			return tx.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
				if err := tx.CreateCustomer(ctx, sample(5), meta); err != nil {
					return err
				}
				return errors.New("changed my mind")
			})
		}},
	}
	for _, f := range fails {
		t.Run(f.name, func(t *testing.T) {
			var later error
			err := s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
				if err := tx.CreateCustomer(ctx, sample(6), meta); err != nil {
					return err
				}
				err := f.call(ctx, tx)
				if err == nil {
					return errors.New("the failing call succeeded")
				}
				if f.code != "" && steward.ErrorCode(err) != f.code {
					return fmt.Errorf("failed with %v, want code %s", err, f.code)
				}
				later = tx.CreateCustomer(ctx, sample(7), meta)
				return nil // as if the caller went on regardless
			}, steward.AllOrNothing())
			if err == nil {
				t.Fatal("Atomic committed a doomed transaction")
			}
			if later == nil {
				t.Error("a write after the failed call succeeded")
			}
			if n := count(t, s, ""); n != 2 {
				t.Errorf("%d customers after the rollback, want 2", n)
			}
			if after, err := s.CustomerGeneration(ctx); err != nil || after != before {
				t.Errorf("generation %+v, %v after the rollback; want %+v", after, err, before)
			}
			if ss, err := s.Suggestions(ctx, steward.SuggestionFilter{}); err != nil || len(ss) != 0 {
				t.Errorf("%d suggestions after the rollback, %v", len(ss), err)
			}
		})
	}

	// Outside Atomic, and in the next transaction, calls keep their own
	// savepoints: a failure leaves the transaction usable.
	wantCode(t, s.CreateCustomers(ctx, []*steward.Customer{sample(8), sample(1)}, meta), steward.ECONFLICT)
	create(t, s, sample(8))
	must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := tx.CreateCustomers(ctx, []*steward.Customer{sample(9), sample(1)}, meta); steward.ErrorCode(err) != steward.ECONFLICT {
			return fmt.Errorf("duplicate source: %v, want ECONFLICT", err)
		}
		return tx.CreateCustomer(ctx, sample(9), meta)
	}))
	if n := count(t, s, ""); n != 4 {
		t.Errorf("%d customers, want 4", n)
	}
}
