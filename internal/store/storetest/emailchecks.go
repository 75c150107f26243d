package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func testEmailChecks(t *testing.T, s steward.Store) {
	ctx := context.Background()
	cs := make([]*steward.Customer, 6)
	for i := range cs {
		cs[i] = sample(i)
	}
	cs[4].Record.Email = ""
	cs[5].Status = steward.StatusMerged
	must(t, s.CreateCustomers(ctx, cs, meta))
	due := func(cutoff time.Time, after int64, limit int) []int64 {
		t.Helper()
		es, err := s.EmailsToCheck(ctx, cutoff, 0, after, 0, limit)
		must(t, err)
		var ids []int64
		for _, e := range es {
			c := get(t, s, e.CustomerID)
			if e.Email != c.Record.Email {
				t.Errorf("email to check %q, customer has %q", e.Email, c.Record.Email)
			}
			ids = append(ids, e.CustomerID)
		}
		return ids
	}
	t0 := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	all := []int64{cs[0].ID, cs[1].ID, cs[2].ID, cs[3].ID}
	if got := due(t0, 0, 100); !reflect.DeepEqual(got, all) {
		t.Errorf("never checked: %v, want %v", got, all)
	}
	// A share of the ids: through cs[2].
	share, err := s.EmailsToCheck(ctx, t0, 0, cs[0].ID, cs[2].ID, 100)
	must(t, err)
	if len(share) != 2 || share[0].CustomerID != cs[1].ID || share[1].CustomerID != cs[2].ID {
		t.Errorf("due after %d through %d: %+v, want %d and %d", cs[0].ID, cs[2].ID, share, cs[1].ID, cs[2].ID)
	}
	must(t, s.RecordEmailCheck(ctx, cs[1].ID, cs[1].Record.Email, "valid", "mx", t0))
	must(t, s.RecordEmailCheck(ctx, cs[2].ID, cs[2].Record.Email, "invalid", "no_mx", t0.Add(-48*time.Hour)))
	if got := due(t0.Add(-time.Hour), 0, 100); !reflect.DeepEqual(got, []int64{cs[0].ID, cs[2].ID, cs[3].ID}) {
		t.Errorf("cutoff before the check: %v", got)
	}
	if got := due(t0.Add(time.Hour), 0, 100); !reflect.DeepEqual(got, all) {
		t.Errorf("cutoff after every check: %v", got)
	}
	if got := due(t0.Add(-time.Hour), cs[0].ID, 1); !reflect.DeepEqual(got, []int64{cs[2].ID}) {
		t.Errorf("after %d limit 1: %v", cs[0].ID, got)
	}
	// Re-checking replaces the verdict.
	must(t, s.RecordEmailCheck(ctx, cs[2].ID, cs[2].Record.Email, "valid", "mx", t0))
	ec, err := s.EmailCheck(ctx, cs[2].ID, cs[2].Record.Email)
	must(t, err)
	if ec.Verdict != "valid" || ec.Reason != "mx" || !ec.CheckedAt.Equal(t0) {
		t.Errorf("email check = %+v", ec)
	}
	// A new address is due again however recent the old one's check.
	c := get(t, s, cs[1].ID)
	c.Record.Email = "moved@example.org"
	must(t, s.UpdateCustomer(ctx, c, meta))
	if got := due(t0.Add(-time.Hour), 0, 100); !reflect.DeepEqual(got, []int64{cs[0].ID, cs[1].ID, cs[3].ID}) {
		t.Errorf("after an address change: %v", got)
	}
	wantCode(t, s.RecordEmailCheck(ctx, 424242, "x@example.com", "valid", "", t0), steward.ENOTFOUND)
	wantCode(t, s.RecordEmailCheck(ctx, cs[0].ID, "x@example.com", "", "", t0), steward.EINVALID)
	_, err = s.EmailsToCheck(ctx, t0, 0, 0, 0, 0)
	wantCode(t, err, steward.EINVALID)
}
