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

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func sameJSONOrEmpty(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	return sameJSON(a, b)
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
