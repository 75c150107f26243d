package storetest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/steward-crm/steward"
)

func generation(t *testing.T, s steward.Store) steward.Generation {
	t.Helper()
	g, err := s.CustomerGeneration(context.Background())
	must(t, err)
	return g
}

// wantGeneration checks that the generation is want.N+by, in the same
// database, with a new token when it moved.
func wantGeneration(t *testing.T, s steward.Store, want steward.Generation, by int64, after string) steward.Generation {
	t.Helper()
	got := generation(t, s)
	if got.Database != want.Database || got.N != want.N+by {
		t.Errorf("after %s: generation %+v, want %+v plus %d", after, got, want, by)
	}
	if (got.Token != want.Token) != (by != 0) || got.Token == "" {
		t.Errorf("after %s: token %q, was %q: want a new one exactly when N moved", after, got.Token, want.Token)
	}
	return got
}

func testGeneration(t *testing.T, s steward.Store) {
	ctx := context.Background()
	g := generation(t, s)
	if b, err := hex.DecodeString(g.Database); err != nil || len(b) < 16 {
		t.Errorf("database id %q, want at least 16 random bytes in hex", g.Database)
	}
	if g.N < 0 {
		t.Errorf("generation of a new database %d", g.N)
	}

	kept := create(t, s, sample(0))
	g = wantGeneration(t, s, g, 1, "CreateCustomer")

	cs := make([]*steward.Customer, 700)
	for i := range cs {
		cs[i] = sample(1 + i)
	}
	must(t, s.CreateCustomers(ctx, cs, meta))
	g = wantGeneration(t, s, g, 1, "one CreateCustomers")

	kept.Record.City = "Shiraz"
	must(t, s.UpdateCustomer(ctx, kept, meta))
	g = wantGeneration(t, s, g, 1, "UpdateCustomer")
	must(t, s.UpdateCustomer(ctx, kept, meta))
	g = wantGeneration(t, s, g, 0, "an UpdateCustomer that changes nothing")

	// Many writes in one transaction, nested savepoints included (one of
	// them undone), count once, when it commits.
	inner := errors.New("inner")
	must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		for i := range 5 {
			if err := tx.CreateCustomer(ctx, sample(1000+i), meta); err != nil {
				return err
			}
		}
		more := []*steward.Customer{sample(2000), sample(2001), sample(2002)}
		if err := tx.CreateCustomers(ctx, more, meta); err != nil {
			return err
		}
		c, err := tx.Customer(ctx, kept.ID)
		if err != nil {
			return err
		}
		c.Status, c.MergedInto = steward.StatusMerged, more[0].ID
		if err := tx.UpdateCustomer(ctx, c, meta); err != nil {
			return err
		}
		if err := tx.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
			return tx.CreateCustomer(ctx, sample(3000), meta)
		}); err != nil {
			return err
		}
		if err := tx.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
			if err := tx.CreateCustomer(ctx, sample(3001), meta); err != nil {
				return err
			}
			return inner
		}); !errors.Is(err, inner) {
			return fmt.Errorf("failing nested Atomic returned %v", err)
		}
		// A refused write in the transaction does not end it.
		if err := tx.CreateCustomer(ctx, sample(1), meta); steward.ErrorCode(err) != steward.ECONFLICT {
			return fmt.Errorf("known source record: %v, want ECONFLICT", err)
		}
		// Inside, the generation is the one committed before.
		if got, err := tx.CustomerGeneration(ctx); err != nil || got != g {
			return fmt.Errorf("generation inside the transaction %+v, %v; want %+v", got, err, g)
		}
		return nil
	}))
	g = wantGeneration(t, s, g, 1, "an Atomic with many customer writes")

	// Transactions that write no customers leave it.
	var sg *steward.Suggestion
	must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		run, err := tx.StartJobRun(ctx, "dedupe")
		if err != nil {
			return err
		}
		sg = &steward.Suggestion{CustomerIDs: []int64{cs[0].ID, cs[1].ID}, Probability: 0.9, RunID: run.ID}
		if err := tx.UpsertSuggestion(ctx, sg); err != nil {
			return err
		}
		run.Status = steward.JobSucceeded
		return tx.FinishJobRun(ctx, run)
	}))
	g = wantGeneration(t, s, g, 0, "an Atomic writing a job run and a suggestion")
	must(t, s.UpsertSuggestions(ctx, []*steward.Suggestion{
		{CustomerIDs: []int64{cs[2].ID, cs[3].ID}, Probability: 0.8},
		{CustomerIDs: []int64{cs[0].ID, cs[1].ID}, Probability: 0.7},
	}))
	must(t, s.SetSuggestionStatus(ctx, sg.ID, steward.SuggestionRejected, meta))
	must(t, s.AddNotDuplicate(ctx, cs[0].ID, cs[1].ID, meta))
	run, err := s.StartJobRun(ctx, "verify-emails")
	must(t, err)
	must(t, s.SaveCheckpoint(ctx, run.ID, "1", nil))
	must(t, s.RecordEmailCheck(ctx, cs[0].ID, cs[0].Record.Email, "valid", "", kept.CreatedAt))
	g = wantGeneration(t, s, g, 0, "suggestion, job run and email check writes")

	// Rolled back, refused and panicking writes leave it.
	boom := errors.New("boom")
	err = s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := tx.CreateCustomers(ctx, []*steward.Customer{sample(4000), sample(4001)}, meta); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Atomic returned %v, want fn's error", err)
	}
	wantCode(t, s.CreateCustomers(ctx, []*steward.Customer{sample(5000), sample(1)}, meta), steward.ECONFLICT)
	stale := *cs[5]
	stale.Version = 7
	stale.Record.City = "Qom"
	wantCode(t, s.UpdateCustomer(ctx, &stale, meta), steward.ECONFLICT)
	func() {
		defer func() { _ = recover() }()
		_ = s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
			if err := tx.CreateCustomer(ctx, sample(6000), meta); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	g = wantGeneration(t, s, g, 0, "rolled back and refused customer writes")

	// The outer store with the transaction's context joins it: still one.
	must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := s.CreateCustomer(ctx, sample(7000), meta); err != nil {
			return err
		}
		return tx.CreateCustomer(ctx, sample(7001), meta)
	}))
	wantGeneration(t, s, g, 1, "an Atomic writing through both stores")
}

// testGenerationPerDatabase checks that two databases never share an id.
func testGenerationPerDatabase(t *testing.T, a, b steward.Store) {
	ga, gb := generation(t, a), generation(t, b)
	if ga.Database == "" || ga.Database == gb.Database {
		t.Errorf("two new databases have ids %q and %q", ga.Database, gb.Database)
	}
}
