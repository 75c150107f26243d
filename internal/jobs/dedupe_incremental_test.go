package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/erase"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/merge"
	"github.com/steward-crm/steward/internal/suppress"
)

// cachedDedupe is a dedupe job that keeps its index in a cache file, as
// `steward run dedupe` does.
func cachedDedupe(t testing.TB, s steward.Store, model *dedupe.Model) *Dedupe {
	path := filepath.Join(t.TempDir(), "index")
	cfg := dedupe.DefaultConfig()
	return &Dedupe{Config: cfg, Model: model, RetrainAfter: 7 * 24 * time.Hour,
		SaveIndex: func(ix *dedupe.Index, ids []int64, g steward.Generation) {
			if err := matchindex.WriteCache(path, g, ix, ids); err != nil {
				t.Errorf("write index cache: %v", err)
			}
		},
		LoadIndex: func(ctx context.Context, m *dedupe.Model) (*matchindex.Index, error) {
			return matchindex.ReadCache(ctx, s, matchindex.Options{Cache: path, Matching: cfg, Model: m})
		},
	}
}

// pendingSet returns the pending suggestions by member key, with their
// probabilities.
func pendingSet(t *testing.T, s steward.Store) map[string]float64 {
	t.Helper()
	all, err := s.Suggestions(context.Background(), steward.SuggestionFilter{Status: steward.SuggestionPending})
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]float64, len(all))
	for _, sg := range all {
		out[steward.SuggestionKey(sg.CustomerIDs)] = sg.Probability
	}
	return out
}

