package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/steward-crm/steward"
)

// changePruner is a store that forgets the change records no incremental
// run reads any more (PostgreSQL's customer_change_txns; SQLite keeps
// none).
type changePruner interface {
	PruneCustomerChanges(ctx context.Context) (int64, error)
}

// succeedWithMark records a successful run of job that took mark when it
// started, as the runner of an incremental job does.
func succeedWithMark(t *testing.T, s steward.Store, job string, mark int64) {
	t.Helper()
	ctx := context.Background()
	run, err := s.StartJobRun(ctx, job)
	must(t, err)
	must(t, s.SetJobRunChanges(ctx, run.ID, steward.ChangeWindow{Full: true, Mark: mark}))
	run.Status = steward.JobSucceeded
	must(t, s.FinishJobRun(ctx, run))
}

// testPruneCustomerChanges checks that pruning the change records keeps
// what every incremental job will read: after it, the customers changed
// since the mark of each job's latest successful run are the same, and a
// customer written later is found too.
func testPruneCustomerChanges(t *testing.T, s steward.Store) {
	p, ok := s.(changePruner)
	if !ok {
		t.Skip("the store keeps no change records to prune")
	}
	ctx := context.Background()
	prune := func() int64 {
		t.Helper()
		n, err := p.PruneCustomerChanges(ctx)
		must(t, err)
		return n
	}
	if n := prune(); n != 0 {
		t.Fatalf("pruned %d change records with no incremental run recorded", n)
	}
	cs := createSamples(t, s, 6)
	must(t, setCity(ctx, s, cs[0].ID, "Tabriz"))
	slow := changeMark(t, s)
	succeedWithMark(t, s, "slow", slow)
	must(t, setCity(ctx, s, cs[1].ID, "Shiraz"))
	must(t, setCity(ctx, s, cs[2].ID, "Rasht"))
	fast := changeMark(t, s)
	succeedWithMark(t, s, "fast", fast)
	must(t, setCity(ctx, s, cs[3].ID, "Yazd"))
	must(t, setCity(ctx, s, cs[1].ID, "Qom"))
	wantSlow := []int64{cs[1].ID, cs[2].ID, cs[3].ID}
	wantFast := []int64{cs[1].ID, cs[3].ID}
	check := func(when string) {
		t.Helper()
		if got := changedIDs(t, s, steward.CustomerFilter{ChangedSince: slow}); !reflect.DeepEqual(got, wantSlow) {
			t.Errorf("%s: changed since the slow job's mark = %v, want %v", when, got, wantSlow)
		}
		if got := changedIDs(t, s, steward.CustomerFilter{ChangedSince: fast}); !reflect.DeepEqual(got, wantFast) {
			t.Errorf("%s: changed since the fast job's mark = %v, want %v", when, got, wantFast)
		}
	}
	check("before pruning")
	if n := prune(); n != 2 {
		t.Errorf("pruned %d change records, want the 2 transactions before the slow job's mark (the creation, an update)", n)
	}
	check("after pruning")
	if n := prune(); n != 0 {
		t.Errorf("pruned %d more with the same runs", n)
	}

	// The slow job runs again: the fast job's mark is the oldest now, and
	// what the slow job read before may go; the fast job still finds its
	// customers, and so does the slow job's next run.
	slow2 := changeMark(t, s)
	succeedWithMark(t, s, "slow", slow2)
	pruned := prune()
	must(t, setCity(ctx, s, cs[5].ID, "Ahvaz"))
	wantFast = append(wantFast, cs[5].ID)
	if got := changedIDs(t, s, steward.CustomerFilter{ChangedSince: fast}); !reflect.DeepEqual(got, wantFast) {
		t.Errorf("after pruning %d: changed since the fast job's mark = %v, want %v", pruned, got, wantFast)
	}
	if got, want := changedIDs(t, s, steward.CustomerFilter{ChangedSince: slow2}), []int64{cs[5].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("after pruning %d: changed since the slow job's new mark = %v, want %v", pruned, got, want)
	}
}
