package validate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func newTestResolver(t testing.TB, server string, cfg DNSConfig) *DNSResolver {
	t.Helper()
	cfg.Server = server
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Second
	}
	r, err := NewDNSResolver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCheckDomainAgainstRealServer(t *testing.T) {
	srv := startFakeDNS(t)
	v := &EmailVerifier{Lists: loadTestLists(t), Resolver: newTestResolver(t, srv.addr, DNSConfig{}), DMARC: true}
	tests := []struct {
		domain  string
		verdict Verdict
		reason  Reason
		dmarc   string
	}{
		{"mx.dnstest.net", Valid, ReasonMX, "reject"},
		{"aonly.dnstest.net", Valid, ReasonAFallback, "quarantine"}, // sp= of dnstest.net
		{"aaaaonly.dnstest.net", Valid, ReasonAFallback, "quarantine"},
		{"nullmx.dnstest.net", Invalid, ReasonNullMX, ""},
		{"nx.dnstest.net", Invalid, ReasonNXDomain, ""},
		{"nomail.dnstest.net", Invalid, ReasonNoMailHost, ""},
		{"servfail.dnstest.net", Unknown, ReasonDNSFailure, ""},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			d, err := v.CheckDomain(context.Background(), tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			if d.Verdict != tt.verdict || d.Reason != tt.reason || d.DMARC != tt.dmarc {
				t.Fatalf("CheckDomain(%s) = %s/%s dmarc=%q, want %s/%s dmarc=%q",
					tt.domain, d.Verdict, d.Reason, d.DMARC, tt.verdict, tt.reason, tt.dmarc)
			}
		})
	}
}

func TestCheckDomainTimeoutIsUnknown(t *testing.T) {
	silent := startSilentDNS(t)
	r := newTestResolver(t, silent, DNSConfig{Timeout: 100 * time.Millisecond, Retries: 1})
	v := &EmailVerifier{Lists: loadTestLists(t), Resolver: r}
	start := time.Now()
	res, err := v.Verify(context.Background(), "ali@mx.dnstest.net")
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Unknown || res.Reason != ReasonDNSTimeout {
		t.Fatalf("verdict %s/%s, want unknown/dns_timeout", res.Verdict, res.Reason)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("took %v with a 100ms timeout and one retry", el)
	}
	if _, err := r.LookupMX(context.Background(), "x.dnstest.net"); !errors.Is(err, ErrDNSTimeout) || !errors.Is(err, ErrDNSTemporary) {
		t.Fatalf("error %v, want ErrDNSTimeout wrapping ErrDNSTemporary", err)
	}
}

