package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// Migrator is implemented by stores that apply their own schema; Run checks
// that migrating an up-to-date store changes nothing.
type Migrator interface {
	Migrate(ctx context.Context) ([]string, error)
}

// Run runs the conformance suite against the stores open returns. open
// must return a new, empty, migrated store for each call and arrange its
// cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) steward.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s steward.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"NotFound", testNotFound},
		{"CreateAudit", testCreateAudit},
		{"CustomerBySource", testCustomerBySource},
		{"UpdateAudit", testUpdateAudit},
		{"UpdateNothing", testUpdateNothing},
		{"OptimisticLocking", testOptimisticLocking},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"AtomicCommit", testAtomicCommit},
		{"AtomicRollback", testAtomicRollback},
		{"AtomicPanic", testAtomicPanic},
		{"AtomicNested", testAtomicNested},
		{"AtomicFailedCallKeepsTransaction", testAtomicFailedCall},
		{"BatchCreate", testBatchCreate},
		{"BatchConflict", testBatchConflict},
		{"EachCustomer", testEachCustomer},
		{"EachCustomerWrites", testEachCustomerWrites},
		{"CountAndAttributeNames", testCountAndAttributeNames},
		{"SuggestionUpsert", testSuggestionUpsert},
		{"SuggestionOrder", testSuggestionOrder},
		{"SuggestionStatus", testSuggestionStatus},
		{"NotDuplicate", testNotDuplicate},
		{"JobRunLifecycle", testJobRunLifecycle},
		{"JobRunOverlap", testJobRunOverlap},
		{"JobRunAbandon", testJobRunAbandon},
		{"EmailChecks", testEmailChecks},
		{"MigrateTwice", testMigrateTwice},
		{"Generation", testGeneration},
		{"CustomerIDsBySource", testCustomerIDsBySource},
		{"UpsertSuggestions", testUpsertSuggestions},
		{"AllOrNothingDoomed", testAllOrNothingDoomed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
	t.Run("GenerationPerDatabase", func(t *testing.T) {
		testGenerationPerDatabase(t, open(t), open(t))
	})
	t.Run("AllOrNothingSame", func(t *testing.T) {
		testAllOrNothingSame(t, open(t), open(t))
	})
}

var meta = steward.Meta{Actor: "tester", Cause: "test"}

// sample returns a customer with every field set, distinct per i.
func sample(i int) *steward.Customer {
	return &steward.Customer{Record: steward.Record{
		Source:       "shop",
		SourceID:     fmt.Sprintf("S%06d", i),
		FirstName:    fmt.Sprintf("Sara%d", i),
		LastName:     "Ahmadi",
		Company:      "Acme",
		Email:        fmt.Sprintf("sara%d@example.com", i),
		Phone:        fmt.Sprintf("+98912%07d", i),
		AddressLine1: "12 Vali-Asr St",
		AddressLine2: "Unit 3",
		City:         "Tehran",
		Region:       "Tehran",
		PostalCode:   "1234567890",
		Country:      "IR",
		BirthDate:    "1990-01-02",
		NationalID:   "0012345678",
		Attributes:   map[string]string{"loyalty": "gold", "نام_مستعار": "سارا"},
	}}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := steward.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %s), want code %s", err, got, code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func create(t *testing.T, s steward.Store, c *steward.Customer) *steward.Customer {
	t.Helper()
	must(t, s.CreateCustomer(context.Background(), c, meta))
	return c
}

func get(t *testing.T, s steward.Store, id int64) *steward.Customer {
	t.Helper()
	c, err := s.Customer(context.Background(), id)
	must(t, err)
	return c
}

func count(t *testing.T, s steward.Store, status steward.Status) int64 {
	t.Helper()
	n, err := s.CountCustomers(context.Background(), status)
	must(t, err)
	return n
}

