package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
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

// testTxOptionsRefused checks that an option that is not valid, and any
// option of a nested Atomic, is EINVALID before anything runs, and that
// the transaction around a refused nested Atomic goes on.
func testTxOptionsRefused(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ran := false
	wantCode(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		ran = true
		return nil
	}, steward.Exclusive("")), steward.EINVALID)
	if ran {
		t.Error("a transaction with a lock without a name ran")
	}
	must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := tx.CreateCustomer(ctx, sample(1), meta); err != nil {
			return err
		}
		nested := []struct {
			name string
			on   steward.Store
			opt  steward.TxOption
		}{
			{"AllOrNothing on the transaction's store", tx, steward.AllOrNothing()},
			{"Exclusive on the transaction's store", tx, steward.Exclusive("import")},
			{"Exclusive on the outer store with the transaction's context", s, steward.Exclusive("import")},
		}
		for _, tt := range nested {
			err := tt.on.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
				ran = true
				return tx.CreateCustomer(ctx, sample(2), meta)
			}, tt.opt)
			if steward.ErrorCode(err) != steward.EINVALID || ran {
				return fmt.Errorf("%s: %v (ran: %v), want EINVALID before running", tt.name, err, ran)
			}
		}
		return tx.CreateCustomer(ctx, sample(3), meta)
	}, steward.AllOrNothing()))
	if n := count(t, s, ""); n != 2 {
		t.Errorf("%d customers, want 2 (1 and 3)", n)
	}
}

// exclusiveCounter has a and b (two stores on one database, or one store
// twice) each add one to a counter kept in a customer's attribute, in
// Exclusive transactions that read it, take their time, then write it.
// The second starts while the first holds its lock: it must wait for the
// first to end and read what the first wrote, so the counter ends at 2
// and neither update is refused as stale.
func exclusiveCounter(t *testing.T, a, b steward.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := sample(1)
	c.Record.Attributes["counter"] = "0"
	create(t, a, c)
	const hold = 200 * time.Millisecond
	increment := func(s steward.Store, entered func()) error {
		return s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
			entered()
			got, err := tx.Customer(ctx, c.ID)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(got.Record.Attributes["counter"])
			if err != nil {
				return err
			}
			time.Sleep(hold)
			got.Record.Attributes["counter"] = strconv.Itoa(n + 1)
			return tx.UpdateCustomer(ctx, got, meta)
		}, steward.Exclusive("counter"))
	}
	var (
		wg                         sync.WaitGroup
		firstIn                    = make(chan struct{})
		firstErr, secondErr        error
		firstEntered, secondEnters time.Time
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		firstErr = increment(a, func() {
			firstEntered = time.Now()
			close(firstIn)
		})
	}()
	go func() {
		defer wg.Done()
		<-firstIn
		secondErr = increment(b, func() { secondEnters = time.Now() })
	}()
	wg.Wait()
	if firstErr != nil || secondErr != nil {
		t.Fatalf("increments: %v, %v", firstErr, secondErr)
	}
	if got := get(t, a, c.ID); got.Record.Attributes["counter"] != "2" || got.Version != 3 {
		t.Errorf("counter %s at version %d, want 2 at 3", got.Record.Attributes["counter"], got.Version)
	}
	if waited := secondEnters.Sub(firstEntered); waited < hold {
		t.Errorf("the second transaction began %v after the first, which held its lock for %v", waited, hold)
	}
}

// testExclusive checks that two goroutines' Exclusive transactions on one
// store (on PostgreSQL, two connections of its pool) serialize.
func testExclusive(t *testing.T, s steward.Store) {
	exclusiveCounter(t, s, s)
}

// testExclusiveAcrossProcesses checks that Exclusive transactions of two
// stores on one database, as two processes or instances have, serialize.
func testExclusiveAcrossProcesses(t *testing.T, db *Database) {
	exclusiveCounter(t, db.Store, db.OpenAgain(t))
}

// testExclusiveReleased checks that an Exclusive transaction's lock ends
// with it, whether it commits, rolls back or panics.
func testExclusiveReleased(t *testing.T, s steward.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	boom := errors.New("boom")
	err := s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := tx.CreateCustomer(ctx, sample(1), meta); err != nil {
			return err
		}
		return boom
	}, steward.Exclusive("job"))
	if !errors.Is(err, boom) {
		t.Fatalf("Atomic returned %v, want fn's error", err)
	}
	func() {
		defer func() { _ = recover() }()
		_ = s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error { panic("oops") }, steward.Exclusive("job"))
	}()
	for i := range 2 {
		must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
			return tx.CreateCustomer(ctx, sample(2+i), meta)
		}, steward.Exclusive("job"), steward.AllOrNothing()))
	}
	if n := count(t, s, ""); n != 2 {
		t.Errorf("%d customers, want 2", n)
	}
}
