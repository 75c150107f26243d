package validate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Resolver answers the DNS questions the email checks ask. A name that does
// not exist is an error wrapping ErrNXDomain; a name that exists without
// records of the type asked (NODATA) is an empty answer and a nil error.
// Failures that may pass (SERVFAIL, timeouts) wrap ErrDNSTemporary, so a
// caller can tell "no such domain" from "could not ask".
type Resolver interface {
	// LookupMX returns the domain's MX records. A null MX (RFC 7505) is
	// returned as it is: one MX with Host "." and preference 0.
	LookupMX(ctx context.Context, domain string) ([]MX, error)
	// LookupIP returns the domain's A and AAAA addresses.
	LookupIP(ctx context.Context, domain string) ([]netip.Addr, error)
	// LookupTXT returns the TXT records of name, each record's strings
	// joined.
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// MX is one mail exchanger of a domain.
type MX struct {
	Host string // fully qualified, with the trailing dot; "." for a null MX
	Pref uint16
}

// Resolver errors, tested with errors.Is.
var (
	// ErrNXDomain means the name does not exist (RCODE NXDOMAIN).
	ErrNXDomain = errors.New("no such domain")
	// ErrDNSTemporary means the question could not be answered now
	// (SERVFAIL, REFUSED, timeout, network error); asking later may work.
	ErrDNSTemporary = errors.New("temporary dns failure")
	// ErrDNSTimeout means no server answered in time; it wraps
	// ErrDNSTemporary too.
	ErrDNSTimeout = fmt.Errorf("dns timeout: %w", ErrDNSTemporary)
)

// DNSConfig configures a DNSResolver. Zero values take the defaults.
type DNSConfig struct {
	// Server is the recursive resolver to ask, host:port.
	Server string
	// Timeout bounds each attempt (default 2s).
	Timeout time.Duration
	// Retries is how many times a failed UDP attempt is repeated (default
	// 2; negative means none).
	Retries int
	// MaxInFlight bounds the queries in flight at once (default 64).
	MaxInFlight int
	// MaxTTL caps how long an answer is cached (default 1h); MinTTL is the
	// least (default 30s), so a TTL of 0 does not defeat the cache.
	MaxTTL, MinTTL time.Duration
	// NegativeTTL is how long NXDOMAIN and NODATA are cached when the
	// answer carries no SOA to say so (default 5m).
	NegativeTTL time.Duration
	// MaxEntries bounds the cache (default 1,000,000 answers).
	MaxEntries int
}

// DNSResolver is a Resolver that asks one recursive DNS server over UDP,
// retrying on timeouts and falling back to TCP when an answer is truncated.
// It caches answers per name and type for their TTL, caches NXDOMAIN and
// NODATA for the SOA's negative TTL (RFC 2308), merges concurrent questions
// for the same name into one query, and keeps at most MaxInFlight queries
// in flight. It is safe for concurrent use.
type DNSResolver struct {
	cfg      DNSConfig
	udp, tcp *dns.Client
	sem      chan struct{}
	now      func() time.Time

	mu       sync.Mutex
	cache    map[cacheKey]*cacheEntry
	inflight map[cacheKey]*call
}

type cacheKey struct {
	name  string
	qtype uint16
}

type cacheEntry struct {
	rrs     []dns.RR
	err     error // nil or ErrNXDomain
	expires time.Time
}

type call struct {
	done chan struct{}
	rrs  []dns.RR
	err  error
}

// NewDNSResolver returns a resolver asking cfg.Server.
func NewDNSResolver(cfg DNSConfig) (*DNSResolver, error) {
	if _, _, err := net.SplitHostPort(cfg.Server); err != nil {
		return nil, fmt.Errorf("dns server %q: want host:port: %w", cfg.Server, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Retries == 0 {
		cfg.Retries = 2
	} else if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 64
	}
	if cfg.MaxTTL <= 0 {
		cfg.MaxTTL = time.Hour
	}
	if cfg.MinTTL <= 0 {
		cfg.MinTTL = 30 * time.Second
	}
	if cfg.NegativeTTL <= 0 {
		cfg.NegativeTTL = 5 * time.Minute
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 1_000_000
	}
	return &DNSResolver{
		cfg:      cfg,
		udp:      &dns.Client{Net: "udp", UDPSize: 1232},
		tcp:      &dns.Client{Net: "tcp"},
		sem:      make(chan struct{}, cfg.MaxInFlight),
		now:      time.Now,
		cache:    make(map[cacheKey]*cacheEntry),
		inflight: make(map[cacheKey]*call),
	}, nil
}

// SystemDNSServer returns the first nameserver of a resolv.conf file as
// host:port, for the default of a command line flag.
func SystemDNSServer(resolvConf string) (string, error) {
	cc, err := dns.ClientConfigFromFile(resolvConf)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", resolvConf, err)
	}
	if len(cc.Servers) == 0 {
		return "", fmt.Errorf("%s: no nameserver", resolvConf)
	}
	return net.JoinHostPort(cc.Servers[0], cc.Port), nil
}

// LookupMX implements Resolver.
func (r *DNSResolver) LookupMX(ctx context.Context, domain string) ([]MX, error) {
	rrs, err := r.lookup(ctx, domain, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	var out []MX
	for _, rr := range rrs {
		if mx, ok := rr.(*dns.MX); ok {
			out = append(out, MX{Host: mx.Mx, Pref: mx.Preference})
		}
	}
	return out, nil
}

// LookupIP implements Resolver: it asks for A and AAAA and succeeds when
// either has addresses.
func (r *DNSResolver) LookupIP(ctx context.Context, domain string) ([]netip.Addr, error) {
	var out []netip.Addr
	var errs [2]error
	for i, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		rrs, err := r.lookup(ctx, domain, qtype)
		errs[i] = err
		for _, rr := range rrs {
			switch rr := rr.(type) {
			case *dns.A:
				if a, ok := netip.AddrFromSlice(rr.A.To4()); ok {
					out = append(out, a)
				}
			case *dns.AAAA:
				if a, ok := netip.AddrFromSlice(rr.AAAA); ok {
					out = append(out, a)
				}
			}
		}
		if errors.Is(err, ErrNXDomain) {
			return nil, err // no need to ask for AAAA
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	return nil, errors.Join(errs[0], errs[1])
}

// LookupTXT implements Resolver.
func (r *DNSResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	rrs, err := r.lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range rrs {
		if txt, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(txt.Txt, ""))
		}
	}
	return out, nil
}

// lookup answers from the cache, joins a query in flight for the same
// question, or asks the server.
func (r *DNSResolver) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	key := cacheKey{name: dns.Fqdn(strings.ToLower(name)), qtype: qtype}
	r.mu.Lock()
	if e, ok := r.cache[key]; ok {
		if r.now().Before(e.expires) {
			r.mu.Unlock()
			return e.rrs, e.err
		}
		delete(r.cache, key)
	}
	if c, ok := r.inflight[key]; ok {
		r.mu.Unlock()
		select {
		case <-c.done:
			if isContextErr(c.err) && ctx.Err() == nil {
				return r.lookup(ctx, name, qtype) // the asker gave up, not us
			}
			return c.rrs, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c := &call{done: make(chan struct{})}
	r.inflight[key] = c
	r.mu.Unlock()

	rrs, ttl, err := r.query(ctx, key)
	c.rrs, c.err = rrs, err

	r.mu.Lock()
	delete(r.inflight, key)
	if ttl > 0 && len(r.cache) >= r.cfg.MaxEntries {
		r.sweepLocked()
	}
	if ttl > 0 && len(r.cache) < r.cfg.MaxEntries {
		r.cache[key] = &cacheEntry{rrs: rrs, err: err, expires: r.now().Add(ttl)}
	}
	r.mu.Unlock()
	close(c.done)
	return rrs, err
}

// sweepLocked drops expired entries when the cache is full.
func (r *DNSResolver) sweepLocked() {
	now := r.now()
	for k, e := range r.cache {
		if !now.Before(e.expires) {
			delete(r.cache, k)
		}
	}
}

// query asks the server and returns the records of the type asked, how long
// the answer may be cached (0: not at all), and an error.
func (r *DNSResolver) query(ctx context.Context, key cacheKey) ([]dns.RR, time.Duration, error) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	defer func() { <-r.sem }()

	m := new(dns.Msg)
	m.SetQuestion(key.name, key.qtype)
	m.RecursionDesired = true
	m.SetEdns0(1232, false)

	var in *dns.Msg
	var err error
	for attempt := 0; attempt <= r.cfg.Retries; attempt++ {
		in, err = r.exchange(ctx, r.udp, m)
		if err == nil && in.Truncated {
			in, err = r.exchange(ctx, r.tcp, m)
		}
		if err == nil || ctxErr(ctx) != nil {
			break
		}
	}
	if err != nil {
		if err := ctxErr(ctx); err != nil {
			return nil, 0, err
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, 0, fmt.Errorf("%s %s: %w", dns.TypeToString[key.qtype], key.name, ErrDNSTimeout)
		}
		return nil, 0, fmt.Errorf("%s %s: %w: %w", dns.TypeToString[key.qtype], key.name, ErrDNSTemporary, err)
	}
	switch in.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, r.negativeTTL(in), fmt.Errorf("%s: %w", key.name, ErrNXDomain)
	default:
		return nil, 0, fmt.Errorf("%s %s: %w: rcode %s", dns.TypeToString[key.qtype], key.name,
			ErrDNSTemporary, dns.RcodeToString[in.Rcode])
	}
	var rrs []dns.RR
	var minTTL uint32
	for _, rr := range in.Answer {
		if rr.Header().Rrtype != key.qtype {
			continue // CNAMEs on the way
		}
		if len(rrs) == 0 || rr.Header().Ttl < minTTL {
			minTTL = rr.Header().Ttl
		}
		rrs = append(rrs, rr)
	}
	if len(rrs) == 0 {
		return nil, r.negativeTTL(in), nil // NODATA
	}
	return rrs, r.clampTTL(time.Duration(minTTL) * time.Second), nil
}

func (r *DNSResolver) exchange(ctx context.Context, c *dns.Client, m *dns.Msg) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	in, _, err := c.ExchangeContext(ctx, m, r.cfg.Server)
	return in, err
}

// negativeTTL is the TTL of a negative answer: the smaller of the SOA's TTL
// and its minimum field (RFC 2308), or NegativeTTL without an SOA.
func (r *DNSResolver) negativeTTL(in *dns.Msg) time.Duration {
	for _, rr := range in.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return r.clampTTL(time.Duration(min(soa.Hdr.Ttl, soa.Minttl)) * time.Second)
		}
	}
	return r.cfg.NegativeTTL
}

func (r *DNSResolver) clampTTL(d time.Duration) time.Duration {
	return min(max(d, r.cfg.MinTTL), r.cfg.MaxTTL)
}

// ctxErr is ctx.Err, and DeadlineExceeded as soon as ctx's deadline has
// passed: a socket deadline taken from ctx can fire before ctx's own timer
// has marked it done, and a timeout the caller asked for is no DNS timeout.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
