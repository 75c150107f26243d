package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// localDNS serves a tiny zone on 127.0.0.1 over UDP: good.test.example.com
// has an MX, nullmx.example.com a null MX, everything else is NXDOMAIN.
func localDNS(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		switch {
		case q.Name == "shop.example.com." && q.Qtype == dns.TypeMX:
			rr, _ := dns.NewRR("shop.example.com. 300 IN MX 10 mx.shop.example.com.")
			m.Answer = append(m.Answer, rr)
		case q.Name == "nullmx.example.com." && q.Qtype == dns.TypeMX:
			rr, _ := dns.NewRR("nullmx.example.com. 300 IN MX 0 .")
			m.Answer = append(m.Answer, rr)
		case q.Name == "shop.example.com." || q.Name == "nullmx.example.com.":
			// the name exists, with no records of this type
		default:
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: mux}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestCheckEmailAgainstARealDNSServer(t *testing.T) {
	server := localDNS(t)
	code, out, errs := runMain(t, "check-email", "--dns", server, "--json",
		"ali@shop.example.com", "bob@nullmx.example.com", "cy@nowhere.example.com", "di@@shop.example.com")
	if code != exitFindings {
		t.Fatalf("exit %d (stderr %q), want %d: some addresses are invalid", code, errs, exitFindings)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want one line per address in input order, got:\n%s", out)
	}
	want := []struct{ address, verdict string }{
		{"ali@shop.example.com", "valid"},
		{"bob@nullmx.example.com", "invalid"},
		{"cy@nowhere.example.com", "invalid"},
		{"di@@shop.example.com", "invalid"},
	}
	for i, line := range lines {
		var got struct {
			Address, Verdict, Reason string
			Suggestion               string
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", i+1, err, line)
		}
		if got.Address != want[i].address || got.Verdict != want[i].verdict || got.Reason == "" {
			t.Errorf("line %d: %+v, want %s %s with a reason", i+1, got, want[i].address, want[i].verdict)
		}
	}
}

func TestCheckEmailOfflineFromStdin(t *testing.T) {
	var out strings.Builder
	env := &Env{Stdin: strings.NewReader("ali@gmial.com\n"), Stdout: &out, Stderr: &strings.Builder{}, Getenv: func(string) string { return "" }}
	if code := Main(t.Context(), env, []string{"check-email", "--offline", "--json"}); code != exitOK && code != exitFindings {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), `"suggestion":"ali@gmail.com"`) {
		t.Fatalf("no typo suggestion: %s", out.String())
	}
}
