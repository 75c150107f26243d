package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/steward-crm/steward/internal/dnstest"
)

func TestCheckEmailAgainstARealDNSServer(t *testing.T) {
	server := dnstest.Start(t,
		"shop.dnstest.net. 300 IN MX 10 mx.shop.dnstest.net.",
		"nullmx.dnstest.net. 300 IN MX 0 .",
	).Addr
	code, out, errs := runMain(t, "check-email", "--dns", server, "--json",
		"ali@shop.dnstest.net", "bob@nullmx.dnstest.net", "cy@nowhere.dnstest.net", "di@@shop.dnstest.net")
	if code != exitFindings {
		t.Fatalf("exit %d (stderr %q), want %d: some addresses are invalid", code, errs, exitFindings)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want one line per address in input order, got:\n%s", out)
	}
	want := []struct{ address, verdict string }{
		{"ali@shop.dnstest.net", "valid"},
		{"bob@nullmx.dnstest.net", "invalid"},
		{"cy@nowhere.dnstest.net", "invalid"},
		{"di@@shop.dnstest.net", "invalid"},
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

// TestCheckEmailBadServer: a --dns that is no HOST:PORT is a usage error
// with an example.
func TestCheckEmailBadServer(t *testing.T) {
	code, _, errs := runMain(t, "check-email", "--dns", "no-port-here", "ann@example.com")
	if code != exitUsage || !strings.Contains(errs, "1.1.1.1:53") {
		t.Fatalf("exit %d, stderr %q; want %d and an example server", code, errs, exitUsage)
	}
}

// TestCheckEmailTypoAndReservedDomain: a typo of gmail.com is reported as
// one (though gmial.com is on the disposable lists), an address at an
// RFC 2606 example domain is well formed but risky, for that reason, and
// an address with a display name is checked as the address in <>.
func TestCheckEmailTypoAndReservedDomain(t *testing.T) {
	code, out, errs := runMain(t, "check-email", "--offline", "--json", "john@gmial.com", "jane@example.com", "John Doe <john@gmail.com>")
	if code != exitOK {
		t.Fatalf("exit %d (stderr %q), want %d: no address is invalid", code, errs, exitOK)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []struct{ verdict, reason, suggestion string }{
		{"risky", "typo_suggestion", "john@gmail.com"},
		{"risky", "reserved_domain", ""},
		{"valid", "syntax_only", ""},
	}
	if len(lines) != len(want) {
		t.Fatalf("want %d lines, got:\n%s", len(want), out)
	}
	for i, line := range lines {
		var got struct {
			Verdict, Reason, Suggestion, Message string
			DisplayName                          string `json:"display_name"`
			Flags                                []string
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatal(err)
		}
		if got.Verdict != want[i].verdict || got.Reason != want[i].reason || got.Suggestion != want[i].suggestion || got.Message == "" {
			t.Errorf("line %d: %+v, want %+v", i+1, got, want[i])
		}
		if i == 2 && (got.DisplayName != "John Doe" || !strings.Contains(got.Message, "display name")) {
			t.Errorf("line %d: %s, want the display name John Doe said to be left out", i+1, line)
		}
		for _, f := range got.Flags {
			if f == "disposable" {
				t.Errorf("line %d: flagged disposable: %s", i+1, line)
			}
		}
	}
}
