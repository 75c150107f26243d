package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/validate"
)

func seedCustomers(t *testing.T, s steward.Store, recs ...steward.Record) []*steward.Customer {
	t.Helper()
	cs := make([]*steward.Customer, len(recs))
	for i := range recs {
		cs[i] = &steward.Customer{Record: recs[i]}
	}
	if err := s.CreateCustomers(context.Background(), cs, steward.Meta{Actor: "test", Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	return cs
}

func offlineVerifier(t *testing.T) *validate.EmailVerifier {
	t.Helper()
	lists, err := validate.LoadLists()
	if err != nil {
		t.Fatal(err)
	}
	return &validate.EmailVerifier{Lists: lists}
}

func TestVerifyEmailsRecordsVerdictsAndSkipsFreshChecks(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		cs := seedCustomers(t, s,
			steward.Record{FirstName: "Ann", Email: "ann@example.org"},
			steward.Record{FirstName: "Bob", Email: "bob@@example.org"},
			steward.Record{FirstName: "Cy"}, // no address: nothing to check
			steward.Record{FirstName: "Di", Email: "info@mailinator.com"},
		)
		now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
		job := &VerifyEmails{Verifier: offlineVerifier(t), Window: 30 * 24 * time.Hour, BatchSize: 2, Now: func() time.Time { return now }}
		rn := &Runner{Store: s, StaleAfter: time.Minute}

		rec, err := rn.Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Counts["checked"] != 3 || rec.Counts["invalid"] != 1 {
			t.Fatalf("counts = %v, want 3 checked, 1 invalid", rec.Counts)
		}
		bad, err := s.EmailCheck(ctx, cs[1].ID, "bob@@example.org")
		if err != nil || bad.Verdict != "invalid" || bad.Reason == "" || !bad.CheckedAt.Equal(now) {
			t.Fatalf("check of the bad address: %+v, %v", bad, err)
		}
		if c, err := s.EmailCheck(ctx, cs[3].ID, "info@mailinator.com"); err != nil || c.Verdict == "valid" {
			t.Fatalf("a disposable role address must not be plain valid: %+v, %v", c, err)
		}

		// Within the window a second run has nothing to do.
		rec, err = rn.Start(ctx, job, Options{})
		if err != nil || rec.Counts["checked"] != 0 {
			t.Fatalf("second run: %v, %v", rec.Counts, err)
		}
		// After the window everything is checked again.
		now = now.Add(31 * 24 * time.Hour)
		rec, err = rn.Start(ctx, job, Options{})
		if err != nil || rec.Counts["checked"] != 3 {
			t.Fatalf("run after the window: %v, %v", rec.Counts, err)
		}
	})
}
