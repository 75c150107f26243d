package validate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/emersion/go-msgauth/dmarc"
	"github.com/steward-crm/steward/cleanse"
	"golang.org/x/net/publicsuffix"
)

// EmailResult is the verdict on one email address.
type EmailResult struct {
	Address string  `json:"address"`
	Verdict Verdict `json:"verdict"`
	Reason  Reason  `json:"reason"`
	Message string  `json:"message"`
	// Suggestion is the address with a well-known provider's domain when
	// the domain looks like a typo of it ("ali@gmial.com" → "ali@gmail.com").
	Suggestion string `json:"suggestion"`
	Flags      Flags  `json:"flags"`
	// Domain is the ASCII (A-label) form of the domain, lower-case.
	Domain string `json:"domain,omitempty"`
	// MX lists the domain's mail exchangers when DNS was asked.
	MX []string `json:"mx,omitempty"`
	// DMARC is the domain's DMARC policy (none, quarantine, reject) when
	// DMARC was looked up and found; information only.
	DMARC string `json:"dmarc,omitempty"`
	// DisplayName is the name an address was written with ("John Doe
	// <john@gmail.com>"), left out: the verdict is the address's.
	DisplayName string `json:"display_name,omitempty"`

	wrongLayout bool // typed with the Persian keyboard layout active
}

// Flags are facts about an address that do not make it invalid.
type Flags struct {
	Disposable bool `json:"disposable,omitempty"`
	Role       bool `json:"role,omitempty"`
	Free       bool `json:"free,omitempty"`
	// SMTPUTF8 marks a non-ASCII local part (RFC 6531).
	SMTPUTF8 bool `json:"smtputf8,omitempty"`
}

// Names returns the set flags by name, in a fixed order.
func (f Flags) Names() []string {
	var out []string
	for _, x := range []struct {
		on   bool
		name string
	}{{f.Disposable, "disposable"}, {f.Role, "role"}, {f.Free, "free"}, {f.SMTPUTF8, "smtputf8"}} {
		if x.on {
			out = append(out, x.name)
		}
	}
	return out
}

// DomainResult is what DNS says about a mail domain.
type DomainResult struct {
	Domain  string
	Verdict Verdict // Valid, Invalid or Unknown
	Reason  Reason
	MX      []string
	DMARC   string
}

// EmailVerifier verifies addresses: syntax, the lists, and (with a
// Resolver) the domain's mail records. Build one and share it; it is safe
// for concurrent use.
type EmailVerifier struct {
	// Lists gives the disposable, role and free flags and typo
	// suggestions; required.
	Lists *Lists
	// Resolver asks DNS; nil checks offline (syntax and lists only).
	Resolver Resolver
	// DMARC looks up each domain's DMARC policy (one TXT query more).
	DMARC bool
	// Concurrency is how many domains a batch checks at once (default
	// 32); the resolver bounds the queries in flight on its own.
	Concurrency int
}

// Verify checks one address. It returns an error only when ctx ends.
func (v *EmailVerifier) Verify(ctx context.Context, addr string) (EmailResult, error) {
	res, domain := v.local(addr)
	if domain == "" || v.Resolver == nil {
		return res, nil
	}
	d, err := v.CheckDomain(ctx, domain)
	if err != nil {
		return res, err
	}
	v.combine(&res, d)
	return res, nil
}

// BatchOptions tune VerifyBatch and VerifyEach.
type BatchOptions struct {
	// Progress, if set, is called with the number of addresses finished so
	// far, from one goroutine at a time, as domains complete.
	Progress func(done int)
}

// VerifyBatch checks many addresses, asking DNS once per distinct domain:
// a million addresses over a thousand domains cost a thousand domain
// checks. Results are in input order. When ctx ends it returns ctx's error
// with the results so far; addresses whose domain was not checked yet are
// Unknown with reason not_checked.
func (v *EmailVerifier) VerifyBatch(ctx context.Context, addrs []string, opt BatchOptions) ([]EmailResult, error) {
	results := make([]EmailResult, len(addrs))
	filled := make([]bool, len(addrs))
	err := v.VerifyEach(ctx, addrs, opt, func(i int, r EmailResult) {
		results[i], filled[i] = r, true
	})
	for i, ok := range filled {
		if !ok {
			results[i] = EmailResult{Address: addrs[i], Verdict: Unknown, Reason: ReasonNotChecked,
				Message: ReasonNotChecked.Message()}
		}
	}
	return results, err
}