// nightChanges changes s as one day of work would, the same way whatever
// the database: pending is its pending suggestions, oldest first.
func nightChanges(t *testing.T, s steward.Store, pending []*steward.Suggestion) (linked, rest []int64) {
	t.Helper()
	ctx := context.Background()
	update := func(id int64, fn func(r *steward.Record)) {
		c, err := s.Customer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		fn(&c.Record)
		if err := s.UpdateCustomer(ctx, c, testMeta); err != nil {
			t.Fatal(err)
		}
	}
	record := func(id int64) steward.Record {
		c, err := s.Customer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Record
	}
	var pairs []*steward.Suggestion
	for _, sg := range pending {
		if len(sg.CustomerIDs) == 2 {
			pairs = append(pairs, sg)
		}
	}
	if len(pairs) < 12 {
		t.Fatalf("%d pending pairs, want 12", len(pairs))
	}
	// A change that links two suggestions: a member of a pair becomes a
	// copy of a member of a suggestion of three or more, whose other
	// members only the suggestion's own links reach.
	// The copied member is a leaf of the group's tree of links, as far
	// from the others as the group's links go.
	groups, leaves := groupsWithLeaf(pending)
	if len(groups) < 2 {
		t.Fatalf("%d pending suggestions of three or more, want 2", len(groups))
	}
	group, leaf := groups[0], leaves[0]
	ra := record(leaf)
	update(pairs[1].CustomerIDs[0], func(r *steward.Record) {
		src := r.Source
		*r = ra.Clone()
		r.Source = src
	})
	// A change that breaks a duplicate: a member becomes someone else.
	update(pairs[2].CustomerIDs[1], func(r *steward.Record) {
		r.FirstName, r.LastName, r.Email, r.Phone = "Zebulon", "Quixotic-Vandermeer", "zq.vandermeer@example.org", "+15550199123"
		r.AddressLine1, r.City, r.PostalCode, r.BirthDate = "1 Nowhere Lane", "Faraway", "99999", "1901-01-01"
	})
	// A change that makes a new duplicate: a customer in no suggestion
	// takes another's identity.
	inSuggestion := make(map[int64]bool)
	for _, sg := range pending {
		for _, id := range sg.CustomerIDs {
			inSuggestion[id] = true
		}
	}
	var lonely []int64
	err := s.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		if !inSuggestion[c.ID] {
			lonely = append(lonely, c.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	x, y := lonely[10], lonely[len(lonely)-10]
	ry := record(y)
	update(x, func(r *steward.Record) {
		r.FirstName, r.LastName, r.Email, r.BirthDate, r.AddressLine1, r.PostalCode, r.City = ry.FirstName, ry.LastName, ry.Email, ry.BirthDate, ry.AddressLine1, ry.PostalCode, ry.City
	})
	// New customers: a duplicate of a suggested pair's member, one of a
	// lonely customer, and someone new.
	dup1, dup2 := record(pairs[3].CustomerIDs[0]), record(lonely[20])
	dup1.SourceID, dup2.SourceID = "new-1", "new-2"
	dup2.Email = ""
	seedCustomers(t, s, dup1, dup2, steward.Record{SourceID: "new-3", FirstName: "Ingeborg", LastName: "Featherstonehaugh", Email: "ingeborg@feather.example", Country: "GB"})
	// A merge a steward decides, and an erasure of a suggested member.
	svc, err := merge.New(gate.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Decide(ctx, s, pairs[4].ID, merge.Decision{Action: merge.ActionMerge}, steward.Meta{Actor: "steward", Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	// A steward says one member of a group is someone else: the others
	// are left to be suggested together, though none of them changed.
	if _, err := svc.Decide(ctx, s, groups[1].ID, merge.Decision{Action: merge.ActionNotDuplicate, Member: leaves[1]}, steward.Meta{Actor: "steward", Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range groups[1].CustomerIDs {
		if id != leaves[1] {
			rest = append(rest, id)
		}
	}
	er := &erase.Eraser{Keys: suppress.NewKeys()}
	if _, err := er.Erase(ctx, s, pairs[5].CustomerIDs[1], testMeta); err != nil {
		t.Fatal(err)
	}
	return append([]int64{pairs[1].CustomerIDs[0]}, group.CustomerIDs...), rest
}

// groupsWithLeaf returns the suggestions of three or more members whose
// evidence is a tree of links, each with a member at a leaf of it.
func groupsWithLeaf(pending []*steward.Suggestion) (groups []*steward.Suggestion, leaves []int64) {
	for _, sg := range pending {
		var ev steward.Evidence
		if len(sg.CustomerIDs) < 3 || json.Unmarshal(sg.Evidence, &ev) != nil || len(ev.Pairs) != len(sg.CustomerIDs)-1 {
			continue
		}
		degree := make(map[int64]int)
		for _, p := range ev.Pairs {
			degree[p.A]++
			degree[p.B]++
		}
		for _, id := range sg.CustomerIDs {
			if degree[id] == 1 {
				groups, leaves = append(groups, sg), append(leaves, id)
				break
			}
		}
	}
	return groups, leaves
}

// TestIncrementalDedupeEqualsFull: after a night's changes (a change that
// links two suggestions, one that breaks a duplicate, one that makes a
// new one, new customers, a merge, an erasure), the run that examines only
// the changed customers and what they reach leaves the same pending
// suggestions, with the same probabilities, as a full run on an identical
// copy of the database.
func TestIncrementalDedupeEqualsFull(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		model := matchindex.DefaultModel()
		var stores [2]steward.Store
		var dd [2]*Dedupe
		var runners [2]*Runner
		for k := range stores {
			stores[k] = open()
			seedGenerated(t, stores[k], 3000)
			dd[k] = cachedDedupe(t, stores[k], model)
			runners[k] = &Runner{Store: stores[k], StaleAfter: time.Minute}
			rec := start(t, runners[k], dd[k], Options{})
			if rec.Counts["full_because:"+fullAll] != 1 {
				t.Fatalf("first run: counts %v, want a full run", rec.Counts)
			}
		}
		before := pendingSet(t, stores[0])
		if !equalPending(t, before, pendingSet(t, stores[1])) {
			t.Fatal("the two copies differ before any change")
		}
		var linked, rest []int64
		for k := range stores {
			pending, err := stores[k].Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending, Order: steward.MostConfident})
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(pending, func(a, b *steward.Suggestion) int { return int(a.ID - b.ID) })
			linked, rest = nightChanges(t, stores[k], pending)
		}
		inc := start(t, runners[0], dd[0], Options{})
		full := start(t, runners[1], dd[1], Options{Full: true})
		if inc.Counts["incremental"] != 1 || inc.Counts["changed"] < 8 || inc.Counts["customers_examined"] >= 300 {
			t.Fatalf("incremental run: counts %v, want an incremental run over the changed customers and their duplicates", inc.Counts)
		}
		if full.Counts["incremental"] != 0 || full.Counts["full_because:"+fullAll] != 1 {
			t.Fatalf("--full run: counts %v", full.Counts)
		}
		if inc.Counts["suggestions_new"] == 0 || inc.Counts["suggestions_new"] != full.Counts["suggestions_new"] {
			t.Errorf("new suggestions: incremental %d, full %d", inc.Counts["suggestions_new"], full.Counts["suggestions_new"])
		}
		after := pendingSet(t, stores[0])
		// The changed customer joined the group it now copies a member
		// of, which only a run that follows the group's links finds whole.
		joined := false
		for k := range pendingSet(t, stores[1]) {
			joined = joined || containsAll(k, linked)
		}
		if !joined {
			t.Errorf("the full run suggests no group of %v: the test no longer links two suggestions", linked)
		}
		// The members a steward left together are suggested again, though
		// none of them changed.
		if _, ok := pendingSet(t, stores[1])[steward.SuggestionKey(rest)]; !ok {
			t.Errorf("the full run does not suggest %v again: the test no longer leaves a group to suggest", rest)
		}
		equalPending(t, after, pendingSet(t, stores[1]))

		// The next night, with nothing changed, changes nothing.
		quiet := start(t, runners[0], dd[0], Options{})
		if quiet.Counts["incremental"] != 1 || quiet.Counts["changed"] != 0 || quiet.Counts["suggestions_new"]+quiet.Counts["suggestions_updated"] != 0 {
			t.Errorf("quiet night: counts %v", quiet.Counts)
		}
		equalPending(t, pendingSet(t, stores[0]), after)
	})
}

// containsAll reports whether the suggestion key k holds every id.
func containsAll(k string, ids []int64) bool {
	for _, id := range ids {
		if !strings.Contains(","+k+",", fmt.Sprintf(",%d,", id)) {
			return false
		}
	}
	return true
}

// equalPending reports (and fails the test on) every difference between
// two pending sets: members, and probabilities beyond 1e-9.
func equalPending(t *testing.T, got, want map[string]float64) bool {
	t.Helper()
	ok := true
	for k, p := range want {
		q, found := got[k]
		switch {
		case !found:
			t.Errorf("suggestion %s (%.6f) of the full run is missing", k, p)
			ok = false
		case math.Abs(p-q) > 1e-9:
			t.Errorf("suggestion %s: probability %.12f, full run %.12f", k, q, p)
			ok = false
		}
	}
	for k, q := range got {
		if _, found := want[k]; !found {
			t.Errorf("suggestion %s (%.6f) is not the full run's", k, q)
			ok = false
		}
	}
	return ok
}

// rejectOne marks the members of the first pending suggestion as not
// duplicates, as a steward does.
func rejectOne(t *testing.T, s steward.Store) {
	t.Helper()
	ctx := context.Background()
	pending, err := s.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending})
	if err != nil || len(pending) == 0 {
		t.Fatalf("pending suggestions: %d, %v", len(pending), err)
	}
	svc, err := merge.New(gate.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Decide(ctx, s, pending[0].ID, merge.Decision{Action: merge.ActionNotDuplicate}, steward.Meta{Actor: "steward", Cause: "test"}); err != nil {
		t.Fatal(err)
	}
}

// TestDedupeChoosesFullRun: a run scores incrementally only with the
// model the last run scored with and the index it kept; a retrain, a
// missing index or --full compare every customer, and say why.
func TestDedupeChoosesFullRun(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		s := open()
		seedGenerated(t, s, 800)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		job := cachedDedupe(t, s, nil)
		steps := []struct {
			name string
			opts Options
			prep func()
			want string
		}{
			{name: "first run trains", want: fullRetrain},
			{name: "fresh model and index", want: ""},
			{name: "a decision, fewer than retrain_after_decisions", prep: func() { job.RetrainAfterDecisions = 5; rejectOne(t, s) }, want: ""},
			{name: "decisions reach retrain_after_decisions", prep: func() { job.RetrainAfterDecisions = 1 }, want: fullRetrain},
			{name: "a decision, retrain after any", prep: func() { job.RetrainAfterDecisions = 0; rejectOne(t, s) }, want: fullRetrain},
			{name: "--full", opts: Options{Full: true}, want: fullAll},
			{name: "no index", prep: func() {
				job.LoadIndex = func(context.Context, *dedupe.Model) (*matchindex.Index, error) { return nil, fmt.Errorf("gone") }
			}, want: fullNoIndex},
			{name: "retrain due", prep: func() { job.LoadIndex = cachedDedupe(t, s, nil).LoadIndex; job.RetrainAfter = time.Nanosecond }, want: fullRetrain},
		}
		for _, st := range steps {
			if st.prep != nil {
				st.prep()
			}
			rec := start(t, rn, job, st.opts)
			if st.want == "" {
				if rec.Counts["incremental"] != 1 || rec.Changes.Full {
					t.Errorf("%s: counts %v, want incremental", st.name, rec.Counts)
				}
				continue
			}
			if rec.Counts["full_because:"+st.want] != 1 || rec.Counts["incremental"] != 0 || !rec.Changes.Full {
				t.Errorf("%s: counts %v, changes %+v, want a full run because %s, recorded as full", st.name, rec.Counts, rec.Changes, st.want)
			}
		}
	})
}
