package jobs

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/gen"
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
			if err != nil || ev.Producer != steward.EvidenceDedupe || len(ev.Pairs) == 0 || len(ev.Pairs[0].Fields) == 0 || ev.Pairs[0].Prior >= 0 {
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
