package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/merge"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/rules"
)

// mergeService is a merge service under the default rules.
func mergeService(t testing.TB) *merge.Service {
	t.Helper()
	svc, err := merge.New(gate.Policy{Survivorship: rules.Default().Survivorship})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// person is a customer of source src with the given values; kv pairs
// set further fields or attributes.
func person(src, id, first, last, email string, kv ...string) *steward.Customer {
	r := steward.Record{Source: src, SourceID: id, FirstName: first, LastName: last, Email: email, Country: "IR"}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Set(kv[i], kv[i+1])
	}
	return &steward.Customer{Record: r}
}

// fresh creates n customers whose source records no other call made.
func fresh(t *testing.T, s steward.Store, n int) []int64 {
	t.Helper()
	cs := make([]*steward.Customer, n)
	for i := range cs {
		cs[i] = sample(i)
		cs[i].Record.SourceID = fmt.Sprintf("F%d-%d", freshCount.Add(1), i)
	}
	must(t, s.CreateCustomers(context.Background(), cs, meta))
	ids := make([]int64, n)
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

var freshCount atomic.Int64

// export writes the active customers of s as steward export does: the
// canonical columns and every attribute in use, in id order.
func export(t *testing.T, s steward.Store) []byte {
	t.Helper()
	ctx := context.Background()
	attrs, err := s.AttributeNames(ctx, steward.StatusActive)
	must(t, err)
	var buf bytes.Buffer
	w := records.NewWriter(&buf, attrs)
	w.Raw = true
	must(t, s.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		r := c.Record
		r.Source, r.SourceID = "steward", fmt.Sprint(c.ID) // the steward ids, so a customer's row is its own
		return w.Write(&r)
	}))
	must(t, w.Flush())
	return buf.Bytes()
}

// resolution maps every source record of cs to the customer it resolves
// to.
func resolution(t *testing.T, s steward.Store, cs ...*steward.Customer) map[steward.SourceRef]int64 {
	t.Helper()
	refs := make([]steward.SourceRef, len(cs))
	for i, c := range cs {
		refs[i] = steward.SourceRef{Source: c.Record.Source, ID: c.Record.SourceID}
	}
	got, err := s.CustomerIDsBySource(context.Background(), refs)
	must(t, err)
	return got
}

func testMergeRecords(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ids := customers(t, s, 3)
	a, b := get(t, s, ids[0]), get(t, s, ids[1])
	m := &steward.Merge{SurvivorID: a.ID, Actor: "sara", Cause: "api",
		Members: []steward.MergeMember{
			{CustomerID: a.ID, Before: *a, SourceRefs: []steward.SourceRef{{Source: "shop", ID: a.Record.SourceID}}},
			{CustomerID: b.ID, Before: *b},
		},
		Choices: []steward.FieldChoice{{Field: "email", Value: b.Record.Email, From: b.ID, By: steward.BySteward, Differs: true}},
		After:   b.Record, Cleared: []steward.Pair{{A: a.ID, B: ids[2]}}}
	must(t, s.CreateMerge(ctx, m))
	if m.ID == 0 || m.Version != 1 || m.Status != steward.MergeActive || m.CreatedAt.IsZero() {
		t.Fatalf("created merge %+v: want id, version 1, active, a time", m)
	}
	got, err := s.Merge(ctx, m.ID)
	must(t, err)
	if !reflect.DeepEqual(got, m) {
		t.Errorf("merge read back\n%+v\nwant\n%+v", got, m)
	}
	// A second merge, of b and c, to filter and page.
	c := get(t, s, ids[2])
	m2 := &steward.Merge{SurvivorID: c.ID, Members: []steward.MergeMember{{CustomerID: b.ID, Before: *b}, {CustomerID: c.ID, Before: *c}}}
	must(t, s.CreateMerge(ctx, m2))
	tests := []struct {
		name string
		f    steward.MergeFilter
		want []int64
	}{
		{"all, newest first", steward.MergeFilter{}, []int64{m2.ID, m.ID}},
		{"of a member", steward.MergeFilter{CustomerID: a.ID}, []int64{m.ID}},
		{"of a member of both", steward.MergeFilter{CustomerID: b.ID}, []int64{m2.ID, m.ID}},
		{"page", steward.MergeFilter{Before: m2.ID, Limit: 1}, []int64{m.ID}},
		{"limit", steward.MergeFilter{Limit: 1}, []int64{m2.ID}},
		{"undone", steward.MergeFilter{Status: steward.MergeUndone}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := s.Merges(ctx, tt.f)
			must(t, err)
			var gotIDs []int64
			for _, m := range ms {
				gotIDs = append(gotIDs, m.ID)
			}
			if !slices.Equal(gotIDs, tt.want) {
				t.Errorf("merges %v, want %v", gotIDs, tt.want)
			}
		})
	}
	// Undo: the version decides.
	stale := *got
	got.Status, got.UndoneBy, got.UndoneAt = steward.MergeUndone, "reza", got.CreatedAt.Add(1e9)
	got.Members[1].TakenOutBy = "reza"
	must(t, s.UpdateMerge(ctx, got))
	if got.Version != 2 {
		t.Errorf("version after an update %d, want 2", got.Version)
	}
	again, err := s.Merge(ctx, m.ID)
	must(t, err)
	if !reflect.DeepEqual(again, got) {
		t.Errorf("updated merge read back\n%+v\nwant\n%+v", again, got)
	}
	wantCode(t, s.UpdateMerge(ctx, &stale), steward.ECONFLICT)
	missing := *got
	missing.ID = 424242
	wantCode(t, s.UpdateMerge(ctx, &missing), steward.ENOTFOUND)
	_, err = s.Merge(ctx, 424242)
	wantCode(t, err, steward.ENOTFOUND)
	if ms, err := s.Merges(ctx, steward.MergeFilter{Status: steward.MergeUndone}); err != nil || len(ms) != 1 || ms[0].ID != m.ID {
		t.Errorf("undone merges %v (%v), want merge %d", ms, err, m.ID)
	}
	// What no store keeps.
	invalid := []struct {
		name string
		m    *steward.Merge
	}{
		{"one member", &steward.Merge{SurvivorID: a.ID, Members: []steward.MergeMember{{CustomerID: a.ID, Before: *a}}}},
		{"survivor not a member", &steward.Merge{SurvivorID: c.ID, Members: []steward.MergeMember{{CustomerID: a.ID, Before: *a}, {CustomerID: b.ID, Before: *b}}}},
		{"out of order", &steward.Merge{SurvivorID: a.ID, Members: []steward.MergeMember{{CustomerID: b.ID, Before: *b}, {CustomerID: a.ID, Before: *a}}}},
		{"no before-image", &steward.Merge{SurvivorID: a.ID, Members: []steward.MergeMember{{CustomerID: a.ID, Before: *a}, {CustomerID: b.ID}}}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, s.CreateMerge(ctx, tt.m), steward.EINVALID) })
	}
	ghost := steward.Customer{ID: 424242}
	wantCode(t, s.CreateMerge(ctx, &steward.Merge{SurvivorID: a.ID, Members: []steward.MergeMember{{CustomerID: a.ID, Before: *a}, {CustomerID: 424242, Before: ghost}}}), steward.ENOTFOUND)
	wantCode(t, s.CreateMerge(ctx, &steward.Merge{SurvivorID: a.ID, SuggestionID: 424242, Members: []steward.MergeMember{{CustomerID: a.ID, Before: *a}, {CustomerID: b.ID, Before: *b}}}), steward.ENOTFOUND)
}

