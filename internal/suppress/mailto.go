package suppress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"
	"github.com/steward-crm/steward/validate"
	"golang.org/x/net/publicsuffix"
)

// TXTResolver looks up DNS TXT records: DKIM keys and DMARC policies.
// validate.Resolver is one (steward's resolver with its cache and
// timeouts); tests use it against internal/dnstest. Errors follow
// validate's: a missing name wraps validate.ErrNXDomain, a failure that
// may pass wraps validate.ErrDNSTemporary.
type TXTResolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// ErrTemporary marks a message that could not be judged now (a DNS server
// that did not answer): it is left where it is, or refused with a
// temporary code over LMTP, and tried again later.
var ErrTemporary = errors.New("temporary failure, try again later")

// Authentication is what was found about who sent an unsubscribe request.
type Authentication struct {
	// Pass is true when a DKIM signature aligned with the From domain
	// verifies (or a trusted Authentication-Results header says so).
	Pass bool
	// FromDomain is the From header's domain, lower case.
	FromDomain string
	// Domain is the signing domain (d=) that passed, or the one that came
	// closest.
	Domain string
	// Policy is the From domain's DMARC policy (none, quarantine, reject),
	// "" when it publishes none.
	Policy string
	// Detail says why, for the record and for a person reading it.
	Detail string
}

// authenticate checks that the message comes from its From domain: a DKIM
// signature that verifies, by a domain aligned with the From domain as the
// domain's DMARC record asks (strict or relaxed; relaxed without a
// record). The domain's DMARC policy is honoured by asking no less: what
// fails DMARC's DKIM test is refused, whatever p= says. An
// Authentication-Results header is believed only when its authserv-id is
// one of c.OwnMTAs (the receiving MTA's, which removes forged ones), and
// only for its DKIM results. A DNS failure that may pass, and a
// classifier without a resolver, are ErrTemporary.
func (c *Classifier) authenticate(ctx context.Context, raw []byte, hdr authHeaders, fromDomain string) (Authentication, error) {
	a := Authentication{FromDomain: fromDomain}
	if c.Resolver == nil {
		return a, fmt.Errorf("no DNS resolver to verify the request's DKIM signature with: %w", ErrTemporary)
	}
	lookup := func(name string) ([]string, error) { return lookupTXT(ctx, c.Resolver, name) }
	rec, err := c.dmarcRecord(fromDomain, lookup)
	if err != nil {
		return a, err
	}
	strict := false
	if rec != nil {
		a.Policy = string(rec.Policy)
		strict = rec.DKIMAlignment == dmarc.AlignmentStrict
	}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup, MaxVerifications: 5})
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		verifs = nil // an unreadable header: no signature to judge
	}
	var reasons []string
	temporary := false
	for _, v := range verifs {
		d := strings.ToLower(strings.TrimSuffix(v.Domain, "."))
		switch {
		case v.Err == nil && aligned(d, fromDomain, strict):
			a.Pass, a.Domain = true, d
			a.Detail = fmt.Sprintf("DKIM passes for %s, aligned with the From domain%s", d, policyNote(a.Policy))
			return a, nil
		case v.Err == nil:
			reasons = append(reasons, fmt.Sprintf("DKIM passes for %s, which is not aligned with the From domain %s", d, fromDomain))
			if a.Domain == "" {
				a.Domain = d
			}
		case dkim.IsTempFail(v.Err):
			temporary = true
		default:
			reasons = append(reasons, fmt.Sprintf("the DKIM signature of %s does not verify (%v)", d, v.Err))
		}
	}
	for _, ar := range hdr.authResults {
		id, results, err := authres.Parse(ar)
		if err != nil || !c.ownMTA(id) {
			continue
		}
		for _, r := range results {
			dr, ok := r.(*authres.DKIMResult)
			if !ok || dr.Value != authres.ResultPass {
				continue
			}
			d := strings.ToLower(dr.Domain)
			if d == "" {
				if _, dom, ok := strings.Cut(dr.Identifier, "@"); ok {
					d = strings.ToLower(dom)
				}
			}
			if d != "" && aligned(d, fromDomain, strict) {
				a.Pass, a.Domain = true, d
				a.Detail = fmt.Sprintf("%s (a trusted MTA) found DKIM passing for %s, aligned with the From domain%s", id, d, policyNote(a.Policy))
				return a, nil
			}
		}
	}
	if temporary {
		return a, fmt.Errorf("dkim key lookup: %w", ErrTemporary)
	}
	if len(verifs) == 0 {
		reasons = append(reasons, "the message has no DKIM signature")
	}
	a.Detail = strings.Join(reasons, "; ") + policyNote(a.Policy)
	return a, nil
}

func policyNote(p string) string {
	if p == "" {
		return " (no DMARC policy)"
	}
	return " (DMARC policy " + p + ")"
}

// dmarcRecord returns the DMARC record that governs domain: its own, else
// its organizational domain's (RFC 7489 6.6.3, through the public suffix
// list); nil when there is none.
func (c *Classifier) dmarcRecord(domain string, lookup func(string) ([]string, error)) (*dmarc.Record, error) {
	opts := &dmarc.LookupOptions{LookupTXT: lookup}
	rec, err := dmarc.LookupWithOptions(domain, opts)
	if err == nil {
		return rec, nil
	}
	if dmarc.IsTempFail(err) {
		return nil, fmt.Errorf("dmarc lookup of %s: %w", domain, ErrTemporary)
	}
	if !errors.Is(err, dmarc.ErrNoPolicy) {
		return nil, nil // a broken record is no policy (RFC 7489 6.6.3)
	}
	org := orgDomain(domain)
	if org == domain {
		return nil, nil
	}
	rec, err = dmarc.LookupWithOptions(org, opts)
	switch {
	case err == nil:
		return rec, nil
	case dmarc.IsTempFail(err):
		return nil, fmt.Errorf("dmarc lookup of %s: %w", org, ErrTemporary)
	}
	return nil, nil
}

// orgDomain returns the organizational domain of d (the registrable
// domain: mail.example.co.uk -> example.co.uk), d itself when it has none.
func orgDomain(d string) string {
	if org, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return org
	}
	return d
}

// aligned reports whether a DKIM signing domain is aligned with the From
// domain: the same domain (strict), or the same organizational domain
// (relaxed).
func aligned(signer, from string, strict bool) bool {
	if signer == from {
		return true
	}
	return !strict && orgDomain(signer) == orgDomain(from)
}

func (c *Classifier) ownMTA(id string) bool {
	for _, own := range c.OwnMTAs {
		if strings.EqualFold(strings.TrimSpace(own), id) {
			return true
		}
	}
	return false
}

// lookupTXT adapts a TXTResolver to the errors go-msgauth understands: a
// name that does not exist, or exists without TXT records, is "not found"
// (no key, no policy); any other failure is temporary.
func lookupTXT(ctx context.Context, r TXTResolver, name string) ([]string, error) {
	txts, err := r.LookupTXT(ctx, name)
	switch {
	case err == nil && len(txts) == 0:
		return nil, &net.DNSError{Err: "no TXT record", Name: name, IsNotFound: true}
	case errors.Is(err, validate.ErrNXDomain):
		return nil, &net.DNSError{Err: err.Error(), Name: name, IsNotFound: true}
	case err != nil:
		return nil, &net.DNSError{Err: err.Error(), Name: name, IsTemporary: true}
	}
	return txts, nil
}