func TestDNSResolverCache(t *testing.T) {
	srv := startFakeDNS(t)
	r := newTestResolver(t, srv.addr, DNSConfig{MinTTL: time.Second})
	clock := time.Now()
	r.now = func() time.Time { return clock }
	ctx := context.Background()

	for range 3 {
		mx, err := r.LookupMX(ctx, "MX.dnstest.net")
		if err != nil || len(mx) != 2 {
			t.Fatalf("LookupMX = %v, %v", mx, err)
		}
	}
	if n := srv.count("mx.dnstest.net.", dns.TypeMX); n != 1 {
		t.Fatalf("server saw %d MX queries for three lookups, want 1", n)
	}
	// Negative caching: NXDOMAIN and NODATA are asked once.
	for range 3 {
		if _, err := r.LookupMX(ctx, "nx.dnstest.net"); !errors.Is(err, ErrNXDomain) {
			t.Fatalf("nx: %v", err)
		}
		if mx, err := r.LookupMX(ctx, "aonly.dnstest.net"); err != nil || len(mx) != 0 {
			t.Fatalf("aonly MX: %v %v", mx, err)
		}
	}
	if n := srv.count("nx.dnstest.net.", dns.TypeMX); n != 1 {
		t.Fatalf("NXDOMAIN asked %d times, want 1", n)
	}
	if n := srv.count("aonly.dnstest.net.", dns.TypeMX); n != 1 {
		t.Fatalf("NODATA asked %d times, want 1", n)
	}
	// SERVFAIL is not cached.
	for range 2 {
		if _, err := r.LookupMX(ctx, "servfail.dnstest.net"); !errors.Is(err, ErrDNSTemporary) {
			t.Fatalf("servfail: %v", err)
		}
	}
	if n := srv.count("servfail.dnstest.net.", dns.TypeMX); n != 2 {
		t.Fatalf("SERVFAIL asked %d times, want 2 (not cached)", n)
	}
	// The negative TTL comes from the SOA (min of TTL 3600 and minimum 60):
	// still cached at 59s, asked again after 61s. The MX TTL is 300s.
	clock = clock.Add(59 * time.Second)
	r.LookupMX(ctx, "nx.dnstest.net")
	r.LookupMX(ctx, "mx.dnstest.net")
	if n := srv.count("nx.dnstest.net.", dns.TypeMX); n != 1 {
		t.Fatalf("NXDOMAIN re-asked before its negative TTL: %d", n)
	}
	clock = clock.Add(2 * time.Second)
	r.LookupMX(ctx, "nx.dnstest.net")
	r.LookupMX(ctx, "mx.dnstest.net")
	if n := srv.count("nx.dnstest.net.", dns.TypeMX); n != 2 {
		t.Fatalf("NXDOMAIN not re-asked after its negative TTL: %d", n)
	}
	if n := srv.count("mx.dnstest.net.", dns.TypeMX); n != 1 {
		t.Fatalf("MX re-asked before its TTL: %d", n)
	}
	clock = clock.Add(300 * time.Second)
	r.LookupMX(ctx, "mx.dnstest.net")
	if n := srv.count("mx.dnstest.net.", dns.TypeMX); n != 2 {
		t.Fatalf("MX not re-asked after its TTL: %d", n)
	}
}

func TestDNSResolverTruncationFallsBackToTCP(t *testing.T) {
	srv := startFakeDNS(t)
	r := newTestResolver(t, srv.addr, DNSConfig{})
	mx, err := r.LookupMX(context.Background(), "big.dnstest.net")
	if err != nil {
		t.Fatal(err)
	}
	if len(mx) != 60 {
		t.Fatalf("got %d MX records, want all 60", len(mx))
	}
	srv.mu.Lock()
	tcp := srv.tcpQueries
	srv.mu.Unlock()
	if tcp != 1 {
		t.Fatalf("TCP queries = %d, want 1", tcp)
	}
}

func TestDNSResolverBoundsConcurrency(t *testing.T) {
	srv := startFakeDNS(t)
	r := newTestResolver(t, srv.addr, DNSConfig{MaxInFlight: 3})
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() { r.LookupMX(context.Background(), fmt.Sprintf("slow%d.dnstest.net", i)) })
	}
	wg.Wait()
	srv.mu.Lock()
	peak := srv.maxInFlight
	srv.mu.Unlock()
	if peak > 3 {
		t.Fatalf("server saw %d queries at once, bound is 3", peak)
	}
	if peak < 2 {
		t.Fatalf("server saw at most %d query at once: no concurrency at all", peak)
	}
}

func TestDNSResolverMergesConcurrentQuestions(t *testing.T) {
	srv := startFakeDNS(t)
	r := newTestResolver(t, srv.addr, DNSConfig{})
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if mx, err := r.LookupMX(context.Background(), "slowmx.dnstest.net"); err != nil || len(mx) != 2 {
				t.Errorf("LookupMX: %v %v", mx, err)
			}
		})
	}
	wg.Wait()
	if n := srv.count("slowmx.dnstest.net.", dns.TypeMX); n != 1 {
		t.Fatalf("ten concurrent lookups sent %d queries, want 1", n)
	}
}