// VerifyEach is VerifyBatch without holding the results: it calls fn with
// each address's index and result as soon as it is known (addresses with a
// syntax error first, then domain by domain), one call at a time. It keeps
// only the addresses' indices per domain, so a job can stream a million
// results to its store. It returns ctx's error when ctx ends.
func (v *EmailVerifier) VerifyEach(ctx context.Context, addrs []string, opt BatchOptions, fn func(i int, r EmailResult)) error {
	var mu sync.Mutex // serializes fn, Progress and done
	done := 0
	emit := func(i int, r EmailResult) {
		fn(i, r)
		done++
	}
	report := func() {
		if opt.Progress != nil {
			opt.Progress(done)
		}
	}
	byDomain := make(map[string][]int)
	var order []string
	for i, a := range addrs {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		res, domain := v.local(a)
		if domain == "" || v.Resolver == nil {
			emit(i, res)
			continue
		}
		if _, ok := byDomain[domain]; !ok {
			order = append(order, domain)
		}
		byDomain[domain] = append(byDomain[domain], i)
	}
	report()
	workers := v.Concurrency
	if workers <= 0 {
		workers = 32
	}
	workers = min(workers, max(len(order), 1))
	var next, completed atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for range workers {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(order) || ctx.Err() != nil {
					return
				}
				domain := order[k]
				d, err := v.CheckDomain(ctx, domain)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				completed.Add(1)
				mu.Lock()
				for _, i := range byDomain[domain] {
					res, _ := v.local(addrs[i])
					v.combine(&res, d)
					emit(i, res)
				}
				report()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if int(completed.Load()) == len(order) {
		return nil
	}
	return ctxErr(ctx)
}

// local does what needs no network: syntax, lists and suggestion. It
// returns the lower-case ASCII domain to check in DNS, or "" when there is
// nothing to ask: the address is invalid already, or its domain is
// reserved (RFC 2606) and known never to receive mail.
func (v *EmailVerifier) local(addr string) (EmailResult, string) {
	res := EmailResult{Address: addr}
	s := EmailSyntax(addr)
	if !s.Valid && s.Reason == ReasonDisplayName {
		// The address written with a display name is checked, and said
		// to be.
		if name, inner, ok := cleanse.DisplayAddress(addr); ok {
			res, domain := v.local(inner)
			res.Address, res.DisplayName = addr, name
			res.setMessage()
			return res, domain
		}
	}
	if !s.Valid {
		res.Verdict, res.Reason = Invalid, s.Reason
		res.Message = s.Message()
		return res, ""
	}
	domain := strings.ToLower(s.Domain)
	res.Domain = domain
	res.Flags.SMTPUTF8 = s.SMTPUTF8
	_, res.Flags.Role = v.Lists.Role(s.Local)
	if ReservedDomain(domain) {
		// Well formed, and known to receive no mail: nothing to ask DNS.
		res.Verdict, res.Reason = Risky, ReasonReservedDomain
		res.Message = res.Reason.Message()
		return res, ""
	}
	res.Flags.Free = v.Lists.Free(domain)
	typed := addr[len(s.Local)+1:]
	res.Suggestion = v.Lists.SuggestAddress(s.Local, typed)
	if res.Suggestion != "" {
		_, res.wrongLayout = persianLayoutToLatin(typed)
	}
	// A typo of a provider's domain is what the customer meant to type,
	// not a disposable service, though squatters register such domains
	// (gmial.com) and the disposable lists carry them.
	res.Flags.Disposable = res.Suggestion == "" && v.Lists.Disposable(domain)
	res.Verdict, res.Reason = Valid, ReasonSyntaxOnly
	v.riskOf(&res)
	res.setMessage()
	return res, domain
}

// setMessage says the verdict's reason, and that a display name was left
// out.
func (res *EmailResult) setMessage() {
	res.Message = res.Reason.Message()
	if res.DisplayName != "" {
		res.Message = fmt.Sprintf("The display name %q was left out and the address in <> checked. %s", res.DisplayName, res.Message)
	}
}

// riskOf turns a deliverable verdict into Risky for an address typed with
// the wrong keyboard layout, a likely typo of a provider's domain, a
// disposable domain or a role account, in that order.
func (v *EmailVerifier) riskOf(res *EmailResult) {
	switch {
	case res.wrongLayout:
		res.Verdict, res.Reason = Risky, ReasonKeyboardLayout
	case res.Suggestion != "":
		res.Verdict, res.Reason = Risky, ReasonTypo
	case res.Flags.Disposable:
		res.Verdict, res.Reason = Risky, ReasonDisposable
	case res.Flags.Role:
		res.Verdict, res.Reason = Risky, ReasonRoleAccount
	}
}

// combine merges a domain check into an address result.
func (v *EmailVerifier) combine(res *EmailResult, d DomainResult) {
	res.MX, res.DMARC = d.MX, d.DMARC
	res.Verdict, res.Reason = d.Verdict, d.Reason
	if d.Verdict == Valid {
		v.riskOf(res)
	}
	res.setMessage()
}

// CheckDomain asks DNS whether domain (ASCII, lower-case) receives mail: MX
// records, else A/AAAA records (RFC 5321 implicit MX). NXDOMAIN, a null MX
// (RFC 7505) or neither record make it Invalid; SERVFAIL and timeouts make
// it Unknown, never Invalid. The error is non-nil only when ctx ends.
func (v *EmailVerifier) CheckDomain(ctx context.Context, domain string) (DomainResult, error) {
	d := DomainResult{Domain: domain}
	fail := func(err error) (DomainResult, error) {
		switch {
		case isContextErr(err):
			return d, err
		case ctxErr(ctx) != nil:
			return d, ctxErr(ctx)
		case errors.Is(err, ErrNXDomain):
			d.Verdict, d.Reason = Invalid, ReasonNXDomain
		case errors.Is(err, ErrDNSTimeout):
			d.Verdict, d.Reason = Unknown, ReasonDNSTimeout
		default:
			d.Verdict, d.Reason = Unknown, ReasonDNSFailure
		}
		return d, nil
	}
	mxs, err := v.Resolver.LookupMX(ctx, domain)
	if err != nil {
		return fail(err)
	}
	for _, mx := range mxs {
		if mx.Host == "." || mx.Host == "" {
			// RFC 7505: a null MX says the domain accepts no mail.
			d.Verdict, d.Reason = Invalid, ReasonNullMX
			return d, nil
		}
		d.MX = append(d.MX, strings.TrimSuffix(mx.Host, "."))
	}
	if len(d.MX) > 0 {
		d.Verdict, d.Reason = Valid, ReasonMX
	} else {
		ips, err := v.Resolver.LookupIP(ctx, domain)
		if err != nil {
			return fail(err)
		}
		if len(ips) == 0 {
			d.Verdict, d.Reason = Invalid, ReasonNoMailHost
			return d, nil
		}
		d.Verdict, d.Reason = Valid, ReasonAFallback
	}
	if v.DMARC {
		policy, err := v.dmarcPolicy(ctx, domain)
		if err != nil {
			return d, err
		}
		d.DMARC = policy
	}
	return d, nil
}

// dmarcPolicy returns the DMARC policy that applies to domain: its own
// record, else its organizational domain's (RFC 7489 6.6.3), whose sp= tag
// applies to subdomains when present. "" when there is none or DNS failed:
// DMARC is information here, never a verdict.
func (v *EmailVerifier) dmarcPolicy(ctx context.Context, domain string) (string, error) {
	opts := &dmarc.LookupOptions{
		LookupTXT: func(name string) ([]string, error) { return v.lookupTXT(ctx, name) },
	}
	rec, err := dmarc.LookupWithOptions(domain, opts)
	if err == nil {
		return string(rec.Policy), nil
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	org, perr := publicsuffix.EffectiveTLDPlusOne(domain)
	if !errors.Is(err, dmarc.ErrNoPolicy) || perr != nil || org == domain {
		return "", nil
	}
	rec, err = dmarc.LookupWithOptions(org, opts)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", nil
	}
	if rec.SubdomainPolicy != "" {
		return string(rec.SubdomainPolicy), nil
	}
	return string(rec.Policy), nil
}

// lookupTXT adapts Resolver.LookupTXT to the errors dmarc understands.
func (v *EmailVerifier) lookupTXT(ctx context.Context, name string) ([]string, error) {
	txts, err := v.Resolver.LookupTXT(ctx, name)
	switch {
	case err == nil && len(txts) == 0:
		return nil, &net.DNSError{Err: "no TXT record", Name: name, IsNotFound: true}
	case errors.Is(err, ErrNXDomain):
		return nil, &net.DNSError{Err: err.Error(), Name: name, IsNotFound: true}
	case err != nil:
		return nil, &net.DNSError{Err: err.Error(), Name: name, IsTemporary: true}
	}
	return txts, nil
}
