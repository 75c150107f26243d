package jobs

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/gen"
	"github.com/steward-crm/steward/internal/merge"
	"github.com/steward-crm/steward/internal/records"
)

// seedGenerated stores n generated customers and returns the entity of
// each customer id.
func seedGenerated(t *testing.T, s steward.Store, n int) map[int64]string {
	t.Helper()
	var out, truth bytes.Buffer
	if err := gen.Generate(context.Background(), gen.Options{N: n, Seed: 7, DupRate: 0.3}, &out, &truth, nil); err != nil {
		t.Fatal(err)
	}
	entityOf := make(map[string]string)
	rows, err := csv.NewReader(&truth).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		entityOf[r[0]] = r[1]
	}
	rd, err := records.NewReader(&out, records.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var recs []steward.Record
	for {
		r, err := rd.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	cs := seedCustomers(t, s, recs...)
	entities := make(map[int64]string, len(cs))
	for _, c := range cs {
		entities[c.ID] = entityOf[c.Record.SourceID]
	}
	return entities
}

func TestDedupeJobSuggestsTrueDuplicatesAndRemembersRejections(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		entity := seedGenerated(t, s, 2000)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		job := &Dedupe{Config: dedupe.DefaultConfig()}

		rec, err := rn.Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		pending, err := s.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending})
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) < 100 || int64(len(pending)) != rec.Counts["suggestions"] {
			t.Fatalf("%d pending suggestions, counts %v: want hundreds from 2000 records with 30%% duplicated entities", len(pending), rec.Counts)
		}
		// Precision of the suggested pairs against the generator's truth.
		var pairs, right int
		for _, sg := range pending {
			for i := range sg.CustomerIDs {
				for k := i + 1; k < len(sg.CustomerIDs); k++ {
					pairs++
					if entity[sg.CustomerIDs[i]] == entity[sg.CustomerIDs[k]] {
						right++
					}
				}
			}
			ev, err := sg.DecodeEvidence()
			if err != nil || ev.Producer != steward.EvidenceDedupe || len(ev.Pairs) == 0 || len(ev.Pairs[0].Fields) == 0 || ev.Pairs[0].Prior >= 0 || len(ev.Pairs[0].Keys) == 0 {
				t.Fatalf("suggestion %d has no usable evidence: %s (%v)", sg.ID, sg.Evidence, err)
			}
		}
		if precision := float64(right) / float64(pairs); precision < 0.9 {
			t.Fatalf("precision of suggested pairs %.3f (%d/%d), want ≥ 0.9", precision, right, pairs)
		}

		// A steward says the first pair of the top suggestion are different
		// people; the next run never puts them together again and leaves the
		// other suggestions as they were.
		top := pending[0]
		a, b := top.CustomerIDs[0], top.CustomerIDs[1]
		if err := s.AddNotDuplicate(ctx, a, b, steward.Meta{Actor: "steward", Cause: "test"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSuggestionStatus(ctx, top.ID, steward.SuggestionRejected, steward.Meta{Actor: "steward", Cause: "test"}); err != nil {
			t.Fatal(err)
		}
		before := make(map[string]time.Time)
		for _, sg := range pending[1:] {
			before[steward.SuggestionKey(sg.CustomerIDs)] = sg.UpdatedAt
		}
		if _, err := rn.Start(ctx, job, Options{}); err != nil {
			t.Fatal(err)
		}
		after, err := s.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending})
		if err != nil {
			t.Fatal(err)
		}
		unchanged := 0
		for _, sg := range after {
			if slices.Contains(sg.CustomerIDs, a) && slices.Contains(sg.CustomerIDs, b) {
				t.Fatalf("suggestion %d puts %d and %d together again after 'not a duplicate'", sg.ID, a, b)
			}
			if u, ok := before[steward.SuggestionKey(sg.CustomerIDs)]; ok && u.Equal(sg.UpdatedAt) {
				unchanged++
			}
		}
		if unchanged < len(before)*9/10 {
			t.Fatalf("only %d of %d earlier suggestions left unchanged by an identical rerun", unchanged, len(before))
		}
	})
}