func testSourceRefs(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ids := customers(t, s, 3)
	refs, err := s.SourceRefs(ctx, ids[0])
	must(t, err)
	if want := []steward.SourceRef{{Source: "shop", ID: "S000000"}}; !reflect.DeepEqual(refs, want) {
		t.Fatalf("source refs %v, want %v", refs, want)
	}
	must(t, s.MoveSourceRefs(ctx, []steward.SourceRef{{Source: "shop", ID: "S000000"}, {Source: "shop", ID: "S000002"}}, ids[1]))
	refs, err = s.SourceRefs(ctx, ids[1])
	must(t, err)
	if want := []steward.SourceRef{{Source: "shop", ID: "S000000"}, {Source: "shop", ID: "S000001"}, {Source: "shop", ID: "S000002"}}; !reflect.DeepEqual(refs, want) {
		t.Errorf("source refs after the move %v, want %v", refs, want)
	}
	if c, err := s.CustomerBySource(ctx, "shop", "S000000"); err != nil || c.ID != ids[1] {
		t.Errorf("shop/S000000 resolves to %v (%v), want customer %d", c, err, ids[1])
	}
	if refs, err := s.SourceRefs(ctx, ids[0]); err != nil || len(refs) != 0 {
		t.Errorf("source refs of a customer left with none: %v (%v)", refs, err)
	}
	// All or nothing: one unknown ref moves none.
	wantCode(t, s.MoveSourceRefs(ctx, []steward.SourceRef{{Source: "shop", ID: "S000001"}, {Source: "shop", ID: "nope"}}, ids[0]), steward.ENOTFOUND)
	wantCode(t, s.MoveSourceRefs(ctx, []steward.SourceRef{{Source: "shop", ID: "S000001"}}, 424242), steward.ENOTFOUND)
	if c, err := s.CustomerBySource(ctx, "shop", "S000001"); err != nil || c.ID != ids[1] {
		t.Errorf("a failed move moved shop/S000001 to %v (%v)", c, err)
	}
	// MergedInto lists the customers merged into one.
	for _, id := range []int64{ids[2], ids[0]} {
		c := get(t, s, id)
		c.Status, c.MergedInto = steward.StatusMerged, ids[1]
		must(t, s.UpdateCustomer(ctx, c, meta))
	}
	got, err := s.MergedInto(ctx, ids[1])
	must(t, err)
	if want := []int64{ids[0], ids[2]}; !slices.Equal(got, want) {
		t.Errorf("merged into %d: %v, want %v", ids[1], got, want)
	}
}

