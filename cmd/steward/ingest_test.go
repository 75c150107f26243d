package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mailSamples are the real delivery and complaint reports the suppress
// package's tests read.
const mailSamples = "../../internal/suppress/testdata/mail"

// TestIngestMail: "steward ingest mail" on a folder of bounces suppresses
// the hard-bounced addresses (left out of a sendable export), leaves the
// policy-blocked one alone, keeps the human reply aside in failed/ beside
// the folder and exits 1 for it; a second run suppresses nothing new.
func TestIngestMail(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,first_name,email\n1,Bob,bob.gone@example.net\n2,Grace,grace.nobody@gmail.com\n3,Heidi,heidi@gmail.com\n"), 0o600)
	if _, errOut, code := runWith(t, nil, "import", in, "--source", "shop", "--db", db); code != exitOK {
		t.Fatalf("import: %s", errOut)
	}
	mail := filepath.Join(dir, "bounces")
	os.Mkdir(mail, 0o700)
	for _, name := range []string{"postfix-5.1.1.eml", "google-5.1.1.eml", "google-5.7.26.eml", "human-reply.eml"} {
		data, err := os.ReadFile(filepath.Join(mailSamples, name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(mail, name), data, 0o600)
	}
	out, errOut, code := runWith(t, nil, "ingest", "mail", mail, "--db", db, "--offline")
	if code != exitFindings {
		t.Fatalf("ingest: exit %d, want 1 (a message kept aside)\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"bob.gone@example.net suppressed (hard_bounce 5.1.1; marked invalid for 1 customer(s))",
		"grace.nobody@gmail.com suppressed (hard_bounce 5.1.1",
		"human-reply.eml: kept aside (not a delivery report",
		"4 messages: 3 dsn, 1 kept aside",
		"2 newly suppressed, 0 suppressed before, 0 soft bounces counted, 2 customer addresses marked invalid",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if kept, _ := os.ReadDir(filepath.Join(dir, "failed", "new")); len(kept) != 1 {
		t.Errorf("failed/new holds %d messages, want the human reply", len(kept))
	}
	out, _, _ = runWith(t, nil, "export", "--db", db, "--out", "-", "--sendable")
	if strings.Contains(out, "bob.gone") || strings.Contains(out, "grace.nobody") || !strings.Contains(out, "heidi@gmail.com") {
		t.Errorf("sendable export after the ingest:\n%s\nwant Heidi only", out)
	}
	out, _, code = runWith(t, nil, "ingest", "mail", mail, "--db", db, "--offline", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last struct {
		Summary struct {
			Messages, Suppressed, AlreadySuppressed int
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || len(lines) != 5 || code != exitFindings {
		t.Fatalf("--json: exit %d, %d lines, %v:\n%s", code, len(lines), err, out)
	}
	if s := last.Summary; s.Messages != 4 || s.Suppressed != 0 {
		t.Errorf("a second ingest: %+v, want 4 messages and nothing newly suppressed", s)
	}
	if _, errOut, code := runWith(t, nil, "ingest", "mail", filepath.Join(dir, "nope"), "--db", db); code != exitNotFound || !strings.Contains(errOut, "nope") {
		t.Errorf("a missing path: exit %d %s", code, errOut)
	}
	if _, _, code := runWith(t, nil, "ingest", "post", mail, "--db", db); code != exitUsage {
		t.Errorf("ingest post: exit %d, want 2", code)
	}
}
