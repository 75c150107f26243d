package jobs

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
	"github.com/steward-crm/steward/internal/dnstest"
	"github.com/steward-crm/steward/validate"
)

var testMeta = steward.Meta{Actor: "test", Cause: "test"}

// manyMessy returns n messy records, distinct by last name.
func manyMessy(n int) []steward.Record {
	base := messyRecords()
	out := make([]steward.Record, n)
	for i := range out {
		out[i] = base[i%len(base)]
		out[i].LastName = fmt.Sprintf("%s%d", out[i].LastName, i)
	}
	return out
}

// messUp writes a phone and a country in non-standard form onto the
// customers at the positions, as an API update would.
func messUp(t *testing.T, s steward.Store, cs []*steward.Customer, at ...int) {
	t.Helper()
	ctx := context.Background()
	for _, i := range at {
		c, err := s.Customer(ctx, cs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		c.Record.Phone, c.Record.Country = fmt.Sprintf("(212) 555-01%02d", i), "USA"
		if err := s.UpdateCustomer(ctx, c, testMeta); err != nil {
			t.Fatal(err)
		}
	}
}

func start(t *testing.T, rn *Runner, job Job, opts Options) *steward.JobRun {
	t.Helper()
	rec, err := rn.Start(context.Background(), job, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func allRecords(t *testing.T, s steward.Store) []steward.Record {
	t.Helper()
	var out []steward.Record
	err := s.EachCustomer(context.Background(), steward.CustomerFilter{}, func(c *steward.Customer) error {
		out = append(out, c.Record)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStandardizeExaminesOnlyChangedCustomers: after 3 of 20 customers
// change, a run examines exactly those 3, and ends with the database a
// full run gives.
func TestStandardizeExaminesOnlyChangedCustomers(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		s := open()
		cs := seedCustomers(t, s, manyMessy(20)...)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		job := &Standardize{Options: cleanse.Options{DefaultCountry: "US"}, PageSize: 4}

		first := start(t, rn, job, Options{})
		if !first.Changes.Full || first.Changes.Mark == 0 || first.Counts["customers"] != 20 {
			t.Fatalf("first run: %+v %v, want every customer and a mark", first.Changes, first.Counts)
		}
		// The next run looks once more at what the first one wrote, and
		// finds it standard.
		second := start(t, rn, job, Options{})
		if second.Changes.Full || second.Changes.Since != first.Changes.Mark ||
			second.Counts["customers"] != first.Counts["changed"] || second.Counts["changed"] != 0 {
			t.Fatalf("second run: %+v %v, want the %d customers the first changed, none changed again",
				second.Changes, second.Counts, first.Counts["changed"])
		}
		if idle := start(t, rn, job, Options{}); idle.Counts["customers"] != 0 {
			t.Fatalf("run with nothing changed examined %v", idle.Counts)
		}

		messUp(t, s, cs, 2, 11, 17)
		incr := start(t, rn, job, Options{})
		if incr.Counts["customers"] != 3 || incr.Counts["changed"] != 3 {
			t.Fatalf("after 3 changes: %v, want exactly those 3 examined and fixed", incr.Counts)
		}

		// The same history with full runs only gives the same database.
		ref := open()
		refCs := seedCustomers(t, ref, manyMessy(20)...)
		refRn := &Runner{Store: ref, StaleAfter: time.Minute}
		start(t, refRn, job, Options{Full: true})
		messUp(t, ref, refCs, 2, 11, 17)
		if r := start(t, refRn, job, Options{Full: true}); r.Counts["customers"] != 20 || r.Counts["changed"] != 3 {
			t.Fatalf("full run: %v", r.Counts)
		}
		if got, want := allRecords(t, s), allRecords(t, ref); !reflect.DeepEqual(got, want) {
			t.Fatalf("incremental runs left\n%+v\nfull runs\n%+v", got, want)
		}
		full := start(t, rn, job, Options{Full: true})
		if !full.Changes.Full || full.Counts["customers"] != 20 || full.Counts["changed"] != 0 {
			t.Fatalf("--full after incremental runs: %+v %v, want all 20 examined, nothing left to fix", full.Changes, full.Counts)
		}
	})
}

// TestStandardizeAgainWhenItsRulesChange: a run under other rules (the
// default country changed, or a run from before the rules were
// fingerprinted: steward upgraded) examines every customer and says why;
// the run after it is incremental again.
func TestStandardizeAgainWhenItsRulesChange(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		s := open()
		seedCustomers(t, s, manyMessy(10)...)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		us := &Standardize{Options: cleanse.Options{DefaultCountry: "US"}, PageSize: 4}
		start(t, rn, us, Options{})
		if idle := start(t, rn, us, Options{}); idle.Changes.Full || idle.Counts["full_because:rules_changed"] != 0 {
			t.Fatalf("same rules: %+v %v, want an incremental run", idle.Changes, idle.Counts)
		}
		gb := &Standardize{Options: cleanse.Options{DefaultCountry: "GB"}, PageSize: 4}
		again := start(t, rn, gb, Options{})
		if !again.Changes.Full || again.Counts["customers"] != 10 || again.Counts["full_because:rules_changed"] != 1 {
			t.Fatalf("other default country: %+v %v, want every customer, rules_changed", again.Changes, again.Counts)
		}
		if next := start(t, rn, gb, Options{}); next.Changes.Full || next.Counts["full_because:rules_changed"] != 0 {
			t.Fatalf("after the full run: %+v %v, want incremental", next.Changes, next.Counts)
		}
		// A last run that kept no fingerprint (an older steward's).
		last, err := s.LastJobRun(context.Background(), "standardize")
		if err != nil {
			t.Fatal(err)
		}
		delete(last.Counts, countRules)
		if why := gb.FullRunBecause(last); why != "rules_changed" {
			t.Errorf("a run without a fingerprint: %q, want rules_changed", why)
		}
	})
}

// TestVerifyEmailsChecksOnlyChangedAddresses: after 3 customers change
// their address, a run checks exactly those 3; a check past its window is
// due whether its customer changed or not; an address left unknown keeps
// the run's mark, so the next run tries it again.
func TestVerifyEmailsChecksOnlyChangedAddresses(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		recs := make([]steward.Record, 12)
		for i := range recs {
			recs[i] = steward.Record{FirstName: fmt.Sprint("P", i), Email: fmt.Sprintf("p%d@shop.dnstest.net", i)}
		}
		cs := seedCustomers(t, s, recs...)
		dns := dnstest.Start(t, append(canaryZone(), "shop.dnstest.net. 300 IN MX 10 mx.shop.dnstest.net.", "SERVFAIL broken.dnstest.net.")...)
		res, err := validate.NewDNSResolver(validate.DNSConfig{Server: dns.Addr, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		v := offlineVerifier(t)
		v.Resolver = res
		now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
		job := &VerifyEmails{Verifier: v, Window: 30 * 24 * time.Hour, BatchSize: 5, Now: func() time.Time { return now }}
		rn := &Runner{Store: s, StaleAfter: time.Minute}

		if r := start(t, rn, job, Options{}); !r.Changes.Full || r.Counts["checked"] != 12 {
			t.Fatalf("first run: %+v %v", r.Changes, r.Counts)
		}
		move := func(i int, email string) {
			c, err := s.Customer(ctx, cs[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			c.Record.Email = email
			if err := s.UpdateCustomer(ctx, c, testMeta); err != nil {
				t.Fatal(err)
			}
		}
		for _, i := range []int{1, 6, 10} {
			move(i, fmt.Sprintf("moved%d@shop.dnstest.net", i))
		}
		now = now.Add(time.Hour)
		r := start(t, rn, job, Options{})
		if r.Changes.Full || r.Counts["checked"] != 3 || r.Counts["recorded"] != 3 {
			t.Fatalf("after 3 address changes: %+v %v, want exactly those 3 checked", r.Changes, r.Counts)
		}
		if f := start(t, rn, job, Options{Full: true}); f.Counts["checked"] != 0 {
			t.Fatalf("a full run after the incremental one found %v due", f.Counts)
		}

		move(4, "p4@broken.dnstest.net")
		unknown := start(t, rn, job, Options{})
		if unknown.Counts["checked"] != 1 || unknown.Counts["unknown"] != 1 || unknown.Changes.Mark != unknown.Changes.Since {
			t.Fatalf("run with an unknown verdict: %+v %v, want the mark kept", unknown.Changes, unknown.Counts)
		}
		if again := start(t, rn, job, Options{}); again.Counts["checked"] != 1 {
			t.Fatalf("the unknown address was not tried again: %v", again.Counts)
		}

		now = now.Add(31 * 24 * time.Hour)
		if r := start(t, rn, job, Options{}); r.Changes.Full || r.Counts["checked"] != 12 {
			t.Fatalf("after the window: %+v %v, want every address checked again", r.Changes, r.Counts)
		}
	})
}

// TestResumedRunKeepsItsChanges: a run interrupted part-way resumes over
// the same customers, and the next run starts from the mark the
// interrupted one started from, since what it left is not known.
func TestResumedRunKeepsItsChanges(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		cs := seedCustomers(t, s, manyMessy(10)...)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		job := &Standardize{Options: cleanse.Options{DefaultCountry: "US"}, PageSize: 1}
		start(t, rn, job, Options{})
		start(t, rn, job, Options{})
		base := start(t, rn, job, Options{})

		messUp(t, s, cs, 1, 3, 5, 7)
		cctx, cancel := context.WithCancel(ctx)
		pages := 0
		job.Progress = func(int64) {
			if pages++; pages == 2 {
				cancel()
			}
		}
		failed, err := rn.Start(cctx, job, Options{})
		if err == nil || failed.Status != steward.JobFailed {
			t.Fatalf("interrupted run: %v, %v", failed, err)
		}
		job.Progress = nil
		// A shutdown while the resuming run's start is recorded: that run
		// fails too, and keeps the interrupted run's customers.
		sctx, shutdown := context.WithCancel(ctx)
		stopped := &Runner{Store: &cancelAfterStart{Store: s, cancel: shutdown}, StaleAfter: time.Minute}
		if _, err := stopped.Start(sctx, job, Options{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("start during a shutdown: %v", err)
		}
		messUp(t, s, cs, 0) // before the checkpoint: the next run finds it
		resumed := start(t, rn, job, Options{})
		if resumed.Changes.Full || resumed.Changes.Since != base.Changes.Mark ||
			failed.Counts["customers"]+resumed.Counts["customers"] != 4 {
			t.Fatalf("interrupted run %+v %v, resumed run %+v %v: want both since %d, 4 examined in all",
				failed.Changes, failed.Counts, resumed.Changes, resumed.Counts, base.Changes.Mark)
		}
		if resumed.Changes.Mark != resumed.Changes.Since {
			t.Fatalf("resumed run's mark %d, want its since kept", resumed.Changes.Mark)
		}
		next := start(t, rn, job, Options{})
		if next.Changes.Since != base.Changes.Mark || next.Counts["changed"] != 1 {
			t.Fatalf("run after a resumed one: %+v %v, want it to start from the same mark and fix customer 0",
				next.Changes, next.Counts)
		}
	})
}

// TestShareExaminesOnlyItsChangedCustomers: a share of a job that follows
// changes examines the customers of its range written since its own last
// successful run.
func TestShareExaminesOnlyItsChangedCustomers(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		s := open()
		cs := seedCustomers(t, s, manyMessy(10)...)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		std := &Standardize{Options: cleanse.Options{DefaultCountry: "US"}}
		r := IDRange{From: cs[0].ID, Through: cs[4].ID}
		start(t, rn, Share(std, r), Options{})
		start(t, rn, Share(std, r), Options{})
		messUp(t, s, cs, 1, 3, 7) // 7 is outside the share
		rec := start(t, rn, Share(std, r), Options{})
		if rec.Changes.Full || rec.Counts["customers"] != 2 || rec.Counts["changed"] != 2 {
			t.Fatalf("share after changes: %+v %v, want its 2 changed customers examined", rec.Changes, rec.Counts)
		}
	})
}