func sameCustomer(t *testing.T, got, want *steward.Customer) {
	t.Helper()
	if got.ID != want.ID || got.Status != want.Status || got.MergedInto != want.MergedInto || got.Version != want.Version {
		t.Errorf("customer = id %d %s into %d v%d, want id %d %s into %d v%d",
			got.ID, got.Status, got.MergedInto, got.Version, want.ID, want.Status, want.MergedInto, want.Version)
	}
	if !reflect.DeepEqual(got.Record, want.Record) {
		t.Errorf("record = %+v\nwant %+v", got.Record, want.Record)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("times = %v / %v, want %v / %v", got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
}

func testCreateAndGet(t *testing.T, s steward.Store) {
	before := time.Now().Add(-time.Second)
	c := create(t, s, sample(1))
	if c.ID <= 0 || c.Version != 1 || c.Status != steward.StatusActive {
		t.Fatalf("created id %d version %d status %q, want id > 0, version 1, active", c.ID, c.Version, c.Status)
	}
	if c.CreatedAt.Before(before) || !c.UpdatedAt.Equal(c.CreatedAt) {
		t.Errorf("timestamps %v / %v not set to now", c.CreatedAt, c.UpdatedAt)
	}
	sameCustomer(t, get(t, s, c.ID), c)

	empty := create(t, s, &steward.Customer{Record: steward.Record{Email: "only@example.com"}})
	if empty.ID == c.ID {
		t.Fatalf("two customers got id %d", c.ID)
	}
	sameCustomer(t, get(t, s, empty.ID), empty)

	merged := create(t, s, &steward.Customer{Status: steward.StatusMerged, MergedInto: c.ID,
		Record: steward.Record{FirstName: "Old"}})
	sameCustomer(t, get(t, s, merged.ID), merged)

	wantCode(t, s.CreateCustomer(context.Background(), &steward.Customer{Status: "deleted"}, meta), steward.EINVALID)
	orphan := make([]*steward.Customer, 150)
	for i := range orphan {
		orphan[i] = &steward.Customer{Status: steward.StatusMerged, MergedInto: 987654}
	}
	wantCode(t, s.CreateCustomers(context.Background(), orphan, meta), steward.ENOTFOUND)
	if n := count(t, s, ""); n != 3 {
		t.Errorf("%d customers after a refused batch, want 3", n)
	}
}

func testNotFound(t *testing.T, s steward.Store) {
	ctx := context.Background()
	_, err := s.Customer(ctx, 424242)
	wantCode(t, err, steward.ENOTFOUND)
	_, err = s.CustomerBySource(ctx, "shop", "nope")
	wantCode(t, err, steward.ENOTFOUND)
	wantCode(t, s.UpdateCustomer(ctx, &steward.Customer{ID: 424242, Version: 1, Status: steward.StatusActive}, meta), steward.ENOTFOUND)
	_, err = s.Suggestion(ctx, 424242)
	wantCode(t, err, steward.ENOTFOUND)
	_, err = s.JobRun(ctx, 424242)
	wantCode(t, err, steward.ENOTFOUND)
	_, err = s.LastJobRun(ctx, "never")
	wantCode(t, err, steward.ENOTFOUND)
	_, err = s.EmailCheck(ctx, 424242, "a@example.com")
	wantCode(t, err, steward.ENOTFOUND)
	changes, err := s.Changes(ctx, 424242)
	must(t, err)
	if len(changes) != 0 {
		t.Errorf("changes of a missing customer = %v", changes)
	}
}

func testCreateAudit(t *testing.T, s steward.Store) {
	c := create(t, s, sample(7))
	changes, err := s.Changes(context.Background(), c.ID)
	must(t, err)
	var fields []string
	for _, ch := range changes {
		if ch.CustomerID != c.ID || ch.Actor != meta.Actor || ch.Cause != meta.Cause || ch.Before != "" || !ch.At.Equal(c.CreatedAt) {
			t.Errorf("change %+v: want customer %d, actor, cause, empty before, at %v", ch, c.ID, c.CreatedAt)
		}
		if ch.After != c.Record.Get(ch.Field) {
			t.Errorf("change of %s after = %q, want %q", ch.Field, ch.After, c.Record.Get(ch.Field))
		}
		fields = append(fields, ch.Field)
	}
	want := append(steward.CanonicalFields(), c.Record.AttributeNames()...)
	if !reflect.DeepEqual(fields, want) {
		t.Errorf("created fields = %v, want %v", fields, want)
	}
}

func testCustomerBySource(t *testing.T, s steward.Store) {
	ctx := context.Background()
	c := create(t, s, sample(3))
	got, err := s.CustomerBySource(ctx, "shop", "S000003")
	must(t, err)
	sameCustomer(t, got, c)
	_, err = s.CustomerBySource(ctx, "crm", "S000003")
	wantCode(t, err, steward.ENOTFOUND)

	again := sample(3)
	again.Record.FirstName = "Other"
	wantCode(t, s.CreateCustomer(ctx, again, meta), steward.ECONFLICT)
	if n := count(t, s, ""); n != 1 {
		t.Errorf("a refused create left %d customers, want 1", n)
	}
	// A record without a source id is not linked, so many may share a source.
	for range 2 {
		create(t, s, &steward.Customer{Record: steward.Record{Source: "form", FirstName: "Anon"}})
	}
	_, err = s.CustomerBySource(ctx, "form", "")
	wantCode(t, err, steward.ENOTFOUND)
}

func testUpdateAudit(t *testing.T, s steward.Store) {
	ctx := context.Background()
	c := create(t, s, sample(1))
	created := c.UpdatedAt
	atCreation, err := s.Changes(ctx, c.ID)
	must(t, err)
	target := create(t, s, sample(2))
	c.Record.Email = "new@example.com"
	c.Record.Company = ""
	c.Record.Attributes = map[string]string{"loyalty": "silver", "segment": "b2c"}
	c.Record.Source = "ignored"
	c.Status = steward.StatusMerged
	c.MergedInto = target.ID
	must(t, s.UpdateCustomer(ctx, c, steward.Meta{Actor: "steward:ali", Cause: "decision:9"}))
	c.Record.Email = "newer@example.com"
	c.Record.Attributes["loyalty"] = "bronze"
	must(t, s.UpdateCustomer(ctx, c, steward.Meta{Actor: "steward:ali", Cause: "decision:9"}))
	if c.Version != 3 || c.UpdatedAt.Before(created) {
		t.Errorf("after updates version %d updated %v, want 3 and not before %v", c.Version, c.UpdatedAt, created)
	}
	if c.Record.Source != "shop" {
		t.Errorf("source changed to %q; it is fixed at creation", c.Record.Source)
	}
	sameCustomer(t, get(t, s, c.ID), c)

	changes, err := s.Changes(ctx, c.ID)
	must(t, err)
	// The creation entries still show the values the customer was created
	// with, however often it changed since.
	if len(changes) < len(atCreation) || !reflect.DeepEqual(changes[:len(atCreation)], atCreation) {
		t.Errorf("creation entries changed by updates:\n%+v\nwant\n%+v", changes, atCreation)
	}
	var got []string
	for _, ch := range changes[len(atCreation):] {
		if ch.Actor != "steward:ali" || ch.Cause != "decision:9" || ch.ID == 0 || ch.At.Before(created) {
			t.Errorf("change %+v: wrong actor, cause, id or time", ch)
		}
		got = append(got, ch.Field+":"+ch.Before+">"+ch.After)
	}
	want := []string{
		"company:Acme>",
		"email:sara1@example.com>new@example.com",
		"email:new@example.com>newer@example.com",
		"loyalty:gold>silver",
		"loyalty:silver>bronze",
		"segment:>b2c",
		"نام_مستعار:سارا>",
		"status:active>merged",
		fmt.Sprintf("merged_into:>%d", target.ID),
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("update changes =\n%q\nwant\n%q", got, want)
	}

	c.MergedInto = 987654
	wantCode(t, s.UpdateCustomer(ctx, c, meta), steward.ENOTFOUND)
}

func testUpdateNothing(t *testing.T, s steward.Store) {
	ctx := context.Background()
	c := create(t, s, sample(1))
	n0, err := s.Changes(ctx, c.ID)
	must(t, err)
	same := get(t, s, c.ID)
	must(t, s.UpdateCustomer(ctx, same, meta))
	if same.Version != 1 {
		t.Errorf("an update without changes made version %d", same.Version)
	}
	n1, err := s.Changes(ctx, c.ID)
	must(t, err)
	if len(n1) != len(n0) {
		t.Errorf("an update without changes recorded %d changes", len(n1)-len(n0))
	}
	sameCustomer(t, get(t, s, c.ID), c)
}

func testOptimisticLocking(t *testing.T, s steward.Store) {
	ctx := context.Background()
	c := create(t, s, sample(1))
	first, second := get(t, s, c.ID), get(t, s, c.ID)
	first.Record.FirstName = "First"
	second.Record.FirstName = "Second"
	second.Record.City = "Shiraz"
	must(t, s.UpdateCustomer(ctx, first, meta))
	err := s.UpdateCustomer(ctx, second, meta)
	wantCode(t, err, steward.ECONFLICT)
	if second.Version != 1 {
		t.Errorf("a refused update changed the caller's version to %d", second.Version)
	}
	stored := get(t, s, c.ID)
	if stored.Record.FirstName != "First" || stored.Record.City != "Tehran" || stored.Version != 2 {
		t.Errorf("stored after conflict: %s, %s, v%d; want First, Tehran, v2",
			stored.Record.FirstName, stored.Record.City, stored.Version)
	}
	changes, err := s.Changes(ctx, c.ID)
	must(t, err)
	for _, ch := range changes {
		if ch.After == "Second" || ch.After == "Shiraz" {
			t.Errorf("the refused update was audited: %+v", ch)
		}
	}
	// Reload and retry: the second writer succeeds on the current version.
	second.Version = stored.Version
	must(t, s.UpdateCustomer(ctx, second, meta))
	if got := get(t, s, c.ID); got.Record.FirstName != "Second" || got.Version != 3 {
		t.Errorf("after retry: %s v%d, want Second v3", got.Record.FirstName, got.Version)
	}
}

func testConcurrentUpdates(t *testing.T, s steward.Store) {
	ctx := context.Background()
	c := create(t, s, sample(1))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine, err := s.Customer(ctx, c.ID)
			if err != nil {
				errs[i] = err
				return
			}
			mine.Record.FirstName = fmt.Sprintf("Writer%d", i)
			errs[i] = s.UpdateCustomer(ctx, mine, meta)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch steward.ErrorCode(err) {
		case "":
			won++
		case steward.ECONFLICT:
		default:
			t.Errorf("concurrent update: %v", err)
		}
	}
	// Readers may see version 1 before or after a winner commits, so more
	// than one can win in turn; versions must still count every win.
	if got := get(t, s, c.ID); won == 0 || got.Version != int64(1+won) {
		t.Errorf("%d updates won, stored version %d; want ≥ 1 and version = 1 + wins", won, got.Version)
	}
}

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

func testBatchCreate(t *testing.T, s steward.Store) {
	ctx := context.Background()
	const n = 2503
	cs := make([]*steward.Customer, n)
	for i := range cs {
		cs[i] = sample(i)
		if i%10 == 0 {
			cs[i].Record.Attributes = nil
			cs[i].Record.Source = ""
		}
	}
	must(t, s.CreateCustomers(ctx, cs, meta))
	seen := make(map[int64]bool)
	for i, c := range cs {
		if c.ID <= 0 || seen[c.ID] || c.Version != 1 || c.Status != steward.StatusActive {
			t.Fatalf("customer %d: id %d version %d status %s", i, c.ID, c.Version, c.Status)
		}
		seen[c.ID] = true
	}
	if got := count(t, s, ""); got != n {
		t.Errorf("count = %d, want %d", got, n)
	}
	for _, i := range []int{0, 1, 99, 100, 101, 1234, n - 1} {
		sameCustomer(t, get(t, s, cs[i].ID), cs[i])
	}
	got, err := s.CustomerBySource(ctx, "shop", cs[1777].Record.SourceID)
	must(t, err)
	sameCustomer(t, got, cs[1777])
	changes, err := s.Changes(ctx, cs[n-1].ID)
	must(t, err)
	if len(changes) != 15 {
		t.Errorf("last customer of the batch has %d changes, want 15", len(changes))
	}
	must(t, s.CreateCustomers(ctx, nil, meta))
}

func testBatchConflict(t *testing.T, s steward.Store) {
	ctx := context.Background()
	create(t, s, sample(250))
	cs := make([]*steward.Customer, 300)
	for i := range cs {
		cs[i] = sample(i)
	}
	wantCode(t, s.CreateCustomers(ctx, cs, meta), steward.ECONFLICT)
	if n := count(t, s, ""); n != 1 {
		t.Errorf("a refused batch left %d customers, want 1", n)
	}
	if cs[0].ID != 0 {
		t.Errorf("a refused batch set ids")
	}
	twice := []*steward.Customer{sample(1), sample(1)}
	wantCode(t, s.CreateCustomers(ctx, twice, meta), steward.ECONFLICT)
}

func testEachCustomer(t *testing.T, s steward.Store) {
	ctx := context.Background()
	const n = 2345
	cs := make([]*steward.Customer, n)
	for i := range cs {
		cs[i] = sample(i)
		if i%7 == 3 {
			cs[i].Status = steward.StatusErased
		}
	}
	must(t, s.CreateCustomers(ctx, cs, meta))
	var want []int64
	for _, c := range cs {
		if c.Status == steward.StatusActive {
			want = append(want, c.ID)
		}
	}
	collect := func(f steward.CustomerFilter) []int64 {
		t.Helper()
		var ids []int64
		must(t, s.EachCustomer(ctx, f, func(c *steward.Customer) error {
			if f.Status != "" && c.Status != f.Status {
				t.Fatalf("customer %d has status %s, filter %s", c.ID, c.Status, f.Status)
			}
			ids = append(ids, c.ID)
			return nil
		}))
		return ids
	}
	if got := collect(steward.CustomerFilter{Status: steward.StatusActive}); !reflect.DeepEqual(got, want) {
		t.Errorf("active: %d ids, want %d in id order", len(got), len(want))
	}
	if got := collect(steward.CustomerFilter{}); len(got) != n || !sort.SliceIsSorted(got, func(i, j int) bool { return got[i] < got[j] }) {
		t.Errorf("all: %d ids, want %d ascending", len(got), n)
	}
	if got := collect(steward.CustomerFilter{Status: steward.StatusActive, AfterID: want[999]}); !reflect.DeepEqual(got, want[1000:]) {
		t.Errorf("after id %d: %d ids, want %d", want[999], len(got), len(want)-1000)
	}
	if got := collect(steward.CustomerFilter{Status: steward.StatusActive, AfterID: want[10], Limit: 1500}); !reflect.DeepEqual(got, want[11:1511]) {
		t.Errorf("limit 1500: %d ids", len(got))
	}
	if got := collect(steward.CustomerFilter{Status: steward.StatusMerged}); len(got) != 0 {
		t.Errorf("merged: %d ids, want none", len(got))
	}
	stop := errors.New("stop")
	seen := 0
	err := s.EachCustomer(ctx, steward.CustomerFilter{}, func(*steward.Customer) error {
		seen++
		if seen == 1500 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 1500 {
		t.Errorf("stopping: err %v after %d, want stop after 1500", err, seen)
	}
}

func testEachCustomerWrites(t *testing.T, s steward.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cs := make([]*steward.Customer, 1200)
	for i := range cs {
		cs[i] = sample(i)
	}
	must(t, s.CreateCustomers(ctx, cs, meta))
	// A nightly job updates what it iterates over.
	must(t, s.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		c.Record.City = "TEHRAN"
		return s.UpdateCustomer(ctx, c, meta)
	}))
	// And the same inside one transaction.
	must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		return tx.EachCustomer(ctx, steward.CustomerFilter{}, func(c *steward.Customer) error {
			c.Record.Region = "THR"
			return tx.UpdateCustomer(ctx, c, meta)
		})
	}))
	for _, i := range []int{0, 999, 1000, 1199} {
		if c := get(t, s, cs[i].ID); c.Record.City != "TEHRAN" || c.Record.Region != "THR" || c.Version != 3 {
			t.Errorf("customer %d: %s %s v%d", c.ID, c.Record.City, c.Record.Region, c.Version)
		}
	}
}

