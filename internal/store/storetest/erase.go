package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// testEraseCustomer: erasing a customer blanks its record, drops its
// history, source records, verifications and not-duplicate marks, and the
// evidence of its suggestions (rejecting a pending one, keeping a decided
// one's status), touches no other customer, and bumps the generation;
// erasing again reports nothing left.
func testEraseCustomer(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ids := customers(t, s, 3)
	c, err := s.Customer(ctx, ids[0])
	must(t, err)
	c.Record.Email = "changed@example.org"
	must(t, s.UpdateCustomer(ctx, c, meta))
	must(t, s.RecordEmailCheck(ctx, ids[0], c.Record.Email, "valid", "", time.Now()))
	must(t, s.AddNotDuplicate(ctx, ids[0], ids[2], meta))
	ev := []byte(`{"producer":"dedupe","pairs":[{"a":1,"b":2,"fields":[{"field":"email","level":"exact","weight":9,"a":"x@example.org","b":"x@example.org"}]}]}`)
	pending := &steward.Suggestion{CustomerIDs: []int64{ids[0], ids[1]}, Probability: 0.8, Evidence: ev}
	must(t, s.UpsertSuggestion(ctx, pending))
	decided := &steward.Suggestion{CustomerIDs: []int64{ids[0], ids[2]}, Probability: 0.9, Evidence: ev}
	must(t, s.UpsertSuggestion(ctx, decided))
	must(t, s.SetSuggestionStatus(ctx, decided.ID, steward.SuggestionMerged, meta))
	g0, err := s.CustomerGeneration(ctx)
	must(t, err)

	erased, err := s.EraseCustomer(ctx, ids[0], steward.Meta{Actor: "dpo", Cause: "erasure"})
	must(t, err)
	if !erased {
		t.Fatal("erasing a customer with data reports nothing erased")
	}
	got, err := s.Customer(ctx, ids[0])
	must(t, err)
	if got.Status != steward.StatusErased || len(steward.Diff(&got.Record, &steward.Record{})) > 0 || got.Record.Source != "" || got.Record.SourceID != "" || got.Version != c.Version+1 {
		t.Errorf("erased customer %+v", got)
	}
	if ch, err := s.Changes(ctx, ids[0]); err != nil || len(ch) > 0 {
		t.Errorf("changes after erasure: %v %v", ch, err)
	}
	if refs, err := s.SourceRefs(ctx, ids[0]); err != nil || len(refs) > 0 {
		t.Errorf("source records after erasure: %v %v", refs, err)
	}
	_, err = s.EmailCheck(ctx, ids[0], "changed@example.org")
	wantCode(t, err, steward.ENOTFOUND)
	if pairs, err := s.NotDuplicatePairs(ctx); err != nil || pairs[steward.NewPair(ids[0], ids[2])] {
		t.Errorf("not-duplicate marks after erasure: %v %v", pairs, err)
	}
	p, err := s.Suggestion(ctx, pending.ID)
	must(t, err)
	if p.Status != steward.SuggestionRejected || len(p.Evidence) > 0 || p.DecidedBy != "dpo" {
		t.Errorf("pending suggestion after erasure: %+v", p)
	}
	d, err := s.Suggestion(ctx, decided.ID)
	must(t, err)
	if d.Status != steward.SuggestionMerged || len(d.Evidence) > 0 {
		t.Errorf("decided suggestion after erasure: %+v", d)
	}
	other, err := s.Customer(ctx, ids[1])
	must(t, err)
	if other.Status != steward.StatusActive || other.Record.Email == "" {
		t.Errorf("another customer after erasure: %+v", other)
	}
	if g1, err := s.CustomerGeneration(ctx); err != nil || g1 == g0 {
		t.Errorf("generation %v after erasure, was %v (%v)", g1, g0, err)
	}
	erased, err = s.EraseCustomer(ctx, ids[0], meta)
	if err != nil || erased {
		t.Errorf("erasing again: %v, %v; want nothing left", erased, err)
	}
	_, err = s.EraseCustomer(ctx, 424242, meta)
	wantCode(t, err, steward.ENOTFOUND)
}
