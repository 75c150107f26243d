package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func testAtomicCommit(t *testing.T, s steward.Store) {
	ctx := context.Background()
	var id int64
	must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		c := sample(1)
		if err := tx.CreateCustomer(ctx, c, meta); err != nil {
			return err
		}
		id = c.ID
		// Reads inside see the transaction's own writes.
		got, err := tx.Customer(ctx, id)
		if err != nil {
			return err
		}
		got.Record.City = "Tabriz"
		return tx.UpdateCustomer(ctx, got, meta)
	}))
	if got := get(t, s, id); got.Record.City != "Tabriz" || got.Version != 2 {
		t.Errorf("after commit: %s v%d, want Tabriz v2", got.Record.City, got.Version)
	}
}

func testAtomicRollback(t *testing.T, s steward.Store) {
	ctx := context.Background()
	kept := create(t, s, sample(1))
	boom := errors.New("boom")
	err := s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := tx.CreateCustomers(ctx, []*steward.Customer{sample(2), sample(3)}, meta); err != nil {
			return err
		}
		c, err := tx.Customer(ctx, kept.ID)
		if err != nil {
			return err
		}
		c.Record.FirstName = "Changed"
		if err := tx.UpdateCustomer(ctx, c, meta); err != nil {
			return err
		}
		// The outer store with the transaction's context joins it too.
		if _, err := s.StartJobRun(ctx, "nightly"); err != nil {
			return err
		}
		if err := tx.UpsertSuggestion(ctx, &steward.Suggestion{CustomerIDs: []int64{kept.ID, c.ID + 1}, Probability: 0.9}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Atomic returned %v, want fn's error", err)
	}
	if n := count(t, s, ""); n != 1 {
		t.Errorf("after rollback %d customers, want 1", n)
	}
	sameCustomer(t, get(t, s, kept.ID), kept)
	_, err = s.LastJobRun(ctx, "nightly")
	wantCode(t, err, steward.ENOTFOUND)
	sgs, err := s.Suggestions(ctx, steward.SuggestionFilter{})
	must(t, err)
	if len(sgs) != 0 {
		t.Errorf("after rollback %d suggestions", len(sgs))
	}
	// The store is usable after a rollback.
	create(t, s, sample(2))
}

func testAtomicPanic(t *testing.T, s steward.Store) {
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not come through Atomic")
			}
		}()
		_ = s.Atomic(context.Background(), func(ctx context.Context, tx steward.Store) error {
			if err := tx.CreateCustomer(ctx, sample(1), meta); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if n := count(t, s, ""); n != 0 {
		t.Errorf("after a panic %d customers, want 0", n)
	}
	create(t, s, sample(1))
}

func testAtomicNested(t *testing.T, s steward.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inner := errors.New("inner")
	err := s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := tx.CreateCustomer(ctx, sample(1), meta); err != nil {
			return err
		}
		// A nested Atomic that fails undoes only its own writes.
		err := tx.Atomic(ctx, func(ctx context.Context, tx2 steward.Store) error {
			if err := tx2.CreateCustomer(ctx, sample(2), meta); err != nil {
				return err
			}
			return inner
		})
		if !errors.Is(err, inner) {
			return fmt.Errorf("nested Atomic returned %v", err)
		}
		// A nested Atomic on the outer store with this context joins as
		// well, and must not wait for the transaction it is part of.
		return s.Atomic(ctx, func(ctx context.Context, tx3 steward.Store) error {
			return s.CreateCustomer(ctx, sample(3), meta)
		})
	})
	must(t, err)
	var sources []string
	must(t, s.EachCustomer(ctx, steward.CustomerFilter{}, func(c *steward.Customer) error {
		sources = append(sources, c.Record.SourceID)
		return nil
	}))
	if want := []string{"S000001", "S000003"}; !reflect.DeepEqual(sources, want) {
		t.Errorf("after nested Atomic: %v, want %v", sources, want)
	}
}

func testAtomicFailedCall(t *testing.T, s steward.Store) {
	ctx := context.Background()
	create(t, s, sample(1))
	must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := tx.CreateCustomer(ctx, sample(2), meta); err != nil {
			return err
		}
		// A refused write inside the transaction is handled by the caller;
		// the transaction goes on.
		if err := tx.CreateCustomers(ctx, []*steward.Customer{sample(3), sample(1)}, meta); steward.ErrorCode(err) != steward.ECONFLICT {
			return fmt.Errorf("duplicate source in a transaction: %v, want ECONFLICT", err)
		}
		if _, err := tx.StartJobRun(ctx, "j"); err != nil {
			return err
		}
		if _, err := tx.StartJobRun(ctx, "j"); steward.ErrorCode(err) != steward.ECONFLICT {
			return fmt.Errorf("second run in a transaction: %v, want ECONFLICT", err)
		}
		c, err := tx.CustomerBySource(ctx, "shop", "S000002")
		if err != nil {
			return err
		}
		stale := *c
		c.Record.City = "Yazd"
		if err := tx.UpdateCustomer(ctx, c, meta); err != nil {
			return err
		}
		stale.Record.City = "Kerman"
		if err := tx.UpdateCustomer(ctx, &stale, meta); steward.ErrorCode(err) != steward.ECONFLICT {
			return fmt.Errorf("stale update in a transaction: %v, want ECONFLICT", err)
		}
		c.MergedInto, c.Status = 987654, steward.StatusMerged
		if err := tx.UpdateCustomer(ctx, c, meta); steward.ErrorCode(err) != steward.ENOTFOUND {
			return fmt.Errorf("merge into a missing customer in a transaction: %v, want ENOTFOUND", err)
		}
		return tx.CreateCustomer(ctx, sample(4), meta)
	}))
	c, err := s.CustomerBySource(ctx, "shop", "S000002")
	must(t, err)
	if c.Record.City != "Yazd" || c.Version != 2 || c.Status != steward.StatusActive {
		t.Errorf("after the transaction: %+v; want Yazd, version 2, active", c)
	}
	if changes, err := s.Changes(ctx, c.ID); err != nil || len(changes) == 0 || changes[len(changes)-1].After != "Yazd" {
		t.Errorf("changes after the transaction: %+v, %v", changes, err)
	}
	if n := count(t, s, ""); n != 3 {
		t.Errorf("%d customers, want 3 (1, 2, 4)", n)
	}
	if _, err := s.CustomerBySource(ctx, "shop", "S000003"); steward.ErrorCode(err) != steward.ENOTFOUND {
		t.Errorf("customer 3 of the refused batch: %v, want ENOTFOUND", err)
	}
}