func testCountAndAttributeNames(t *testing.T, s steward.Store) {
	ctx := context.Background()
	names, err := s.AttributeNames(ctx, steward.StatusActive)
	must(t, err)
	if len(names) != 0 {
		t.Errorf("attribute names of an empty store: %v", names)
	}
	create(t, s, sample(1))
	b := sample(2)
	b.Status = steward.StatusErased
	b.Record.Attributes = map[string]string{"zzz": "1"}
	create(t, s, b)
	create(t, s, &steward.Customer{Record: steward.Record{FirstName: "x", Attributes: map[string]string{"age": "3"}}})
	for _, tt := range []struct {
		status steward.Status
		n      int64
		names  []string
	}{
		{"", 3, []string{"age", "loyalty", "zzz", "نام_مستعار"}},
		{steward.StatusActive, 2, []string{"age", "loyalty", "نام_مستعار"}},
		{steward.StatusErased, 1, []string{"zzz"}},
		{steward.StatusMerged, 0, []string{}},
	} {
		if got := count(t, s, tt.status); got != tt.n {
			t.Errorf("count(%q) = %d, want %d", tt.status, got, tt.n)
		}
		names, err := s.AttributeNames(ctx, tt.status)
		must(t, err)
		if !reflect.DeepEqual(names, tt.names) {
			t.Errorf("attribute names(%q) = %q, want %q", tt.status, names, tt.names)
		}
	}
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func customers(t *testing.T, s steward.Store, n int) []int64 {
	t.Helper()
	cs := make([]*steward.Customer, n)
	for i := range cs {
		cs[i] = sample(i)
	}
	must(t, s.CreateCustomers(context.Background(), cs, meta))
	ids := make([]int64, n)
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func testSuggestionUpsert(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ids := customers(t, s, 4)
	run, err := s.StartJobRun(ctx, "dedupe")
	must(t, err)
	ev := json.RawMessage(`{"fields": {"email": 9.5, "last_name": 2.1}}`)
	sg := &steward.Suggestion{CustomerIDs: []int64{ids[2], ids[0], ids[2]}, Probability: 0.8, Evidence: ev, RunID: run.ID}
	must(t, s.UpsertSuggestion(ctx, sg))
	if sg.ID == 0 || sg.Status != steward.SuggestionPending || !reflect.DeepEqual(sg.CustomerIDs, []int64{ids[0], ids[2]}) ||
		sg.RunID != run.ID || !sameJSON(sg.Evidence, ev) || sg.CreatedAt.IsZero() {
		t.Fatalf("new suggestion = %+v", sg)
	}
	first := *sg

	time.Sleep(2 * time.Millisecond)
	same := &steward.Suggestion{CustomerIDs: []int64{ids[2], ids[0]}, Probability: 0.8, Evidence: json.RawMessage(`{"fields":{"last_name":2.1,"email":9.5}}`)}
	must(t, s.UpsertSuggestion(ctx, same))
	if same.ID != first.ID || !same.UpdatedAt.Equal(first.UpdatedAt) || same.RunID != run.ID {
		t.Errorf("identical upsert changed the suggestion: %+v, was %+v", same, first)
	}

	better := &steward.Suggestion{CustomerIDs: []int64{ids[0], ids[2]}, Probability: 0.95, Evidence: json.RawMessage(`{"fields":{"email":12}}`)}
	must(t, s.UpsertSuggestion(ctx, better))
	if better.ID != first.ID || better.Probability != 0.95 || !sameJSON(better.Evidence, json.RawMessage(`{"fields":{"email":12}}`)) ||
		!better.UpdatedAt.After(first.UpdatedAt) || !better.CreatedAt.Equal(first.CreatedAt) {
		t.Errorf("changed upsert: %+v", better)
	}
	got, err := s.Suggestion(ctx, first.ID)
	must(t, err)
	if got.Probability != 0.95 {
		t.Errorf("stored probability %g, want 0.95", got.Probability)
	}

	three := &steward.Suggestion{CustomerIDs: []int64{ids[3], ids[1], ids[0]}, Probability: 0.5}
	must(t, s.UpsertSuggestion(ctx, three))
	if three.ID == first.ID || len(three.Evidence) != 0 {
		t.Errorf("a different member set reused suggestion %d or got evidence %s", three.ID, three.Evidence)
	}

	// Several dedupe workers finding the same set at once get one suggestion.
	var wg sync.WaitGroup
	sgIDs := make([]int64, 6)
	errs := make([]error, len(sgIDs))
	for i := range sgIDs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sg := &steward.Suggestion{CustomerIDs: []int64{ids[1], ids[2]}, Probability: 0.6 + float64(i)/100}
			errs[i] = s.UpsertSuggestion(ctx, sg)
			sgIDs[i] = sg.ID
		}()
	}
	wg.Wait()
	for i := range sgIDs {
		if errs[i] != nil || sgIDs[i] != sgIDs[0] || sgIDs[i] == 0 {
			t.Errorf("concurrent upsert %d: id %d, %v; want one shared id", i, sgIDs[i], errs[i])
		}
	}

	for _, bad := range []*steward.Suggestion{
		{CustomerIDs: []int64{ids[0]}, Probability: 0.5},
		{CustomerIDs: []int64{ids[0], ids[0]}, Probability: 0.5},
		{CustomerIDs: []int64{ids[0], ids[1]}, Probability: 1.5},
		{CustomerIDs: []int64{ids[0], ids[1]}, Probability: 0.5, Evidence: json.RawMessage(`{not json`)},
	} {
		wantCode(t, s.UpsertSuggestion(ctx, bad), steward.EINVALID)
	}
}