// testNotDuplicateCleared: a mark holds until one of its customers
// changes in a matched field, whoever changes it; a mark cleared can be
// set again.
func testNotDuplicateCleared(t *testing.T, s steward.Store) {
	ctx := context.Background()
	fields := append(steward.CanonicalFields(), "loyalty")
	for _, f := range fields {
		t.Run(f, func(t *testing.T) {
			ids := fresh(t, s, 3)
			must(t, s.AddNotDuplicate(ctx, ids[0], ids[1], meta))
			must(t, s.AddNotDuplicate(ctx, ids[1], ids[2], meta))
			c := get(t, s, ids[1])
			c.Record.Set(f, c.Record.Get(f)+"x")
			must(t, s.UpdateCustomer(ctx, c, meta))
			pairs, err := s.NotDuplicatePairs(ctx)
			must(t, err)
			cleared := slices.Contains(steward.MatchedFields(), f)
			for _, p := range []steward.Pair{steward.NewPair(ids[0], ids[1]), steward.NewPair(ids[1], ids[2])} {
				if pairs[p] == cleared {
					t.Errorf("after a change of %s the mark %v holds: %v, want %v", f, p, pairs[p], !cleared)
				}
			}
			of, err := s.NotDuplicatesOf(ctx, []int64{ids[1]})
			must(t, err)
			if (len(of) == 0) != cleared {
				t.Errorf("marks of customer %d after a change of %s: %v", ids[1], f, of)
			}
			// Marked again, it holds again.
			must(t, s.AddNotDuplicate(ctx, ids[1], ids[0], meta))
			pairs, err = s.NotDuplicatePairs(ctx)
			must(t, err)
			if !pairs[steward.NewPair(ids[0], ids[1])] {
				t.Errorf("a mark set again after it was cleared does not hold")
			}
		})
	}
	// A change rolled back clears nothing.
	ids := fresh(t, s, 2)
	must(t, s.AddNotDuplicate(ctx, ids[0], ids[1], meta))
	boom := errors.New("boom")
	err := s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		c := get(t, tx, ids[0])
		c.Record.Email = "new@example.com"
		must(t, tx.UpdateCustomer(ctx, c, meta))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if of, err := s.NotDuplicatesOf(ctx, []int64{ids[0]}); err != nil || len(of) != 1 {
		t.Errorf("marks after a rolled back change %v (%v), want the one", of, err)
	}
}

