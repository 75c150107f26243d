package jobs

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
)

func TestShares(t *testing.T) {
	got := Shares(120001, 50000)
	want := []IDRange{{1, 50000}, {50001, 100000}, {100001, 150000}}
	if !slices.Equal(got, want) {
		t.Errorf("Shares(120001, 50000) = %v, want %v", got, want)
	}
	if got := Shares(0, 10); len(got) != 0 {
		t.Errorf("no customers, shares %v", got)
	}
	name := ShareName("verify-emails", IDRange{50001, 100000})
	if job, ok := IsShare(name); name != "verify-emails#50001-100000" || !ok || job != "verify-emails" {
		t.Errorf("share name %q: IsShare = %q, %v", name, job, ok)
	}
	for _, n := range []string{"standardize", "dedupe#x-1", "a#1"} {
		if _, ok := IsShare(n); ok {
			t.Errorf("IsShare(%q) = true", n)
		}
	}
}

// TestStandardizeShares runs standardize as shares, in any order: the
// customers end as a whole run leaves them, each share touches only its
// range, and the shares' counts add up to the whole run's.
func TestStandardizeShares(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		var recs []steward.Record
		for range 5 {
			recs = append(recs, messyRecords()...)
		}
		whole, shared := open(), open()
		cs := seedCustomers(t, whole, recs...)
		seedCustomers(t, shared, recs...)
		job := &Standardize{Options: cleanse.Options{DefaultCountry: "US"}, PageSize: 3}

		all, err := (&Runner{Store: whole, StaleAfter: time.Minute}).Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ranges := Shares(cs[len(cs)-1].ID, 7)
		if len(ranges) < 3 {
			t.Fatalf("shares %v, want several", ranges)
		}
		sum := map[string]int64{}
		rn := &Runner{Store: shared, StaleAfter: time.Minute}
		for _, i := range []int{2, 0, 1} { // any order
			r := ranges[i]
			rec, err := rn.Start(ctx, Share(job, r), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Job != ShareName("standardize", r) {
				t.Errorf("share recorded as %q", rec.Job)
			}
			if rec.Counts["customers"] > r.Through-r.From+1 {
				t.Errorf("share %v counted %d customers", r, rec.Counts["customers"])
			}
			for k, v := range rec.Counts {
				sum[k] += v
			}
		}
		for _, r := range ranges[3:] {
			rec, err := rn.Start(ctx, Share(job, r), Options{})
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range rec.Counts {
				sum[k] += v
			}
		}
		for _, k := range []string{"customers", "changed", "fixes", "flags"} {
			if sum[k] != all.Counts[k] {
				t.Errorf("shares counted %s %d, the whole run %d", k, sum[k], all.Counts[k])
			}
		}
		for _, c := range cs {
			a, err := whole.Customer(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			b, err := shared.Customer(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := steward.Diff(&a.Record, &b.Record); len(d) != 0 {
				t.Errorf("customer %d: whole run %+v, shares %+v", c.ID, a.Record, b.Record)
			}
		}
	})
}