func testSuggestionOrder(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ids := customers(t, s, 12)
	probs := []float64{0.5, 0.9, 0.7, 0.9, 0.6, 0.99, 0.7, 0.51, 0.9, 0.3}
	var all []*steward.Suggestion
	for i, p := range probs {
		sg := &steward.Suggestion{CustomerIDs: []int64{ids[i], ids[i+1]}, Probability: p}
		must(t, s.UpsertSuggestion(ctx, sg))
		all = append(all, sg)
	}
	must(t, s.SetSuggestionStatus(ctx, all[3].ID, steward.SuggestionRejected, meta))
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Probability != all[j].Probability {
			return all[i].Probability > all[j].Probability
		}
		return all[i].ID < all[j].ID
	})
	idsOf := func(sgs []*steward.Suggestion) []int64 {
		out := []int64{}
		for _, sg := range sgs {
			out = append(out, sg.ID)
		}
		return out
	}
	got, err := s.Suggestions(ctx, steward.SuggestionFilter{})
	must(t, err)
	if want := idsOf(all); !reflect.DeepEqual(idsOf(got), want) {
		t.Errorf("all suggestions: %v, want %v", idsOf(got), want)
	}
	got, err = s.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending})
	must(t, err)
	var wantPending []int64
	for _, sg := range all {
		if stored, _ := s.Suggestion(ctx, sg.ID); stored.Status == steward.SuggestionPending {
			wantPending = append(wantPending, sg.ID)
		}
	}
	if len(wantPending) != 9 || !reflect.DeepEqual(idsOf(got), wantPending) {
		t.Errorf("pending: %v, want %v (9)", idsOf(got), wantPending)
	}
	// Page through the pending queue three at a time.
	var paged []int64
	after := int64(0)
	for {
		page, err := s.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending, Limit: 3, After: after})
		must(t, err)
		if len(page) == 0 {
			break
		}
		if len(page) > 3 {
			t.Fatalf("page of %d, limit 3", len(page))
		}
		paged = append(paged, idsOf(page)...)
		after = page[len(page)-1].ID
	}
	if !reflect.DeepEqual(paged, wantPending) {
		t.Errorf("paged: %v, want %v", paged, wantPending)
	}
}