// testMergeCustomers merges three customers with a steward's overrides
// and checks everything a merge promises.
func testMergeCustomers(t *testing.T, s steward.Store) {
	ctx := context.Background()
	svc := mergeService(t)
	a := create(t, s, person("shop", "a1", "Ali", "Rezaei", "ali@example.com", "email_opt_out", "false", "loyalty", "gold", "phone", "+989121111111"))
	b := create(t, s, person("crm", "b1", "Ali", "Rezaei-Tehrani", "ali.r@example.com", "email_opt_out", "true", "city", "Tehran"))
	c := create(t, s, person("web", "c1", "Aly", "Rezaei", "", "sms_opt_out", "no"))
	other := create(t, s, person("web", "d1", "Sara", "Karimi", "sara@example.com"))
	must(t, s.AddNotDuplicate(ctx, a.ID, other.ID, meta))
	sg := &steward.Suggestion{CustomerIDs: []int64{a.ID, b.ID, c.ID}, Probability: 0.9}
	must(t, s.UpsertSuggestion(ctx, sg))

	// Refused before anything is written.
	refused := []struct {
		name  string
		req   merge.Request
		code  string
		field string
	}{
		{"one customer", merge.Request{CustomerIDs: []int64{a.ID, a.ID}}, steward.EINVALID, "customer_ids"},
		{"unknown customer", merge.Request{CustomerIDs: []int64{a.ID, 424242}}, steward.ENOTFOUND, "customer_ids"},
		{"survivor not a member", merge.Request{CustomerIDs: []int64{a.ID, b.ID}, SurvivorID: c.ID}, steward.EINVALID, "survivor_id"},
		{"override of consent", merge.Request{CustomerIDs: []int64{a.ID, b.ID}, Overrides: []merge.Override{{Field: "email_opt_out", From: a.ID}}}, steward.EINVALID, "email_opt_out"},
		{"override from a stranger", merge.Request{CustomerIDs: []int64{a.ID, b.ID}, Overrides: []merge.Override{{Field: "email", From: other.ID}}}, steward.EINVALID, "email"},
		{"override of the source", merge.Request{CustomerIDs: []int64{a.ID, b.ID}, Overrides: []merge.Override{{Field: "source", Value: ptr("x")}}}, steward.EINVALID, "source"},
		{"invalid typed email", merge.Request{CustomerIDs: []int64{a.ID, b.ID}, Overrides: []merge.Override{{Field: "email", Value: ptr("ali@@example")}}}, steward.EINVALID, "email"},
		{"NUL typed", merge.Request{CustomerIDs: []int64{a.ID, b.ID}, Overrides: []merge.Override{{Field: "company", Value: ptr("A\x00B")}}}, steward.EINVALID, "company"},
		{"stale version", merge.Request{CustomerIDs: []int64{a.ID, b.ID}, Versions: map[int64]int64{b.ID: 7}}, steward.ECONFLICT, ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Merge(ctx, s, tt.req, meta)
			wantCode(t, err, tt.code)
			if tt.field != "" && steward.ErrorField(err) != tt.field {
				t.Errorf("error %v names field %q, want %q", err, steward.ErrorField(err), tt.field)
			}
			if !strings.HasSuffix(steward.ErrorMessage(err), ".") || len(steward.ErrorMessage(err)) < 20 {
				t.Errorf("message %q is not a sentence for a steward", steward.ErrorMessage(err))
			}
		})
	}
	if n := count(t, s, steward.StatusActive); n != 4 {
		t.Fatalf("%d active customers after refused merges, want 4", n)
	}

	req := merge.Request{CustomerIDs: []int64{c.ID, b.ID, a.ID}, SurvivorID: b.ID, SuggestionID: sg.ID,
		Versions:  map[int64]int64{a.ID: a.Version, b.ID: b.Version},
		Overrides: []merge.Override{{Field: "first_name", From: c.ID}, {Field: "phone", Value: ptr("0912 222 3333")}, {Field: "note", Value: ptr("=HYPERLINK(\"x\")")}}}
	preview, err := svc.Preview(ctx, s, req)
	must(t, err)
	res, err := svc.Merge(ctx, s, req, steward.Meta{Actor: "sara", Cause: "api"})
	must(t, err)
	if !reflect.DeepEqual(res.Survivor.Record, preview.Record) {
		t.Errorf("merged\n%+v\npreviewed\n%+v", res.Survivor.Record, preview.Record)
	}
	want := steward.Record{Source: "crm", SourceID: "b1", FirstName: "Aly", LastName: "Rezaei-Tehrani",
		Email: "ali.r@example.com", Phone: "+989122223333", City: "Tehran", Country: "IR",
		Attributes: map[string]string{"email_opt_out": "true", "sms_opt_out": "no", "loyalty": "gold", "note": "=HYPERLINK(\"x\")"}}
	sv := get(t, s, b.ID)
	if !reflect.DeepEqual(sv.Record, want) {
		t.Errorf("survivor\n%+v\nwant\n%+v", sv.Record, want)
	}
	for _, id := range []int64{a.ID, c.ID} {
		if m := get(t, s, id); m.Status != steward.StatusMerged || m.MergedInto != b.ID {
			t.Errorf("customer %d is %s into %d, want merged into %d", id, m.Status, m.MergedInto, b.ID)
		}
	}
	for ref, id := range resolution(t, s, a, b, c) {
		if id != b.ID {
			t.Errorf("%v resolves to %d, want the survivor %d", ref, id, b.ID)
		}
	}
	if got, err := s.MergedInto(ctx, b.ID); err != nil || !slices.Equal(got, []int64{a.ID, c.ID}) {
		t.Errorf("merged into the survivor: %v (%v)", got, err)
	}
	// The merge as kept: who, the before-images, the choices.
	mg, err := s.Merge(ctx, res.Merge.ID)
	must(t, err)
	if mg.Actor != "sara" || mg.SurvivorID != b.ID || mg.SuggestionID != sg.ID || mg.SuggestionStatus != steward.SuggestionPending || len(mg.Members) != 3 {
		t.Errorf("merge %+v", mg)
	}
	if mm := mg.Member(a.ID); mm == nil || !reflect.DeepEqual(mm.Before.Record, a.Record) || mm.Before.Version != a.Version ||
		!reflect.DeepEqual(mm.SourceRefs, []steward.SourceRef{{Source: "shop", ID: "a1"}}) {
		t.Errorf("member %d kept as %+v", a.ID, mm)
	}
	byField := make(map[string]steward.FieldChoice)
	for _, ch := range mg.Choices {
		byField[ch.Field] = ch
	}
	for f, want := range map[string]steward.FieldChoice{
		"first_name":    {Field: "first_name", Value: "Aly", From: c.ID, By: steward.BySteward, Differs: true},
		"phone":         {Field: "phone", Value: "+989122223333", By: steward.BySteward},
		"email_opt_out": {Field: "email_opt_out", Value: "true", From: b.ID, Strategy: steward.MostRestrictive, By: steward.ByConsent, Differs: true},
	} {
		if byField[f] != want {
			t.Errorf("choice of %s %+v, want %+v", f, byField[f], want)
		}
	}
	// Audit: every change caused by the merge.
	changes, err := s.Changes(ctx, a.ID)
	must(t, err)
	if last := changes[len(changes)-1]; last.Cause != fmt.Sprintf("merge:%d", mg.ID) || last.Actor != "sara" || last.Field != steward.ColumnMergedInto {
		t.Errorf("last change of a merged member %+v", last)
	}
	if got, err := s.Suggestion(ctx, sg.ID); err != nil || got.Status != steward.SuggestionMerged {
		t.Errorf("suggestion after the merge %+v (%v), want merged", got, err)
	}
	// A merged customer cannot be merged again; its survivor can.
	_, err = svc.Merge(ctx, s, merge.Request{CustomerIDs: []int64{a.ID, other.ID}}, meta)
	wantCode(t, err, steward.ECONFLICT)
	var ce *merge.ConflictError
	if !errors.As(err, &ce) || len(ce.Current) != 2 || ce.Current[0].Status != steward.StatusMerged {
		t.Errorf("conflict %#v, want one with the customers as they are", err)
	}
	got, via, err := merge.Resolve(ctx, s, a.ID)
	if err != nil || got.ID != b.ID || !slices.Equal(via, []int64{a.ID}) {
		t.Errorf("resolve %d: %v via %v (%v), want %d", a.ID, got, via, err, b.ID)
	}
}