func TestVerifyBatch(t *testing.T) {
	srv := startFakeDNS(t)
	v := &EmailVerifier{Lists: loadTestLists(t), Resolver: newTestResolver(t, srv.addr, DNSConfig{}), Concurrency: 4}
	addrs := []string{
		"ali@mx.dnstest.net",
		"info@mx.dnstest.net",
		"bad..dots@mx.dnstest.net",
		"x@nullmx.dnstest.net",
		"y@NX.dnstest.net",
		"z@servfail.dnstest.net",
		"w@aonly.dnstest.net",
		"a@mailinator.com", // NXDOMAIN on this server
		"Reza@MX.dnstest.net",
	}
	var last int
	res, err := v.VerifyBatch(context.Background(), addrs, BatchOptions{Progress: func(done int) { last = done }})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		verdict Verdict
		reason  Reason
	}{
		{Valid, ReasonMX}, {Risky, ReasonRoleAccount}, {Invalid, ReasonConsecutiveDots},
		{Invalid, ReasonNullMX}, {Invalid, ReasonNXDomain}, {Unknown, ReasonDNSFailure},
		{Valid, ReasonAFallback}, {Invalid, ReasonNXDomain}, {Valid, ReasonMX},
	}
	for i, w := range want {
		if res[i].Address != addrs[i] || res[i].Verdict != w.verdict || res[i].Reason != w.reason {
			t.Errorf("%s: %s/%s, want %s/%s", addrs[i], res[i].Verdict, res[i].Reason, w.verdict, w.reason)
		}
	}
	if !res[7].Flags.Disposable {
		t.Errorf("mailinator.com not flagged disposable")
	}
	if last != len(addrs) {
		t.Errorf("progress ended at %d, want %d", last, len(addrs))
	}
	if n := srv.count("mx.dnstest.net.", dns.TypeMX); n != 1 {
		t.Errorf("three addresses at mx.dnstest.net cost %d MX queries, want 1", n)
	}

	// VerifyEach streams the same results, each index exactly once.
	seen := make(map[int]EmailResult)
	err = v.VerifyEach(context.Background(), addrs, BatchOptions{}, func(i int, r EmailResult) {
		if _, dup := seen[i]; dup {
			t.Errorf("index %d emitted twice", i)
		}
		seen[i] = r
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range addrs {
		if r, ok := seen[i]; !ok || r.Verdict != res[i].Verdict || r.Reason != res[i].Reason {
			t.Errorf("VerifyEach %d: %+v, VerifyBatch gave %s/%s", i, r, res[i].Verdict, res[i].Reason)
		}
	}
}

func TestVerifyBatchStopsOnCancel(t *testing.T) {
	silent := startSilentDNS(t)
	v := &EmailVerifier{Lists: loadTestLists(t), Resolver: newTestResolver(t, silent, DNSConfig{Timeout: 5 * time.Second})}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := v.VerifyBatch(ctx, []string{"a@one.dnstest.net", "b@two.dnstest.net", "bad@"}, BatchOptions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded; results %+v", err, res)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("cancel took %v", time.Since(start))
	}
	if len(res) != 3 || res[2].Verdict != Invalid || res[2].Reason != ReasonEmptyDomain {
		t.Fatalf("syntax verdict lost on cancel: %+v", res)
	}
	for _, r := range res[:2] {
		if r.Verdict != Unknown || r.Reason != ReasonNotChecked || r.Address == "" {
			t.Fatalf("unchecked address after cancel: %+v, want unknown/not_checked", r)
		}
	}
}

func TestVerifyOffline(t *testing.T) {
	v := &EmailVerifier{Lists: loadTestLists(t)}
	tests := []struct {
		addr, suggestion string
		verdict          Verdict
		reason           Reason
	}{
		{"ali@gmail.com", "", Valid, ReasonSyntaxOnly},
		{"ali@gmial.com", "ali@gmail.com", Risky, ReasonTypo},
		{"ali@gmal.com", "ali@gmail.com", Risky, ReasonTypo},
		{"ali@mailinator.com", "", Risky, ReasonDisposable},
		{"jane@example.com", "", Risky, ReasonReservedDomain},
		{"jane@Shop.Example.ORG", "", Risky, ReasonReservedDomain},
		{"jane@example.net", "", Risky, ReasonReservedDomain},
		{"jane@example.co", "", Valid, ReasonSyntaxOnly},
		{"jane@notexample.com", "", Valid, ReasonSyntaxOnly},
		{"Sales+eu@acme-widgets.com", "", Risky, ReasonRoleAccount},
		{"ali@example.test", "", Invalid, ReasonReservedTLD},
		{"شمه@لپشهم.زخپ", "ali@gmail.com", Risky, ReasonKeyboardLayout}, // Persian layout active
		{"ali@GMIAL.com", "ali@gmail.com", Risky, ReasonTypo},
	}
	for _, tt := range tests {
		res, err := v.Verify(context.Background(), tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != tt.verdict || res.Reason != tt.reason || res.Suggestion != tt.suggestion || res.Message == "" {
			t.Errorf("Verify(%s) = %s/%s suggestion %q, want %s/%s %q", tt.addr, res.Verdict, res.Reason, res.Suggestion, tt.verdict, tt.reason, tt.suggestion)
		}
	}
}

// BenchmarkVerifyBatch checks 100,000 addresses over 5,000 domains against
// the local DNS server, with a cold cache each time.
func BenchmarkVerifyBatch(b *testing.B) {
	srv := startFakeDNS(b)
	const domains, n = 5000, 100000
	srv.benchZone = domains
	lists := loadTestLists(b)
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("user%d@d%d.bench.net", i, i%domains)
	}
	b.Run(fmt.Sprintf("n=%d/domains=%d", n, domains), func(b *testing.B) {
		b.ReportAllocs()
		before := srv.total()
		iters := 0
		for b.Loop() {
			v := &EmailVerifier{Lists: lists, Resolver: newTestResolver(b, srv.addr, DNSConfig{}), Concurrency: 64}
			res, err := v.VerifyBatch(context.Background(), addrs, BatchOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if res[n-1].Verdict != Valid {
				b.Fatalf("%s: %s/%s", addrs[n-1], res[n-1].Verdict, res[n-1].Reason)
			}
			iters++
		}
		b.ReportMetric(float64(n*iters)/b.Elapsed().Seconds(), "addresses/s")
		b.ReportMetric(float64(srv.total()-before)/float64(iters), "queries/op")
	})
}

func TestSystemDNSServer(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/resolv.conf"
	if err := os.WriteFile(path, []byte("# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver 2001:db8::53\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := SystemDNSServer(path)
	if err != nil || got != "192.0.2.53:53" {
		t.Fatalf("SystemDNSServer = %q, %v; want 192.0.2.53:53", got, err)
	}
	if err := os.WriteFile(path, []byte("search example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SystemDNSServer(path); err == nil {
		t.Fatal("resolv.conf without nameserver accepted")
	}
	if _, err := NewDNSResolver(DNSConfig{Server: "192.0.2.53"}); err == nil {
		t.Fatal("server without port accepted")
	}
}

func TestDNSResolverCacheIsBounded(t *testing.T) {
	srv := startFakeDNS(t)
	r := newTestResolver(t, srv.addr, DNSConfig{MaxEntries: 2})
	clock := time.Now()
	r.now = func() time.Time { return clock }
	ctx := context.Background()
	for _, d := range []string{"mx.dnstest.net", "aonly.dnstest.net", "nullmx.dnstest.net"} {
		if _, err := r.LookupMX(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(r.cache); n != 2 {
		t.Fatalf("cache holds %d answers, bound is 2", n)
	}
	// Once the first answers expire, the sweep makes room for new ones.
	clock = clock.Add(2 * time.Hour)
	r.LookupMX(ctx, "nullmx.dnstest.net")
	r.LookupMX(ctx, "nullmx.dnstest.net")
	if n := srv.count("nullmx.dnstest.net.", dns.TypeMX); n != 2 {
		t.Fatalf("nullmx asked %d times, want 2 (once uncached, once after the sweep, then cached)", n)
	}
}
