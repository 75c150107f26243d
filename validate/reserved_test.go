package validate

import (
	"context"
	"net/netip"
	"sync"
	"testing"
)

// askedResolver answers every domain with an MX and records what it was
// asked.
type askedResolver struct {
	mu    sync.Mutex
	asked []string
}

func (r *askedResolver) LookupMX(_ context.Context, domain string) ([]MX, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, domain)
	return []MX{{Host: "mx." + domain + ".", Pref: 10}}, nil
}

func (r *askedResolver) LookupIP(context.Context, string) ([]netip.Addr, error) { return nil, nil }

func (r *askedResolver) LookupTXT(context.Context, string) ([]string, error) { return nil, nil }

// TestReservedDomainAsksNoDNS: an address at an RFC 2606 example domain
// is well formed and risky for that reason, and DNS is never asked about
// it, alone or in a batch; other domains are asked as before.
func TestReservedDomainAsksNoDNS(t *testing.T) {
	res := &askedResolver{}
	v := &EmailVerifier{Lists: loadTestLists(t), Resolver: res}
	r, err := v.Verify(context.Background(), "jane@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != Risky || r.Reason != ReasonReservedDomain || r.Domain != "example.com" {
		t.Errorf("Verify(jane@example.com) = %s/%s domain %q, want risky/reserved_domain", r.Verdict, r.Reason, r.Domain)
	}
	if !EmailSyntax("jane@example.com").Valid {
		t.Error("jane@example.com is not well formed")
	}
	batch, err := v.VerifyBatch(context.Background(), []string{"a@shop.example.org", "b@acme-widgets.com", "c@EXAMPLE.NET"}, BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []Reason{ReasonReservedDomain, ReasonMX, ReasonReservedDomain} {
		if batch[i].Reason != want {
			t.Errorf("%s: %s/%s, want %s", batch[i].Address, batch[i].Verdict, batch[i].Reason, want)
		}
	}
	if len(res.asked) != 1 || res.asked[0] != "acme-widgets.com" {
		t.Errorf("DNS was asked about %v, want only acme-widgets.com", res.asked)
	}
}