func ptr(s string) *string { return &s }

// testMergeUndo is the property that undo gives back the database as it
// was: for random clusters, survivors and overrides, the export and every
// source record's resolution are the same before the merge and after its
// undo; so are the not-duplicate marks and the suggestion.
func testMergeUndo(t *testing.T, s steward.Store) {
	ctx := context.Background()
	svc := mergeService(t)
	rng := rand.New(rand.NewPCG(16, 1))
	var all []*steward.Customer
	for i := range 12 {
		c := person([]string{"shop", "crm", "web"}[i%3], fmt.Sprint("u", i), []string{"Ali", "Sara", "Reza", "Mina"}[rng.IntN(4)],
			"Ahmadi", fmt.Sprintf("p%d@example.com", rng.IntN(5)), "loyalty", []string{"gold", "", "silver"}[rng.IntN(3)],
			"email_opt_out", []string{"true", "false", ""}[rng.IntN(3)], "city", []string{"Tehran", "Karaj", ""}[rng.IntN(3)])
		all = append(all, create(t, s, c))
	}
	must(t, s.AddNotDuplicate(ctx, all[0].ID, all[11].ID, meta))
	for round := range 8 {
		n := 2 + rng.IntN(4)
		perm := rng.Perm(len(all))[:n]
		var ids []int64
		for _, p := range perm {
			ids = append(ids, all[p].ID)
		}
		if round == 0 {
			ids = []int64{all[0].ID, all[1].ID} // the survivor's marks come back too
		}
		sg := &steward.Suggestion{CustomerIDs: ids, Probability: 0.7}
		must(t, s.UpsertSuggestion(ctx, sg))
		req := merge.Request{CustomerIDs: ids, SurvivorID: ids[rng.IntN(len(ids))], SuggestionID: sg.ID}
		if rng.IntN(2) == 0 {
			req.Overrides = []merge.Override{{Field: "email", From: ids[rng.IntN(len(ids))]}, {Field: "company", Value: ptr("Acme")}}
		}
		before, refs := export(t, s), resolution(t, s, all...)
		marks, err := s.NotDuplicatePairs(ctx)
		must(t, err)
		res, err := svc.Merge(ctx, s, req, meta)
		must(t, err)
		if bytes.Equal(export(t, s), before) {
			t.Fatalf("round %d: the merge changed nothing in the export", round)
		}
		_, err = svc.Undo(ctx, s, res.Merge.ID, res.Merge.Version, steward.Meta{Actor: "reza", Cause: "api"})
		must(t, err)
		if after := export(t, s); !bytes.Equal(after, before) {
			t.Fatalf("round %d (merge of %v into %d): export after undo\n%s\nwant\n%s", round, ids, req.SurvivorID, after, before)
		}
		if got := resolution(t, s, all...); !reflect.DeepEqual(got, refs) {
			t.Errorf("round %d: source records resolve to %v after undo, want %v", round, got, refs)
		}
		if got, err := s.NotDuplicatePairs(ctx); err != nil || !reflect.DeepEqual(got, marks) {
			t.Errorf("round %d: marks after undo %v (%v), want %v", round, got, err, marks)
		}
		if got, err := s.Suggestion(ctx, sg.ID); err != nil || got.Status != steward.SuggestionPending {
			t.Errorf("round %d: suggestion after undo %+v (%v), want pending again", round, got, err)
		}
		mg, err := s.Merge(ctx, res.Merge.ID)
		must(t, err)
		if mg.Status != steward.MergeUndone || mg.UndoneBy != "reza" || mg.UndoneAt.IsZero() {
			t.Errorf("round %d: merge after undo %+v", round, mg)
		}
		_, err = svc.Undo(ctx, s, mg.ID, 0, meta)
		wantCode(t, err, steward.ECONFLICT)
	}
}