func testSuggestionStatus(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ids := customers(t, s, 3)
	sg := &steward.Suggestion{CustomerIDs: []int64{ids[0], ids[1]}, Probability: 0.7}
	must(t, s.UpsertSuggestion(ctx, sg))
	must(t, s.SetSuggestionStatus(ctx, sg.ID, steward.SuggestionRejected, steward.Meta{Actor: "ali", Cause: "decision:1"}))
	got, err := s.Suggestion(ctx, sg.ID)
	must(t, err)
	if got.Status != steward.SuggestionRejected || got.DecidedBy != "ali" || got.DecisionCause != "decision:1" {
		t.Errorf("after rejecting: %+v", got)
	}
	// The next dedupe run finds the pair again: the decision stands.
	again := &steward.Suggestion{CustomerIDs: []int64{ids[1], ids[0]}, Probability: 0.99}
	must(t, s.UpsertSuggestion(ctx, again))
	if again.ID != sg.ID || again.Status != steward.SuggestionRejected || again.Probability != 0.7 {
		t.Errorf("re-suggesting a rejected pair: %+v", again)
	}
	wantCode(t, s.SetSuggestionStatus(ctx, 424242, steward.SuggestionMerged, meta), steward.ENOTFOUND)
	wantCode(t, s.SetSuggestionStatus(ctx, sg.ID, "maybe", meta), steward.EINVALID)
	must(t, s.SetSuggestionStatus(ctx, sg.ID, steward.SuggestionSkipped, meta))
	if got, _ := s.Suggestion(ctx, sg.ID); got.Status != steward.SuggestionSkipped {
		t.Errorf("status %s, want skipped", got.Status)
	}
}

