package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

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
	// By ids: those asked for, ascending, with the other filters.
	byIDs := []int64{cs[5].ID, cs[3].ID, cs[2000].ID, 999999, cs[0].ID}
	if got := collect(steward.CustomerFilter{IDs: byIDs}); !reflect.DeepEqual(got, []int64{cs[0].ID, cs[3].ID, cs[5].ID, cs[2000].ID}) {
		t.Errorf("by ids: %v", got)
	}
	if got := collect(steward.CustomerFilter{IDs: byIDs, Status: steward.StatusActive}); !reflect.DeepEqual(got, []int64{cs[0].ID, cs[5].ID, cs[2000].ID}) {
		t.Errorf("active by ids: %v", got)
	}
	if got := collect(steward.CustomerFilter{IDs: []int64{}}); len(got) != 0 {
		t.Errorf("no ids: %v", got)
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

func testCustomerIDsBySource(t *testing.T, s steward.Store) {
	ctx := context.Background()
	got, err := s.CustomerIDsBySource(ctx, nil)
	must(t, err)
	if got == nil || len(got) != 0 {
		t.Errorf("no refs gave %v, want an empty map", got)
	}
	// More refs than any backend sends in one query, from two sources.
	const n = 10050
	cs := make([]*steward.Customer, n)
	for i := range cs {
		cs[i] = sample(i)
		if i%3 == 0 {
			cs[i].Record.Source = "crm"
		}
	}
	cs[7].Record.Source = "" // no source record
	must(t, s.CreateCustomers(ctx, cs, meta))
	merged := cs[4]
	merged.Status, merged.MergedInto = steward.StatusMerged, cs[5].ID
	must(t, s.UpdateCustomer(ctx, merged, meta))

	var refs []steward.SourceRef
	want := make(map[steward.SourceRef]int64)
	for i, c := range cs {
		r := steward.SourceRef{Source: c.Record.Source, ID: c.Record.SourceID}
		refs = append(refs, r)
		if i != 7 {
			want[r] = c.ID
		}
	}
	unknown := []steward.SourceRef{
		{Source: "shop", ID: cs[0].Record.SourceID}, // the id is crm's
		{Source: "crm", ID: cs[1].Record.SourceID},  // the id is shop's
		{Source: "shop", ID: "nope"},
		{Source: "", ID: cs[7].Record.SourceID},
		{Source: "other", ID: "S000001"},
	}
	refs = append(refs, unknown...)
	refs = append(refs, refs[3], refs[4]) // asked twice
	got, err = s.CustomerIDsBySource(ctx, refs)
	must(t, err)
	if len(got) != len(want) {
		t.Errorf("%d refs found, want %d", len(got), len(want))
	}
	for r, id := range want {
		if got[r] != id {
			t.Errorf("ref %v: customer %d, want %d", r, got[r], id)
			break
		}
	}
	for _, r := range unknown {
		if id, ok := got[r]; ok {
			t.Errorf("unknown ref %v found as %d", r, id)
		}
	}
	if got[steward.SourceRef{Source: merged.Record.Source, ID: merged.Record.SourceID}] != merged.ID {
		t.Error("a merged customer's source record is not found")
	}

	// Inside a transaction it sees the transaction's own writes.
	must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		c := sample(n + 1)
		if err := tx.CreateCustomer(ctx, c, meta); err != nil {
			return err
		}
		r := steward.SourceRef{Source: c.Record.Source, ID: c.Record.SourceID}
		got, err := tx.CustomerIDsBySource(ctx, []steward.SourceRef{r, refs[1]})
		if err != nil {
			return err
		}
		if want := map[steward.SourceRef]int64{r: c.ID, refs[1]: cs[1].ID}; !reflect.DeepEqual(got, want) {
			return fmt.Errorf("in a transaction: %v, want %v", got, want)
		}
		return nil
	}))
}