// testMergeUndoKeepsLaterChanges: a value changed on the survivor after
// the merge survives the undo; a merge whose survivor was merged again
// waits for that merge's undo.
func testMergeUndoKeepsLaterChanges(t *testing.T, s steward.Store) {
	ctx := context.Background()
	svc := mergeService(t)
	a := create(t, s, person("shop", "a", "Ali", "Rezaei", "ali@example.com"))
	b := create(t, s, person("shop", "b", "Ali", "Rezaei", "ali2@example.com", "city", "Tehran"))
	c := create(t, s, person("shop", "c", "Ali", "Rezaei", ""))
	first, err := svc.Merge(ctx, s, merge.Request{CustomerIDs: []int64{a.ID, b.ID}}, meta)
	must(t, err)
	sv := get(t, s, a.ID)
	sv.Record.Phone = "+989121234567"
	must(t, s.UpdateCustomer(ctx, sv, meta))
	second, err := svc.Merge(ctx, s, merge.Request{CustomerIDs: []int64{a.ID, c.ID}, SurvivorID: c.ID}, meta)
	must(t, err)
	_, err = svc.Undo(ctx, s, first.Merge.ID, 0, meta)
	wantCode(t, err, steward.ECONFLICT)
	if !strings.Contains(steward.ErrorMessage(err), fmt.Sprintf("merge %d", second.Merge.ID)) {
		t.Errorf("message %q does not name the later merge %d", steward.ErrorMessage(err), second.Merge.ID)
	}
	_, err = svc.Undo(ctx, s, second.Merge.ID, 0, meta)
	must(t, err)
	_, err = svc.Undo(ctx, s, first.Merge.ID, first.Merge.Version, meta)
	must(t, err)
	got := get(t, s, a.ID)
	want := a.Record
	want.Phone = "+989121234567"
	if !reflect.DeepEqual(got.Record, want) || got.Status != steward.StatusActive {
		t.Errorf("survivor after undo %+v, want its own record with the phone set after the merge %+v", got.Record, want)
	}
	if got := get(t, s, b.ID); !reflect.DeepEqual(got.Record, b.Record) || got.Status != steward.StatusActive {
		t.Errorf("member after undo %+v", got)
	}
}

// testMergeTakeOut takes one member out of a three-way merge.
func testMergeTakeOut(t *testing.T, s steward.Store) {
	ctx := context.Background()
	svc := mergeService(t)
	a := create(t, s, person("shop", "a", "Ali", "Rezaei", "ali@example.com"))
	b := create(t, s, person("crm", "b", "Alireza", "Rezaei", "ali@example.com", "loyalty", "gold", "email_opt_out", "true"))
	c := create(t, s, person("web", "c", "Ali", "Rezaei", "ali@example.com", "city", "Tehran"))
	res, err := svc.Merge(ctx, s, merge.Request{CustomerIDs: []int64{a.ID, b.ID, c.ID},
		Overrides: []merge.Override{{Field: "first_name", From: b.ID}, {Field: "company", Value: ptr("Acme")}}}, meta)
	must(t, err)
	if sv := get(t, s, a.ID); sv.Record.FirstName != "Alireza" || sv.Record.Attributes["email_opt_out"] != "true" {
		t.Fatalf("survivor %+v", sv.Record)
	}
	// Someone sets the survivor's phone after the merge.
	sv := get(t, s, a.ID)
	sv.Record.Phone = "+989121234567"
	must(t, s.UpdateCustomer(ctx, sv, meta))

	_, err = svc.TakeOut(ctx, s, res.Merge.ID, a.ID, 0, meta)
	wantCode(t, err, steward.EINVALID)
	_, err = svc.TakeOut(ctx, s, res.Merge.ID, 424242, 0, meta)
	wantCode(t, err, steward.EINVALID)
	_, err = svc.TakeOut(ctx, s, res.Merge.ID, b.ID, 7, meta)
	wantCode(t, err, steward.ECONFLICT)

	out, err := svc.TakeOut(ctx, s, res.Merge.ID, b.ID, res.Merge.Version, steward.Meta{Actor: "reza", Cause: "api"})
	must(t, err)
	if got := get(t, s, b.ID); got.Status != steward.StatusActive || !reflect.DeepEqual(got.Record, b.Record) {
		t.Errorf("member taken out %+v, want it back as it was", got)
	}
	if c, err := s.CustomerBySource(ctx, "crm", "b"); err != nil || c.ID != b.ID {
		t.Errorf("crm/b resolves to %v (%v), want %d again", c, err, b.ID)
	}
	// The survivor, planned from a and c: b's first name and opt-out go,
	// the typed company stays, and so does the phone set after the merge.
	want := steward.Record{Source: "shop", SourceID: "a", FirstName: "Ali", LastName: "Rezaei", Company: "Acme",
		Email: "ali@example.com", Phone: "+989121234567", City: "Tehran", Country: "IR"}
	if got := get(t, s, a.ID); !reflect.DeepEqual(got.Record, want) || out.Survivor.ID != a.ID {
		t.Errorf("survivor after the take-out\n%+v\nwant\n%+v", got.Record, want)
	}
	mg, err := s.Merge(ctx, res.Merge.ID)
	must(t, err)
	if mm := mg.Member(b.ID); mg.Status != steward.MergeActive || mm.In() || mm.TakenOutBy != "reza" {
		t.Errorf("merge after the take-out %+v", mg)
	}
	_, err = svc.TakeOut(ctx, s, res.Merge.ID, b.ID, 0, meta)
	wantCode(t, err, steward.ECONFLICT)
	// The last one but the survivor: the merge is undone.
	_, err = svc.TakeOut(ctx, s, res.Merge.ID, c.ID, 0, meta)
	must(t, err)
	mg, err = s.Merge(ctx, res.Merge.ID)
	must(t, err)
	if mg.Status != steward.MergeUndone {
		t.Errorf("merge after taking out all but the survivor: %s, want undone", mg.Status)
	}
	wantA := a.Record
	wantA.Phone = "+989121234567"
	for _, w := range []*steward.Customer{{ID: a.ID, Record: wantA}, c} {
		if got := get(t, s, w.ID); got.Status != steward.StatusActive || !reflect.DeepEqual(got.Record, w.Record) {
			t.Errorf("customer %d after the merge came apart %+v, want %+v", w.ID, got.Record, w.Record)
		}
	}
}

