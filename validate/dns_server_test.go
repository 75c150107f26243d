package validate

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// fakeDNS is a real DNS server on 127.0.0.1 (UDP and TCP on one port)
// answering from a small zone, counting the queries it gets.
type fakeDNS struct {
	addr string

	mu          sync.Mutex
	queries     map[string]int // "name TYPE" → count
	tcpQueries  int
	inFlight    int
	maxInFlight int
	delay       time.Duration // added to names starting with "slow"
	benchZone   int           // d0..d{n-1}.bench.net have MX records
}

const zone = "dnstest.net."

func startFakeDNS(t testing.TB) *fakeDNS {
	t.Helper()
	f := &fakeDNS{queries: make(map[string]int), delay: 30 * time.Millisecond}
	var pc net.PacketConn
	var ln net.Listener
	var err error
	for range 20 { // UDP and TCP on the same random port
		pc, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	f.addr = pc.LocalAddr().String()
	for _, srv := range []*dns.Server{
		{PacketConn: pc, Handler: dns.HandlerFunc(f.serve)},
		{Listener: ln, Handler: dns.HandlerFunc(f.serve)},
	} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ActivateAndServe()
		<-started
		t.Cleanup(func() { srv.Shutdown() })
	}
	return f
}

// startSilentDNS returns the address of a UDP socket that reads queries and
// never answers.
func startSilentDNS(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return pc.LocalAddr().String()
}

func (f *fakeDNS) count(name string, qtype uint16) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries[strings.ToLower(name)+" "+dns.TypeToString[qtype]]
}

func (f *fakeDNS) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.queries {
		n += c
	}
	return n
}

func rr(t string) dns.RR {
	r, err := dns.NewRR(t)
	if err != nil {
		panic(err)
	}
	return r
}

func (f *fakeDNS) serve(w dns.ResponseWriter, req *dns.Msg) {
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	_, isTCP := w.RemoteAddr().(*net.TCPAddr)
	f.mu.Lock()
	f.queries[name+" "+dns.TypeToString[q.Qtype]]++
	if isTCP {
		f.tcpQueries++
	}
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	f.mu.Unlock()
	if strings.HasPrefix(name, "slow") {
		time.Sleep(f.delay)
	}
	// Leave the in-flight count before answering, so that the client's
	// next query cannot arrive while this one still counts.
	f.mu.Lock()
	f.inFlight--
	f.mu.Unlock()

	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	soa := rr(zone + " 3600 IN SOA ns." + zone + " admin." + zone + " 1 3600 600 86400 60")
	answer := func(rrs ...string) {
		for _, s := range rrs {
			r := rr(s)
			if r.Header().Rrtype == q.Qtype {
				m.Answer = append(m.Answer, r)
			}
		}
		if len(m.Answer) == 0 {
			m.Ns = append(m.Ns, soa) // NODATA
		}
	}
	switch {
	case name == "mx."+zone, name == "slowmx."+zone, name == "slow2mx."+zone, name == "slow3mx."+zone:
		answer(name+" 300 IN MX 10 mail."+zone, name+" 300 IN MX 20 mail2."+zone)
	case name == "_dmarc.mx."+zone:
		answer(name + ` 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@dnstest.net"`)
	case name == "_dmarc."+zone:
		answer(name + ` 300 IN TXT "v=DMARC1; p=none; sp=quarantine"`)
	case name == "nullmx."+zone:
		answer(name + " 300 IN MX 0 .")
	case name == "aonly."+zone:
		answer(name + " 300 IN A 192.0.2.1")
	case name == "aaaaonly."+zone:
		answer(name + " 300 IN AAAA 2001:db8::1")
	case name == "nomail."+zone:
		answer(name + ` 300 IN TXT "hello"`)
	case name == "big."+zone:
		var rrs []string
		for i := range 60 {
			rrs = append(rrs, fmt.Sprintf("%s 300 IN MX %d mx%02d.a-rather-long-mail-exchanger-name.%s", name, i, i, zone))
		}
		answer(rrs...)
	case name == "servfail."+zone:
		m.Rcode = dns.RcodeServerFailure
	case benchIndex(name) >= 0 && benchIndex(name) < f.benchZone:
		answer(name + " 300 IN MX 10 mx.bench.net.")
	default:
		m.Rcode = dns.RcodeNameError
		m.Ns = append(m.Ns, soa)
	}
	if !isTCP {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		m.Truncate(size)
	}
	w.WriteMsg(m)
}

// benchIndex returns N for "dN.bench.net.", or -1.
func benchIndex(name string) int {
	var n int
	if _, err := fmt.Sscanf(name, "d%d.bench.net.", &n); err != nil || !strings.HasSuffix(name, ".bench.net.") {
		return -1
	}
	return n
}
