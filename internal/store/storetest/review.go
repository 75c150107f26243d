package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// testSuggestionFilters lists the review queue by score band, source and
// date, in both orders, a page at a time.
func testSuggestionFilters(t *testing.T, s steward.Store) {
	ctx := context.Background()
	shop := fresh(t, s, 6)
	web := make([]int64, 4)
	for i := range web {
		c := sample(100 + i)
		c.Record.Source, c.Record.SourceID = "web", c.Record.SourceID+"w"
		web[i] = create(t, s, c).ID
	}
	probs := []float64{0.55, 0.9, 0.7, 0.9, 0.99, 0.62}
	members := [][]int64{{shop[0], shop[1]}, {shop[1], shop[2]}, {shop[2], web[0]}, {shop[3], shop[4]}, {web[1], web[2]}, {web[2], web[3]}}
	var sgs []*steward.Suggestion
	for i, p := range probs {
		sg := &steward.Suggestion{CustomerIDs: members[i], Probability: p}
		must(t, s.UpsertSuggestion(ctx, sg))
		sgs = append(sgs, sg)
	}
	must(t, s.SetSuggestionStatus(ctx, sgs[3].ID, steward.SuggestionSkipped, meta))
	id := func(i int) int64 { return sgs[i].ID }
	later := sgs[5].CreatedAt.Add(time.Hour)
	tests := []struct {
		name string
		f    steward.SuggestionFilter
		want []int64
	}{
		{"confident", steward.SuggestionFilter{Status: steward.SuggestionPending}, []int64{id(4), id(1), id(2), id(5), id(0)}},
		{"uncertain", steward.SuggestionFilter{Status: steward.SuggestionPending, Order: steward.MostUncertain}, []int64{id(0), id(5), id(2), id(1), id(4)}},
		{"uncertain, ties newest first", steward.SuggestionFilter{Order: steward.MostUncertain, MinProbability: 0.9, MaxProbability: 0.9}, []int64{id(3), id(1)}},
		{"band", steward.SuggestionFilter{MinProbability: 0.6, MaxProbability: 0.9}, []int64{id(1), id(3), id(2), id(5)}},
		{"source shop", steward.SuggestionFilter{Source: "shop", Status: steward.SuggestionPending}, []int64{id(1), id(2), id(0)}},
		{"source web", steward.SuggestionFilter{Source: "web"}, []int64{id(4), id(2), id(5)}},
		{"unknown source", steward.SuggestionFilter{Source: "fax"}, []int64{}},
		{"since", steward.SuggestionFilter{Since: sgs[0].CreatedAt}, []int64{id(4), id(1), id(3), id(2), id(5), id(0)}},
		{"until", steward.SuggestionFilter{Until: sgs[0].CreatedAt}, []int64{}},
		{"later", steward.SuggestionFilter{Since: later}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Suggestions(ctx, tt.f)
			must(t, err)
			if ids := suggestionIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("suggestions %v, want %v", ids, tt.want)
			}
			// CountSuggestions counts the same, order and cursor aside,
			// and no further than a limit.
			f0 := tt.f
			f0.After = got0(got)
			if n, err := s.CountSuggestions(ctx, f0); err != nil || n != int64(len(tt.want)) {
				t.Errorf("count %d (%v), want %d", n, err, len(tt.want))
			}
			f0.Limit = 2
			if n, err := s.CountSuggestions(ctx, f0); err != nil || n != int64(min(2, len(tt.want))) {
				t.Errorf("count up to 2: %d (%v), want %d", n, err, min(2, len(tt.want)))
			}
			// The same, two at a time.
			var paged []int64
			f := tt.f
			f.Limit = 2
			for {
				page, err := s.Suggestions(ctx, f)
				must(t, err)
				if len(page) == 0 {
					break
				}
				paged = append(paged, suggestionIDs(page)...)
				f.After = page[len(page)-1].ID
			}
			if !slices.Equal(append([]int64{}, paged...), tt.want) {
				t.Errorf("paged %v, want %v", paged, tt.want)
			}
		})
	}
	invalid := []steward.SuggestionFilter{
		{Order: "random"}, {Status: "done"}, {MinProbability: 1.5}, {MinProbability: 0.8, MaxProbability: 0.2},
		{Since: later, Until: sgs[0].CreatedAt},
	}
	for _, f := range invalid {
		_, err := s.Suggestions(ctx, f)
		wantCode(t, err, steward.EINVALID)
	}
	_, err := s.Suggestions(ctx, steward.SuggestionFilter{After: 424242})
	wantCode(t, err, steward.ENOTFOUND)
	for _, f := range invalid {
		_, err := s.CountSuggestions(ctx, f)
		wantCode(t, err, steward.EINVALID)
	}
}

// got0 is the id of the first of sgs, 0 for none: a cursor that
// CountSuggestions ignores.
func got0(sgs []*steward.Suggestion) int64 {
	if len(sgs) == 0 {
		return 0
	}
	return sgs[0].ID
}

func suggestionIDs(sgs []*steward.Suggestion) []int64 {
	out := []int64{}
	for _, sg := range sgs {
		out = append(out, sg.ID)
	}
	return out
}

func testJobRunsList(t *testing.T, s steward.Store) {
	ctx := context.Background()
	var ids []int64
	for _, job := range []string{"dedupe", "standardize", "dedupe"} {
		run, err := s.StartJobRun(ctx, job)
		must(t, err)
		run.Status = steward.JobSucceeded
		must(t, s.FinishJobRun(ctx, run))
		ids = append(ids, run.ID)
	}
	tests := []struct {
		name string
		f    steward.JobRunFilter
		want []int64
	}{
		{"all", steward.JobRunFilter{}, []int64{ids[2], ids[1], ids[0]}},
		{"one job", steward.JobRunFilter{Job: "dedupe"}, []int64{ids[2], ids[0]}},
		{"page", steward.JobRunFilter{Before: ids[2], Limit: 1}, []int64{ids[1]}},
		{"none", steward.JobRunFilter{Job: "snapshot"}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := s.JobRuns(ctx, tt.f)
			must(t, err)
			got := []int64{}
			for _, r := range runs {
				got = append(got, r.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("runs %v, want %v", got, tt.want)
			}
		})
	}
}