func testNotDuplicate(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ids := customers(t, s, 4)
	pairs, err := s.NotDuplicatePairs(ctx)
	must(t, err)
	if len(pairs) != 0 {
		t.Errorf("pairs of an empty store: %v", pairs)
	}
	must(t, s.AddNotDuplicate(ctx, ids[2], ids[0], meta))
	must(t, s.AddNotDuplicate(ctx, ids[0], ids[2], meta))
	must(t, s.AddNotDuplicate(ctx, ids[1], ids[3], meta))
	pairs, err = s.NotDuplicatePairs(ctx)
	must(t, err)
	want := map[steward.Pair]bool{{A: ids[0], B: ids[2]}: true, {A: ids[1], B: ids[3]}: true}
	if !reflect.DeepEqual(pairs, want) {
		t.Errorf("pairs = %v, want %v", pairs, want)
	}
	if !pairs[steward.NewPair(ids[2], ids[0])] {
		t.Error("NewPair does not find a stored pair given in reverse")
	}
	wantCode(t, s.AddNotDuplicate(ctx, ids[1], ids[1], meta), steward.EINVALID)
	wantCode(t, s.AddNotDuplicate(ctx, ids[1], 424242, meta), steward.ENOTFOUND)
}

func testJobRunLifecycle(t *testing.T, s steward.Store) {
	ctx := context.Background()
	run, err := s.StartJobRun(ctx, "verify-emails")
	must(t, err)
	if run.ID == 0 || run.Status != steward.JobRunning || run.StartedAt.IsZero() || !run.FinishedAt.IsZero() {
		t.Fatalf("started run = %+v", run)
	}
	counts := map[string]int64{"checked": 1000, "invalid": 7}
	must(t, s.SaveCheckpoint(ctx, run.ID, "customer:1000", counts))
	got, err := s.JobRun(ctx, run.ID)
	must(t, err)
	if got.Checkpoint != "customer:1000" || !reflect.DeepEqual(got.Counts, counts) || got.Status != steward.JobRunning ||
		got.HeartbeatAt.Before(run.HeartbeatAt) {
		t.Errorf("after checkpoint: %+v", got)
	}
	last, err := s.LastJobRun(ctx, "verify-emails")
	must(t, err)
	if last.ID != run.ID {
		t.Errorf("last run %d, want %d", last.ID, run.ID)
	}
	wantCode(t, s.SaveCheckpoint(ctx, 424242, "x", nil), steward.ENOTFOUND)

	run.Status, run.Checkpoint, run.Counts = steward.JobSucceeded, "done", map[string]int64{"checked": 2000}
	must(t, s.FinishJobRun(ctx, run))
	got, err = s.JobRun(ctx, run.ID)
	must(t, err)
	if got.Status != steward.JobSucceeded || got.FinishedAt.IsZero() || !got.FinishedAt.Equal(run.FinishedAt) ||
		got.Checkpoint != "done" || got.Counts["checked"] != 2000 || got.Error != "" {
		t.Errorf("finished run = %+v", got)
	}
	wantCode(t, s.SaveCheckpoint(ctx, run.ID, "late", nil), steward.ECONFLICT)
	wantCode(t, s.FinishJobRun(ctx, run), steward.ECONFLICT)

	next, err := s.StartJobRun(ctx, "verify-emails")
	must(t, err)
	next.Status, next.Error = steward.JobFailed, "resolver down"
	must(t, s.FinishJobRun(ctx, next))
	last, err = s.LastJobRun(ctx, "verify-emails")
	must(t, err)
	if last.ID != next.ID || last.Status != steward.JobFailed || last.Error != "resolver down" {
		t.Errorf("last run = %+v", last)
	}
	bad := &steward.JobRun{ID: next.ID, Status: steward.JobRunning}
	wantCode(t, s.FinishJobRun(ctx, bad), steward.EINVALID)
	_, err = s.StartJobRun(ctx, "")
	wantCode(t, err, steward.EINVALID)
}