// testDecisions decides suggestions: merge of a subset, not a duplicate
// of one member and of all, skip.
func testDecisions(t *testing.T, s steward.Store) {
	ctx := context.Background()
	svc := mergeService(t)
	ids := customers(t, s, 4)
	ev := func(pairs ...[2]int64) []byte {
		var ps []string
		for _, p := range pairs {
			ps = append(ps, fmt.Sprintf(`{"a": %d, "b": %d, "probability": 0.8, "weight": 3, "prior": -10, "fields": []}`, p[0], p[1]))
		}
		return []byte(`{"producer": "dedupe", "origin": "run 1", "pairs": [` + strings.Join(ps, ",") + `]}`)
	}
	sg := &steward.Suggestion{CustomerIDs: ids, Probability: 0.8,
		Evidence: ev([2]int64{ids[0], ids[1]}, [2]int64{ids[1], ids[2]}, [2]int64{ids[2], ids[3]})}
	must(t, s.UpsertSuggestion(ctx, sg))

	_, err := svc.Decide(ctx, s, sg.ID, merge.Decision{Action: "maybe"}, meta)
	wantCode(t, err, steward.EINVALID)
	_, err = svc.Decide(ctx, s, sg.ID, merge.Decision{Action: merge.ActionMerge, Members: []int64{ids[0], 424242}}, meta)
	wantCode(t, err, steward.EINVALID)
	_, err = svc.Decide(ctx, s, 424242, merge.Decision{Action: merge.ActionSkip}, meta)
	wantCode(t, err, steward.ENOTFOUND)
	_, err = svc.Decide(ctx, s, sg.ID, merge.Decision{Action: merge.ActionSkip, Versions: map[int64]int64{ids[0]: 9}}, meta)
	wantCode(t, err, steward.ECONFLICT)

	// Skipped, then merged: two of four; the others stay suggested.
	d, err := svc.Decide(ctx, s, sg.ID, merge.Decision{Action: merge.ActionSkip}, meta)
	must(t, err)
	if d.Suggestion.Status != steward.SuggestionSkipped {
		t.Fatalf("skipped suggestion is %s", d.Suggestion.Status)
	}
	d, err = svc.Decide(ctx, s, sg.ID, merge.Decision{Action: merge.ActionMerge, Members: []int64{ids[0], ids[1]},
		Versions: map[int64]int64{ids[0]: 1, ids[1]: 1}}, meta)
	must(t, err)
	if d.Suggestion.Status != steward.SuggestionMerged || d.Merge == nil || d.Merge.Survivor.ID != ids[0] {
		t.Fatalf("merge decision %+v", d)
	}
	if len(d.Suggestions) != 1 || !slices.Equal(d.Suggestions[0].CustomerIDs, ids[2:]) || d.Suggestions[0].Status != steward.SuggestionPending {
		t.Fatalf("left over %+v, want customers %v suggested", d.Suggestions, ids[2:])
	}
	_, err = svc.Decide(ctx, s, sg.ID, merge.Decision{Action: merge.ActionSkip}, meta)
	wantCode(t, err, steward.ECONFLICT)

	// Not a duplicate: one member of three, then the rest.
	more := fresh(t, s, 3)
	sg2 := &steward.Suggestion{CustomerIDs: more, Probability: 0.6, Evidence: ev([2]int64{more[0], more[1]}, [2]int64{more[1], more[2]}, [2]int64{more[0], more[2]})}
	must(t, s.UpsertSuggestion(ctx, sg2))
	d, err = svc.Decide(ctx, s, sg2.ID, merge.Decision{Action: merge.ActionNotDuplicate, Member: more[1]}, meta)
	must(t, err)
	if d.Suggestion.Status != steward.SuggestionRejected || len(d.Suggestions) != 1 || !slices.Equal(d.Suggestions[0].CustomerIDs, []int64{more[0], more[2]}) {
		t.Fatalf("not a duplicate of one member: %+v", d)
	}
	pairs, err := s.NotDuplicatePairs(ctx)
	must(t, err)
	if !pairs[steward.NewPair(more[0], more[1])] || !pairs[steward.NewPair(more[1], more[2])] || pairs[steward.NewPair(more[0], more[2])] {
		t.Errorf("marks %v, want %d against the other two only", pairs, more[1])
	}
	_, err = svc.Decide(ctx, s, d.Suggestions[0].ID, merge.Decision{Action: merge.ActionNotDuplicate}, meta)
	must(t, err)
	pairs, err = s.NotDuplicatePairs(ctx)
	must(t, err)
	if !pairs[steward.NewPair(more[0], more[2])] {
		t.Errorf("marks %v, want %d and %d too", pairs, more[0], more[2])
	}
	// Labels: the merge is a match, the marks are not.
	labels, err := merge.Labels(ctx, s)
	must(t, err)
	var matches, non int
	for _, l := range labels {
		if l.Match {
			matches++
		} else {
			non++
		}
	}
	if matches != 1 || non != 3 {
		t.Errorf("labels: %d matches and %d non-matches, want 1 and 3", matches, non)
	}
}

