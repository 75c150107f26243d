package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
)

func messyRecords() []steward.Record {
	return []steward.Record{
		{FirstName: "JOHN", LastName: "o'brien", Phone: "(212) 555-0100", Country: "USA", AddressLine1: "123 North Main Street Apartment 4", Region: "California"},
		{FirstName: "علي", LastName: "كريمي", Phone: "۰۹۱۲ ۳۴۵ ۶۷۸۹", Country: "ایران", PostalCode: "۱۲۳۴۵۶۷۸۹۰"},
		{FirstName: "Mary", LastName: "Smith", Email: "Mary.Smith@EXAMPLE.ORG", Country: "UK", PostalCode: "sw1a1aa"},
		{FirstName: "Ann", LastName: "Lee", Country: "AU", Email: "ann@example.org"},
		{FirstName: "Bob", LastName: "Jones", BirthDate: "19800312", Country: "Australia"},
	}
}

func TestStandardizeJobRecordsOriginalsAndIsIdempotent(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		cs := seedCustomers(t, s, messyRecords()...)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		job := &Standardize{Options: cleanse.Options{DefaultCountry: "US"}, PageSize: 2}

		rec, err := rn.Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Counts["customers"] != 5 || rec.Counts["changed"] < 4 {
			t.Fatalf("counts %v: want 5 customers, at least 4 changed", rec.Counts)
		}
		got, err := s.Customer(ctx, cs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Record.FirstName != "John" || got.Record.LastName != "O'Brien" || got.Record.Phone != "+12125550100" ||
			got.Record.Country != "US" || got.Record.AddressLine1 != "123 N MAIN ST APT 4" || got.Record.Region != "CA" {
			t.Fatalf("standardized record: %+v", got.Record)
		}
		persian, _ := s.Customer(ctx, cs[1].ID)
		if persian.Record.FirstName != "علی" || persian.Record.LastName != "کریمی" || persian.Record.Country != "IR" || persian.Record.Phone != "+989123456789" {
			t.Fatalf("Persian record: %+v", persian.Record)
		}

		// The audit trail keeps the original value and names the run.
		changes, err := s.Changes(ctx, cs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var phone *steward.Change
		for i := range changes {
			if changes[i].Field == steward.FieldPhone && changes[i].Cause == run1Cause(rec) {
				phone = &changes[i]
			}
		}
		if phone == nil || phone.Before != "(212) 555-0100" || phone.After != "+12125550100" || phone.Actor != "job:standardize" {
			t.Fatalf("phone change in the audit trail: %+v (all: %+v)", phone, changes)
		}

		// A second run over every customer changes nothing.
		rec2, err := rn.Start(ctx, job, Options{Full: true})
		if err != nil || rec2.Counts["changed"] != 0 || rec2.Counts["customers"] != 5 {
			t.Fatalf("second run: %v, %v", rec2.Counts, err)
		}
		again, _ := s.Customer(ctx, cs[0].ID)
		if again.Version != got.Version {
			t.Fatalf("second run bumped the version %d → %d", got.Version, again.Version)
		}
	})
}

func run1Cause(r *steward.JobRun) string { return (&Run{Record: r}).Cause() }

func TestStandardizeJobResumesAfterInterruption(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()

		// Uninterrupted reference.
		ref := open()
		refIDs := seedCustomers(t, ref, messyRecords()...)
		rn := &Runner{Store: ref, StaleAfter: time.Minute}
		if _, err := rn.Start(ctx, &Standardize{PageSize: 2}, Options{}); err != nil {
			t.Fatal(err)
		}

		// Interrupted after the first page, then resumed.
		s := open()
		ids := seedCustomers(t, s, messyRecords()...)
		rn = &Runner{Store: s, StaleAfter: time.Minute}
		cctx, cancel := context.WithCancel(ctx)
		job := &Standardize{PageSize: 2, Progress: func(done int64) {
			if done == 2 {
				cancel()
			}
		}}
		rec, err := rn.Start(cctx, job, Options{})
		if !errors.Is(err, context.Canceled) || rec.Checkpoint != "2" {
			t.Fatalf("interrupted run: %+v, %v", rec, err)
		}
		job.Progress = nil
		rec, err = rn.Start(ctx, job, Options{})
		if err != nil || rec.Counts["customers"] != 3 {
			t.Fatalf("resumed run: %v, %v; want the 3 customers left", rec.Counts, err)
		}
		for i := range ids {
			a, _ := ref.Customer(ctx, refIDs[i].ID)
			b, _ := s.Customer(ctx, ids[i].ID)
			if d := steward.Diff(&a.Record, &b.Record); len(d) != 0 || a.Version != b.Version {
				t.Fatalf("customer %d differs from an uninterrupted run: %+v (versions %d, %d)", i, d, a.Version, b.Version)
			}
		}
	})
}

// committedProbe is a store whose Atomic, after each commit, reads back
// the running run as a process killed at that instant would leave it.
type committedProbe struct {
	steward.Store
	seen []*steward.JobRun
}

func (p *committedProbe) Atomic(ctx context.Context, fn func(context.Context, steward.Store) error, opts ...steward.TxOption) error {
	if err := p.Store.Atomic(ctx, fn, opts...); err != nil {
		return err
	}
	if run, err := p.Store.LastJobRun(ctx, "standardize"); err == nil && run.Checkpoint != "" {
		p.seen = append(p.seen, run)
	}
	return nil
}

// TestCountsMatchCheckpoint: after every committed step the stored counts
// describe exactly the work up to the stored checkpoint, so that a run
// killed at any point and the run that resumes it add up to the whole
// (they once lagged one page behind).
func TestCountsMatchCheckpoint(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		recs := make([]steward.Record, 9)
		for i := range recs {
			recs[i] = steward.Record{FirstName: "ann", LastName: "lee", Email: fmt.Sprintf("ann%d@example.org", i)}
		}
		cs := seedCustomers(t, s, recs...)
		probe := &committedProbe{Store: s}
		rn := &Runner{Store: probe, StaleAfter: time.Minute}
		if _, err := rn.Start(ctx, &Standardize{PageSize: 2}, Options{}); err != nil {
			t.Fatal(err)
		}
		if len(probe.seen) != 5 {
			t.Fatalf("%d committed steps seen, want 5", len(probe.seen))
		}
		for _, run := range probe.seen {
			after, _ := strconv.ParseInt(run.Checkpoint, 10, 64)
			done := int64(0)
			for _, c := range cs {
				if c.ID <= after {
					done++
				}
			}
			if run.Counts["customers"] != done {
				t.Errorf("stored checkpoint %s (customer %d of %d) with count %d: the counts lag the checkpoint", run.Checkpoint, done, len(cs), run.Counts["customers"])
			}
		}
	})
}
