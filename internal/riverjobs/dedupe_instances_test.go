package riverjobs

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/gen"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/schedule"
)

// generated returns n generated customers, about a third of them
// duplicates of another.
func generated(t *testing.T, n int) []*steward.Customer {
	t.Helper()
	var cs []*steward.Customer
	err := gen.Each(context.Background(), gen.Options{N: n, Seed: 7, DupRate: 0.3}, func(rec steward.Record, _ string) error {
		cs = append(cs, &steward.Customer{Record: rec})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestDedupeOnInstances: the nightly standardize and dedupe served by
// three instances (standardize split into shares every instance works on,
// dedupe whole on the instance that runs the schedule) leave the same
// pending suggestions, member for member and probability for
// probability, as one undisturbed run of both on a twin database.
func TestDedupeOnInstances(t *testing.T) {
	ctx := context.Background()
	tw, dsn := twinsOf(t, func(n int) []*steward.Customer { return generated(t, n) })(1200)
	st, whole, cs, wcs := tw.st, tw.whole, tw.cs, tw.wcs
	model := matchindex.DefaultModel()
	build := func(_ context.Context, name string) (jobs.Job, error) {
		if name == "dedupe" {
			return &jobs.Dedupe{Config: dedupe.DefaultConfig(), Model: model}, nil
		}
		return standardizeJob(), nil
	}
	rn := &jobs.Runner{Store: whole, StaleAfter: time.Minute}
	for _, name := range []string{"standardize", "dedupe"} {
		j, _ := build(ctx, name)
		if _, err := rn.Start(ctx, j, jobs.Options{}); err != nil {
			t.Fatal(err)
		}
	}

	at := time.Now().Add(6 * time.Second).Truncate(time.Second)
	schedules := []schedule.Schedule{{Name: "nightly", Spec: onceSpec{at}, Jobs: []string{"standardize", "dedupe"}, CatchUp: time.Hour}}
	_, stop := serveInstances(t, dsn, 3, schedules, 200, build)
	runs := waitEnded(t, st, "nightly", 60*time.Second)
	stop()
	if len(runs) != 1 || runs[0].Status != steward.ScheduleSucceeded || len(runs[0].Jobs) != 2 || runs[0].Jobs[0].Counts["shares"] < 2 {
		t.Fatalf("runs = %+v, want one succeeded, standardize in shares", runs)
	}

	// Customers were made in the same order: position i is the same
	// customer in both databases.
	pos := func(cs []*steward.Customer) map[int64]int {
		m := make(map[int64]int, len(cs))
		for i, c := range cs {
			m[c.ID] = i
		}
		return m
	}
	pending := func(s steward.Store, cs []*steward.Customer) map[string]float64 {
		all, err := s.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending})
		if err != nil {
			t.Fatal(err)
		}
		at := pos(cs)
		out := make(map[string]float64, len(all))
		for _, sg := range all {
			key := ""
			for _, id := range sg.CustomerIDs {
				key += fmt.Sprintf("%d,", at[id])
			}
			out[key] = sg.Probability
		}
		return out
	}
	got, want := pending(st, cs), pending(whole, wcs)
	if len(want) < 20 {
		t.Fatalf("the whole run suggests %d groups: too few to compare", len(want))
	}
	for k, p := range want {
		if q, ok := got[k]; !ok || math.Abs(p-q) > 1e-9 {
			t.Errorf("suggestion of customers at %s: %.9f on one instance, %.9f (found %v) on three", k, p, q, ok)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("suggestion of customers at %s on three instances only", k)
		}
	}
}
