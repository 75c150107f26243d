package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/steward-crm/steward"
)

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

func testUpsertSuggestions(t *testing.T, s steward.Store) {
	ctx := context.Background()
	must(t, s.UpsertSuggestions(ctx, nil))
	ids := customers(t, s, 1200)
	run, err := s.StartJobRun(ctx, "dedupe")
	must(t, err)
	pair := func(i int) []int64 { return []int64{ids[2*i+1], ids[2*i]} }
	ev := json.RawMessage(`{"email": 9.5, "last_name": 2.1}`)

	// Stored before: one pending (to be changed), one pending (to be
	// upserted the same), one rejected.
	changed := &steward.Suggestion{CustomerIDs: pair(0), Probability: 0.5, Evidence: ev}
	same := &steward.Suggestion{CustomerIDs: pair(1), Probability: 0.6, Evidence: ev, RunID: run.ID}
	decided := &steward.Suggestion{CustomerIDs: pair(2), Probability: 0.7}
	must(t, s.UpsertSuggestions(ctx, []*steward.Suggestion{changed, same, decided}))
	must(t, s.SetSuggestionStatus(ctx, decided.ID, steward.SuggestionRejected, meta))
	decided, err = s.Suggestion(ctx, decided.ID)
	must(t, err)

	var batch []*steward.Suggestion
	for i := 3; i < 600; i++ {
		batch = append(batch, &steward.Suggestion{CustomerIDs: pair(i), Probability: float64(i) / 1000,
			Evidence: json.RawMessage(fmt.Sprintf(`{"email": %d}`, i)), RunID: run.ID})
	}
	batch = append(batch,
		&steward.Suggestion{CustomerIDs: pair(0), Probability: 0.55, RunID: run.ID},
		&steward.Suggestion{CustomerIDs: pair(1), Probability: 0.6, Evidence: json.RawMessage(`{"last_name":2.1,"email":9.5}`)},
		&steward.Suggestion{CustomerIDs: pair(2), Probability: 0.99},
		// The same set twice in one call, and a third member set given
		// unsorted with a repeated member: the last one wins.
		&steward.Suggestion{CustomerIDs: []int64{ids[2], ids[1], ids[0], ids[2]}, Probability: 0.3},
		&steward.Suggestion{CustomerIDs: []int64{ids[0], ids[1], ids[2]}, Probability: 0.35},
	)
	must(t, s.UpsertSuggestions(ctx, batch))
	for i, sg := range batch {
		if sg.ID == 0 || sg.CreatedAt.IsZero() || sg.UpdatedAt.Before(sg.CreatedAt) {
			t.Fatalf("suggestion %d not filled: %+v", i, sg)
		}
		got, err := s.Suggestion(ctx, sg.ID)
		must(t, err)
		if !reflect.DeepEqual(got.CustomerIDs, sg.CustomerIDs) || got.Probability != sg.Probability ||
			got.Status != sg.Status || got.RunID != sg.RunID || !sameJSONOrEmpty(got.Evidence, sg.Evidence) ||
			!got.CreatedAt.Equal(sg.CreatedAt) || !got.UpdatedAt.Equal(sg.UpdatedAt) || got.DecidedBy != sg.DecidedBy {
			t.Fatalf("suggestion %d filled as %+v, stored %+v", i, sg, got)
		}
	}
	first := batch[0]
	if first.Status != steward.SuggestionPending || first.Probability != 0.003 || first.RunID != run.ID ||
		!reflect.DeepEqual(first.CustomerIDs, []int64{ids[6], ids[7]}) {
		t.Errorf("new suggestion %+v", first)
	}
	k := len(batch) - 5
	if sg := batch[k]; sg.ID != changed.ID || sg.Probability != 0.55 || len(sg.Evidence) != 0 || sg.RunID != run.ID ||
		!sg.UpdatedAt.After(changed.UpdatedAt) || !sg.CreatedAt.Equal(changed.CreatedAt) {
		t.Errorf("changed suggestion %+v, was %+v", sg, changed)
	}
	if sg := batch[k+1]; sg.ID != same.ID || !sg.UpdatedAt.Equal(same.UpdatedAt) || sg.RunID != run.ID {
		t.Errorf("an identical upsert changed the suggestion: %+v, was %+v", sg, same)
	}
	if sg := batch[k+2]; sg.ID != decided.ID || sg.Status != steward.SuggestionRejected || sg.Probability != 0.7 ||
		!sg.UpdatedAt.Equal(decided.UpdatedAt) {
		t.Errorf("a decided suggestion changed: %+v, was %+v", sg, decided)
	}
	if a, b := batch[k+3], batch[k+4]; a.ID != b.ID || b.Probability != 0.35 || a.Probability != 0.35 ||
		!reflect.DeepEqual(b.CustomerIDs, []int64{ids[0], ids[1], ids[2]}) {
		t.Errorf("one member set twice: %+v and %+v, want both the last one's", a, b)
	}
	all, err := s.Suggestions(ctx, steward.SuggestionFilter{})
	must(t, err)
	if len(all) != 601 {
		t.Errorf("%d suggestions stored, want 601", len(all))
	}

	// A member set twice, far apart (new, then changed; stored, then
	// changed twice): the last one wins there too.
	var long []*steward.Suggestion
	for i := 0; i < 700; i++ {
		long = append(long, &steward.Suggestion{CustomerIDs: []int64{ids[0], ids[1000+i%150]}, Probability: 0.2})
	}
	long[0].CustomerIDs, long[650].CustomerIDs = []int64{ids[0], ids[1199]}, []int64{ids[1199], ids[0]}
	long[650].Probability = 0.25
	long[10].CustomerIDs, long[600].CustomerIDs = pair(10), pair(10)
	long[10].Probability, long[600].Probability = 0.4, 0.013
	must(t, s.UpsertSuggestions(ctx, long))
	for _, i := range []int{0, 10, 600, 650} {
		got, err := s.Suggestion(ctx, long[i].ID)
		must(t, err)
		if want := map[bool]float64{true: 0.25, false: 0.013}[i == 0 || i == 650]; got.Probability != want || long[i].Probability != want {
			t.Errorf("suggestion %d given twice: stored %g, filled %g; want %g", i, got.Probability, long[i].Probability, want)
		}
	}
	if long[0].ID != long[650].ID || long[10].ID != long[600].ID || long[10].ID != batch[7].ID {
		t.Errorf("a member set given twice got ids %d, %d and %d, %d (stored %d)",
			long[0].ID, long[650].ID, long[10].ID, long[600].ID, batch[7].ID)
	}
	all, err = s.Suggestions(ctx, steward.SuggestionFilter{})
	must(t, err)
	if len(all) != 752 {
		t.Errorf("%d suggestions stored, want 752", len(all))
	}

	// A refused suggestion, or one of a job run that does not exist,
	// stores none of the call.
	fresh := func() []*steward.Suggestion {
		return []*steward.Suggestion{
			{CustomerIDs: pair(0), Probability: 0.1},
			{CustomerIDs: pair(600 - 1), Probability: 0.1},
		}
	}
	bad := append(fresh(), &steward.Suggestion{CustomerIDs: []int64{ids[0]}, Probability: 0.5})
	wantCode(t, s.UpsertSuggestions(ctx, bad), steward.EINVALID)
	bad = append(fresh(), &steward.Suggestion{CustomerIDs: pair(590), Probability: 0.5, RunID: 424242})
	wantCode(t, s.UpsertSuggestions(ctx, bad), steward.ENOTFOUND)
	boom := errors.New("boom")
	if err := s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := tx.UpsertSuggestions(ctx, fresh()); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Atomic returned %v", err)
	}
	if got, err := s.Suggestion(ctx, changed.ID); err != nil || got.Probability != 0.55 {
		t.Errorf("after refused calls: %+v, %v; want probability 0.55", got, err)
	}
	if after, err := s.Suggestions(ctx, steward.SuggestionFilter{}); err != nil || len(after) != 752 {
		t.Errorf("after refused calls %d suggestions, %v; want 752", len(after), err)
	}
}

func sameJSONOrEmpty(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	return sameJSON(a, b)
}
