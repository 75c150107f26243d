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

// TestRunSuppress: "steward run suppress" ingests the rules' inbox and
// imports the ESP folder; the message kept aside makes the run a warning;
// "run nightly" starts with it.
func TestRunSuppress(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	inbox := filepath.Join(dir, "Maildir")
	for _, sub := range []string{"new", "cur", "tmp"} {
		os.MkdirAll(filepath.Join(inbox, sub), 0o700)
	}
	for _, name := range []string{"google-5.1.1.eml", "human-reply.eml"} {
		data, _ := os.ReadFile(filepath.Join(mailSamples, name))
		os.WriteFile(filepath.Join(inbox, "new", name), data, 0o600)
	}
	esp := filepath.Join(dir, "esp")
	os.Mkdir(esp, 0o700)
	data, _ := os.ReadFile(filepath.Join(espSamples, "sendgrid-unsubscribes.csv"))
	os.WriteFile(filepath.Join(esp, "sendgrid-unsubscribes.csv"), data, 0o600)
	rules := writeRules(t, "steward.yaml", "version: 1\nsuppression:\n  inbox: "+inbox+"\n  esp_dir: "+esp+"\n")
	runWith(t, nil, "migrate", "--db", db)
	out, errOut, code := runWith(t, nil, "run", "suppress", "--db", db, "--rules", rules, "--offline", "--json")
	var res struct {
		Runs []struct {
			Job      string
			Status   string
			Counts   map[string]int64
			Warnings []string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Runs) != 1 {
		t.Fatalf("run suppress: exit %d %v\n%s%s", code, err, out, errOut)
	}
	run := res.Runs[0]
	if code != exitOK || run.Status != "warning" || run.Counts["suppressed"] != 2 || run.Counts["kept_aside"] != 1 || run.Counts["esp_files"] != 1 {
		t.Errorf("run suppress: exit %d, %+v", code, run)
	}
	if _, err := os.Stat(filepath.Join(dir, "failed", "reasons.jsonl")); err != nil {
		t.Errorf("no aside folder beside the inbox: %v", err)
	}
	out, _, _ = runWith(t, nil, "run", "nightly", "--db", db, "--rules", rules, "--offline", "--json")
	if !strings.Contains(out, `"job":"suppress"`) {
		t.Errorf("nightly without the suppress job:\n%s", out)
	}
}