// TestDedupeStoresItsModel: a run trains a model and stores it; the next
// scores with the stored model while it is fresh, and trains again when it
// is old, when the customers grew by more than a fifth, or when stewards
// decided more pairs. Evidence names the model that scored it.
func TestDedupeStoresItsModel(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		seedGenerated(t, s, 1500)
		now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		job := &Dedupe{Config: dedupe.DefaultConfig(), RetrainAfter: 7 * 24 * time.Hour, Now: func() time.Time { return now }}

		latest := func() *steward.StoredModel {
			t.Helper()
			sm, err := s.LatestModel(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return sm
		}
		evidenceModel := func() int64 {
			t.Helper()
			ss, err := s.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending, Limit: 1})
			if err != nil || len(ss) == 0 {
				t.Fatalf("no suggestion: %v", err)
			}
			ev, err := ss[0].DecodeEvidence()
			if err != nil {
				t.Fatal(err)
			}
			return ev.Model
		}
		rec, err := rn.Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		first := latest()
		if rec.Counts["model_trained"] != 1 || first.Records != 1500 || first.Origin != fmt.Sprintf("run %d", rec.ID) || rec.Counts["model_id"] != first.ID {
			t.Fatalf("first run: counts %v, stored model %+v; want a model trained on 1500 customers and stored", rec.Counts, first)
		}
		if got := evidenceModel(); got != first.ID {
			t.Errorf("evidence names model %d, want %d", got, first.ID)
		}

		now = now.Add(24 * time.Hour)
		rec, err = rn.Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Counts["model_trained"] != 0 || latest().ID != first.ID || rec.Counts["model_id"] != first.ID {
			t.Fatalf("a day later: counts %v; want the stored model %d used, none trained", rec.Counts, first.ID)
		}

		tests := []struct {
			name   string
			change func()
		}{
			{"a week later", func() { now = now.Add(7 * 24 * time.Hour) }},
			{"a steward decided a pair", func() {
				if err := s.AddNotDuplicate(ctx, 1, 2, steward.Meta{Actor: "steward", Cause: "test"}); err != nil {
					t.Fatal(err)
				}
			}},
			{"the customers grew by a third", func() {
				var more []steward.Record
				err := s.EachCustomer(ctx, steward.CustomerFilter{Limit: 500}, func(c *steward.Customer) error {
					r := c.Record.Clone()
					r.Source, r.SourceID = "branch", fmt.Sprint(c.ID)
					more = append(more, r)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				seedCustomers(t, s, more...)
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := latest().ID
				tt.change()
				rec, err := rn.Start(ctx, job, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if rec.Counts["model_trained"] != 1 || latest().ID == before {
					t.Errorf("counts %v, latest model %d (was %d): want a new model trained and stored", rec.Counts, latest().ID, before)
				}
			})
		}
	})
}

// TestDedupeLearnsFromMerges: the merges stewards make are labelled
// matches: the next run trains on them (the stored model counts them)
// and measures how many of the merged pairs blocking still brings
// together, under which keys.
func TestDedupeLearnsFromMerges(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		seedGenerated(t, s, 1500)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		job := &Dedupe{Config: dedupe.DefaultConfig(), RetrainAfter: 7 * 24 * time.Hour}
		rec, err := rn.Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Counts["blocking_merged_pairs"] != 0 {
			t.Fatalf("counts %v before any merge", rec.Counts)
		}
		pending, err := s.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending, Limit: 5})
		if err != nil || len(pending) < 5 {
			t.Fatalf("%d pending suggestions (%v), want 5", len(pending), err)
		}
		svc, err := merge.New(gate.Policy{})
		if err != nil {
			t.Fatal(err)
		}
		pairs := 0
		for _, sg := range pending {
			if _, err := svc.Decide(ctx, s, sg.ID, merge.Decision{Action: merge.ActionMerge}, steward.Meta{Actor: "steward", Cause: "test"}); err != nil {
				t.Fatalf("merge suggestion %d: %v", sg.ID, err)
			}
			n := len(sg.CustomerIDs)
			pairs += n * (n - 1) / 2
		}
		labels, err := merge.Labels(ctx, s)
		if err != nil || len(labels) != pairs {
			t.Fatalf("%d labels (%v), want the %d merged pairs", len(labels), err, pairs)
		}

		rec, err = rn.Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		sm, err := s.LatestModel(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Counts["model_trained"] != 1 || sm.Labels != int64(pairs) {
			t.Errorf("after %d merged pairs: counts %v, stored model labels %d; want a model trained on them", pairs, rec.Counts, sm.Labels)
		}
		// A merged member against its survivor, one pair per member merged
		// away (a suggestion of three counts its two members).
		merged := 0
		for _, sg := range pending {
			merged += len(sg.CustomerIDs) - 1
		}
		got := rec.Counts["blocking_merged_pairs"]
		if got != int64(merged) || rec.Counts["blocking_compared"] == 0 || rec.Counts["blocking_compared"] > got {
			t.Errorf("counts %v: want blocking measured on the merged pairs", rec.Counts)
		}
		keyed := false
		for k := range rec.Counts {
			keyed = keyed || strings.HasPrefix(k, "blocking_key:")
		}
		if !keyed {
			t.Errorf("counts %v name no blocking key", rec.Counts)
		}
	})
}
