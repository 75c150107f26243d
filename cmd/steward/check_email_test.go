package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/steward-crm/steward/internal/dnstest"
)

func TestCheckEmailAgainstARealDNSServer(t *testing.T) {
	server := dnstest.Start(t,
		"shop.example.com. 300 IN MX 10 mx.shop.example.com.",
		"nullmx.example.com. 300 IN MX 0 .",
	).Addr
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

// TestCheckEmailBadServer: a --dns that is no HOST:PORT is a usage error
// with an example.
func TestCheckEmailBadServer(t *testing.T) {
	code, _, errs := runMain(t, "check-email", "--dns", "no-port-here", "ann@example.com")
	if code != exitUsage || !strings.Contains(errs, "1.1.1.1:53") {
		t.Fatalf("exit %d, stderr %q; want %d and an example server", code, errs, exitUsage)
	}
}
