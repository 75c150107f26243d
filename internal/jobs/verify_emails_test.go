package jobs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/dnstest"
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
			steward.Record{FirstName: "Ann", Email: "ann@shop.dnstest.net"},
			steward.Record{FirstName: "Bob", Email: "bob@@example.org"},
			steward.Record{FirstName: "Cy"}, // no address: nothing to check
			steward.Record{FirstName: "Di", Email: "di@gone.dnstest.net"},
			steward.Record{FirstName: "Ed", Email: "ed@broken.dnstest.net"},
		)
		now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		offline := &VerifyEmails{Verifier: offlineVerifier(t), Window: 30 * 24 * time.Hour, BatchSize: 2, Now: func() time.Time { return now }}

		// Offline, only the invalid verdict is recorded: the well-formed
		// addresses stay due for a check with DNS.
		rec, err := rn.Start(ctx, offline, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Counts["checked"] != 4 || rec.Counts["invalid"] != 1 || rec.Counts["recorded"] != 1 {
			t.Fatalf("offline counts = %v, want 4 checked, 1 invalid, 1 recorded", rec.Counts)
		}
		bad, err := s.EmailCheck(ctx, cs[1].ID, "bob@@example.org")
		if err != nil || bad.Verdict != "invalid" || bad.Reason == "" || !bad.CheckedAt.Equal(now) {
			t.Fatalf("check of the bad address: %+v, %v", bad, err)
		}
		if _, err := s.EmailCheck(ctx, cs[0].ID, "ann@shop.dnstest.net"); steward.ErrorCode(err) != steward.ENOTFOUND {
			t.Fatalf("an offline syntax check was recorded as a verification: %v", err)
		}

		// With DNS: the due addresses are checked and recorded.
		dns := dnstest.Start(t, append(canaryZone(), "shop.dnstest.net. 300 IN MX 10 mx.shop.dnstest.net.", "SERVFAIL broken.dnstest.net.")...)
		online := *offline
		online.Verifier = offlineVerifier(t)
		res, err := validate.NewDNSResolver(validate.DNSConfig{Server: dns.Addr, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		online.Verifier.Resolver = res
		rec, err = rn.Start(ctx, &online, Options{})
		if err != nil || rec.Counts["checked"] != 3 || rec.Counts["recorded"] != 2 || rec.Counts["unknown"] != 1 {
			t.Fatalf("online run: %v, %v; want the 3 due addresses checked, 2 recorded, 1 unknown", rec.Counts, err)
		}
		if _, err := s.EmailCheck(ctx, cs[4].ID, "ed@broken.dnstest.net"); steward.ErrorCode(err) != steward.ENOTFOUND {
			t.Fatalf("an unknown verdict (SERVFAIL) was recorded and would be trusted for the window: %v", err)
		}
		if c, err := s.EmailCheck(ctx, cs[0].ID, "ann@shop.dnstest.net"); err != nil || c.Verdict != "valid" {
			t.Fatalf("address with an MX: %+v, %v", c, err)
		}
		if c, err := s.EmailCheck(ctx, cs[3].ID, "di@gone.dnstest.net"); err != nil || c.Verdict != "invalid" {
			t.Fatalf("address whose domain does not exist: %+v, %v", c, err)
		}

		// Within the window a further run has nothing to do; after it,
		// everything is checked again.
		rec, err = rn.Start(ctx, &online, Options{})
		if err != nil || rec.Counts["checked"] != 1 || rec.Counts["recorded"] != 0 {
			t.Fatalf("run within the window: %v, %v; want only the unknown address retried", rec.Counts, err)
		}
		now = now.Add(31 * 24 * time.Hour)
		rec, err = rn.Start(ctx, &online, Options{})
		if err != nil || rec.Counts["checked"] != 4 {
			t.Fatalf("run after the window: %v, %v", rec.Counts, err)
		}
	})
}

// canaryZone is what an honest DNS server says of the canary domains.
func canaryZone() []string {
	var rrs []string
	for _, d := range DefaultCanaries() {
		rrs = append(rrs, d+". 300 IN MX 10 mx."+d+".")
	}
	return rrs
}

// TestVerifyEmailsNoticesALyingResolver: a resolver that answers "no such
// domain" for every name stops the run before it records anything,
// saying the resolver looks broken, instead of marking every address
// invalid for the whole window; the next run with an honest resolver
// resumes and records them.
func TestVerifyEmailsNoticesALyingResolver(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		cs := seedCustomers(t, s,
			steward.Record{FirstName: "Ann", Email: "ann@shop.dnstest.net"},
			steward.Record{FirstName: "Bob", Email: "bob@shop.dnstest.net"},
		)
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		verifier := func(records ...string) *VerifyEmails {
			res, err := validate.NewDNSResolver(validate.DNSConfig{Server: dnstest.Start(t, records...).Addr, Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			v := offlineVerifier(t)
			v.Resolver = res
			return &VerifyEmails{Verifier: v, Window: 30 * 24 * time.Hour}
		}
		rec, err := rn.Start(ctx, verifier(), Options{}) // knows no name at all
		if steward.ErrorCode(err) != steward.EUNAVAILABLE || !strings.Contains(steward.ErrorMessage(err), "looks broken") {
			t.Fatalf("run with a lying resolver: %v, %v; want it stopped as unavailable", rec, err)
		}
		if _, err := s.EmailCheck(ctx, cs[0].ID, "ann@shop.dnstest.net"); steward.ErrorCode(err) != steward.ENOTFOUND {
			t.Fatalf("a lying resolver's verdict was recorded: %v", err)
		}
		rec, err = rn.Start(ctx, verifier(append(canaryZone(), "shop.dnstest.net. 300 IN MX 10 mx.shop.dnstest.net.")...), Options{})
		if err != nil || rec.Counts["recorded"] != 2 || rec.Counts["valid"] != 2 {
			t.Fatalf("run with an honest resolver: %v, %v", rec.Counts, err)
		}
	})
}
