package jobs

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// TestRunnerPrunesChangeRecords: after a successful run of a job that
// follows changes, the runner has already forgotten the change records
// before the marks the jobs start from (nothing is left to prune), and the
// next run still finds the customers changed since.
func TestRunnerPrunesChangeRecords(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		p, ok := s.(ChangePruner)
		if !ok {
			t.Skip("the store keeps no change records")
		}
		cs := seedCustomers(t, s, manyMessy(6)...)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		job := &Standardize{}
		start(t, rn, job, Options{})
		messUp(t, s, cs, 1, 2)
		second := start(t, rn, job, Options{})
		if n, err := p.PruneCustomerChanges(ctx); err != nil || n != 0 {
			t.Fatalf("pruning after the runs deleted %d (%v), want 0: the runner prunes", n, err)
		}
		messUp(t, s, cs, 4)
		var changed []int64
		err := s.EachCustomer(ctx, steward.CustomerFilter{ChangedSince: second.Changes.Mark}, func(c *steward.Customer) error {
			changed = append(changed, c.ID)
			return nil
		})
		if err != nil || !slices.Contains(changed, cs[4].ID) {
			t.Fatalf("after pruning, changed since the last run: %v (%v), want customer %d among them", changed, err, cs[4].ID)
		}
		if rec := start(t, rn, job, Options{}); rec.Counts["customers"] != int64(len(changed)) {
			t.Errorf("after pruning: counts %v, want the %d customers changed since the last run examined", rec.Counts, len(changed))
		}
	})
}