func testJobRunOverlap(t *testing.T, s steward.Store) {
	ctx := context.Background()
	first, err := s.StartJobRun(ctx, "dedupe")
	must(t, err)
	_, err = s.StartJobRun(ctx, "dedupe")
	wantCode(t, err, steward.ECONFLICT)
	_, err = s.StartJobRun(ctx, "standardize")
	must(t, err)
	first.Status = steward.JobSucceeded
	must(t, s.FinishJobRun(ctx, first))

	// Racing starters: exactly one wins.
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.StartJobRun(ctx, "dedupe")
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch steward.ErrorCode(err) {
		case "":
			won++
		case steward.ECONFLICT:
		default:
			t.Errorf("racing start: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d racing starts won, want exactly 1", won)
	}
}

func testJobRunAbandon(t *testing.T, s steward.Store) {
	ctx := context.Background()
	_, err := s.AbandonJobRun(ctx, "nightly", time.Now())
	wantCode(t, err, steward.ENOTFOUND)
	crashed, err := s.StartJobRun(ctx, "nightly")
	must(t, err)
	must(t, s.SaveCheckpoint(ctx, crashed.ID, "after:500", map[string]int64{"done": 500}))

	// The run is fresh: nobody may take it over.
	_, err = s.AbandonJobRun(ctx, "nightly", time.Now().Add(-time.Hour))
	wantCode(t, err, steward.ECONFLICT)

	// Later the process is known dead (heartbeat older than the limit).
	old, err := s.AbandonJobRun(ctx, "nightly", time.Now().Add(time.Second))
	must(t, err)
	if old.ID != crashed.ID || old.Status != steward.JobFailed || old.Checkpoint != "after:500" || old.Error == "" || old.Counts["done"] != 500 {
		t.Errorf("abandoned run = %+v", old)
	}
	resumed, err := s.StartJobRun(ctx, "nightly")
	must(t, err)
	last, err := s.LastJobRun(ctx, "nightly")
	must(t, err)
	if last.ID != resumed.ID {
		t.Errorf("last run %d, want the resumed %d", last.ID, resumed.ID)
	}
	// The crashed process, should it wake up, finds it lost the run.
	wantCode(t, s.SaveCheckpoint(ctx, crashed.ID, "after:600", nil), steward.ECONFLICT)
	got, err := s.JobRun(ctx, crashed.ID)
	must(t, err)
	if got.Status != steward.JobFailed || got.Checkpoint != "after:500" {
		t.Errorf("crashed run after takeover: %+v", got)
	}
}