// race runs a and b at once and returns their errors.
func race(a, b func() error) (error, error) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, 2)
	for i, fn := range []func() error{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn()
		}()
	}
	close(start)
	wg.Wait()
	return errs[0], errs[1]
}

// raceOutcome runs a and b at once and checks that exactly one wins and
// the other fails with ECONFLICT; it returns whether a won.
func raceOutcome(t *testing.T, a, b func() error) bool {
	t.Helper()
	ea, eb := race(a, b)
	switch {
	case ea == nil && eb == nil:
		t.Fatal("both won")
	case ea != nil && eb != nil:
		t.Fatalf("both lost: %v; %v", ea, eb)
	}
	lost := ea
	if lost == nil {
		lost = eb
	}
	wantCode(t, lost, steward.ECONFLICT)
	return ea == nil
}

// mergeRace has two stewards (on stores a and b: one process, or two)
// merge overlapping clusters {x, y} and {y, z} at once with the versions
// they saw, and an import update a member while a steward merges it: each
// time exactly one wins, the other gets ECONFLICT, and the database shows
// only the winner's work. Without versions, a merge takes the customers
// as it finds them: both may win (z into y, then y into x), and every
// source record still resolves to the one customer left.
func mergeRace(t *testing.T, a, b steward.Store) {
	ctx := context.Background()
	svc := mergeService(t)
	for round := range 8 {
		x := create(t, a, person("shop", fmt.Sprint("x", round), "Ali", "Rezaei", "x@example.com"))
		y := create(t, a, person("shop", fmt.Sprint("y", round), "Ali", "Rezaei", "y@example.com"))
		z := create(t, a, person("shop", fmt.Sprint("z", round), "Ali", "Rezaei", "z@example.com"))
		seen := func(ids ...int64) map[int64]int64 {
			v := map[int64]int64{}
			for _, id := range ids {
				v[id] = 1
			}
			return v
		}
		mergeXY := func() error {
			_, err := svc.Merge(ctx, a, merge.Request{CustomerIDs: []int64{x.ID, y.ID}, Versions: seen(x.ID, y.ID)}, meta)
			return err
		}
		switch {
		case round < 4:
			first := raceOutcome(t, mergeXY, func() error {
				_, err := svc.Merge(ctx, b, merge.Request{CustomerIDs: []int64{y.ID, z.ID}, Versions: seen(y.ID, z.ID)}, meta)
				return err
			})
			winner, loner := x, z
			if !first {
				winner, loner = y, x
			}
			if got := get(t, a, y.ID); first && (got.Status != steward.StatusMerged || got.MergedInto != x.ID) {
				t.Errorf("round %d: y %+v, want merged into x", round, got)
			}
			if got := get(t, a, z.ID); !first && (got.Status != steward.StatusMerged || got.MergedInto != y.ID) {
				t.Errorf("round %d: z %+v, want merged into y", round, got)
			}
			if got := get(t, a, loner.ID); got.Status != steward.StatusActive || got.Version != 1 {
				t.Errorf("round %d: the loser's other customer %+v was touched", round, got)
			}
			ms, err := a.Merges(ctx, steward.MergeFilter{CustomerID: y.ID})
			must(t, err)
			if len(ms) != 1 || ms[0].SurvivorID != winner.ID {
				t.Errorf("round %d: merges of y %v, want the winner's only", round, ms)
			}
		case round < 6:
			// An import updates y while a steward merges it.
			merged := raceOutcome(t, mergeXY, func() error {
				c := *y
				c.Record.City = "Karaj"
				return b.UpdateCustomer(ctx, &c, meta)
			})
			got := get(t, a, y.ID)
			if merged != (got.Status == steward.StatusMerged) || merged == (got.Record.City == "Karaj") {
				t.Errorf("round %d: y is %+v after the race the merge %v", round, got, map[bool]string{true: "won", false: "lost"}[merged])
			}
		default:
			ea, eb := race(func() error {
				_, err := svc.Merge(ctx, a, merge.Request{CustomerIDs: []int64{x.ID, y.ID}}, meta)
				return err
			}, func() error {
				_, err := svc.Merge(ctx, b, merge.Request{CustomerIDs: []int64{y.ID, z.ID}}, meta)
				return err
			})
			for _, err := range []error{ea, eb} {
				if err != nil && steward.ErrorCode(err) != steward.ECONFLICT {
					t.Fatalf("round %d: %v, want success or ECONFLICT", round, err)
				}
			}
			if ea != nil && eb != nil {
				t.Fatalf("round %d: both lost: %v; %v", round, ea, eb)
			}
			survivors := map[int64]bool{}
			for _, id := range resolution(t, a, x, y, z) {
				survivors[id] = true
			}
			if ea == nil && eb == nil && (len(survivors) != 1 || !survivors[x.ID]) {
				t.Errorf("round %d: both merges won, and x, y and z resolve to %v, want x alone", round, survivors)
			}
		}
	}
}

func testMergeRace(t *testing.T, s steward.Store) { mergeRace(t, s, s) }

func testMergeRaceAcrossProcesses(t *testing.T, db *Database) {
	mergeRace(t, db.Store, db.OpenAgain(t))
}
