// Package dnstest runs a real DNS server on 127.0.0.1 for tests: a small
// zone of MX and A records answered over UDP, NXDOMAIN for every other
// name. Tests of email verification use it instead of mocking the resolver.
package dnstest

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// Server is a running test DNS server.
type Server struct {
	// Addr is the server's host:port.
	Addr    string
	queries atomic.Int64
}

// Queries returns how many questions the server has answered.
func (s *Server) Queries() int64 { return s.queries.Load() }

// Start serves records, given in zone-file syntax ("shop.example.com. 300 IN
// MX 10 mx.shop.example.com."), until the test ends. A name with records of
// another type answers with no records (NODATA); an unknown name NXDOMAIN.
// "SERVFAIL name." makes every question about name fail with SERVFAIL, as a
// broken authoritative server does.
func Start(t testing.TB, records ...string) *Server {
	t.Helper()
	byName := make(map[string][]dns.RR)
	failing := make(map[string]bool)
	for _, s := range records {
		if name, ok := strings.CutPrefix(s, "SERVFAIL "); ok {
			failing[strings.ToLower(dns.Fqdn(strings.TrimSpace(name)))] = true
			continue
		}
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatalf("dnstest: record %q: %v", s, err)
		}
		name := strings.ToLower(rr.Header().Name)
		byName[name] = append(byName[name], rr)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dnstest: listen: %v", err)
	}
	s := &Server{Addr: pc.LocalAddr().String()}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		s.queries.Add(1)
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		rrs, known := byName[strings.ToLower(q.Name)]
		if failing[strings.ToLower(q.Name)] {
			m.Rcode = dns.RcodeServerFailure
		} else if !known {
			m.Rcode = dns.RcodeNameError
		}
		for _, rr := range rrs {
			if rr.Header().Rrtype == q.Qtype {
				m.Answer = append(m.Answer, rr)
			}
		}
		w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: handler}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return s
}