func testEmailChecks(t *testing.T, s steward.Store) {
	ctx := context.Background()
	cs := make([]*steward.Customer, 6)
	for i := range cs {
		cs[i] = sample(i)
	}
	cs[4].Record.Email = ""
	cs[5].Status = steward.StatusMerged
	must(t, s.CreateCustomers(ctx, cs, meta))
	due := func(cutoff time.Time, after int64, limit int) []int64 {
		t.Helper()
		es, err := s.EmailsToCheck(ctx, cutoff, after, limit)
		must(t, err)
		var ids []int64
		for _, e := range es {
			c := get(t, s, e.CustomerID)
			if e.Email != c.Record.Email {
				t.Errorf("email to check %q, customer has %q", e.Email, c.Record.Email)
			}
			ids = append(ids, e.CustomerID)
		}
		return ids
	}
	t0 := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	all := []int64{cs[0].ID, cs[1].ID, cs[2].ID, cs[3].ID}
	if got := due(t0, 0, 100); !reflect.DeepEqual(got, all) {
		t.Errorf("never checked: %v, want %v", got, all)
	}
	must(t, s.RecordEmailCheck(ctx, cs[1].ID, cs[1].Record.Email, "valid", "mx", t0))
	must(t, s.RecordEmailCheck(ctx, cs[2].ID, cs[2].Record.Email, "invalid", "no_mx", t0.Add(-48*time.Hour)))
	if got := due(t0.Add(-time.Hour), 0, 100); !reflect.DeepEqual(got, []int64{cs[0].ID, cs[2].ID, cs[3].ID}) {
		t.Errorf("cutoff before the check: %v", got)
	}
	if got := due(t0.Add(time.Hour), 0, 100); !reflect.DeepEqual(got, all) {
		t.Errorf("cutoff after every check: %v", got)
	}
	if got := due(t0.Add(-time.Hour), cs[0].ID, 1); !reflect.DeepEqual(got, []int64{cs[2].ID}) {
		t.Errorf("after %d limit 1: %v", cs[0].ID, got)
	}
	// Re-checking replaces the verdict.
	must(t, s.RecordEmailCheck(ctx, cs[2].ID, cs[2].Record.Email, "valid", "mx", t0))
	ec, err := s.EmailCheck(ctx, cs[2].ID, cs[2].Record.Email)
	must(t, err)
	if ec.Verdict != "valid" || ec.Reason != "mx" || !ec.CheckedAt.Equal(t0) {
		t.Errorf("email check = %+v", ec)
	}
	// A new address is due again however recent the old one's check.
	c := get(t, s, cs[1].ID)
	c.Record.Email = "moved@example.org"
	must(t, s.UpdateCustomer(ctx, c, meta))
	if got := due(t0.Add(-time.Hour), 0, 100); !reflect.DeepEqual(got, []int64{cs[0].ID, cs[1].ID, cs[3].ID}) {
		t.Errorf("after an address change: %v", got)
	}
	wantCode(t, s.RecordEmailCheck(ctx, 424242, "x@example.com", "valid", "", t0), steward.ENOTFOUND)
	wantCode(t, s.RecordEmailCheck(ctx, cs[0].ID, "x@example.com", "", "", t0), steward.EINVALID)
	_, err = s.EmailsToCheck(ctx, t0, 0, 0)
	wantCode(t, err, steward.EINVALID)
}

func testMigrateTwice(t *testing.T, s steward.Store) {
	m, ok := s.(Migrator)
	if !ok {
		t.Skip("the store does not migrate itself")
	}
	c := create(t, s, sample(1))
	for range 2 {
		applied, err := m.Migrate(context.Background())
		must(t, err)
		if len(applied) != 0 {
			t.Errorf("migrating a migrated store applied %v", applied)
		}
	}
	sameCustomer(t, get(t, s, c.ID), c)
}
