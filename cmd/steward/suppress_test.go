package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSuppressAndSendableExport: a suppressed address (for every message,
// or for one list), an opt-out and an address verified invalid are left
// out of a sendable export; suppressing twice changes nothing; the keys
// are made beside an SQLite database, owner only.
func TestSuppressAndSendableExport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,first_name,email,email_opt_out\n"+
		"1,Ann,ann.lee@gmail.com,\n2,Bob,bob@example.org,\n3,Cy,cy@example.org,yes\n4,Di,di@example.org,\n5,Ed,ed@@example.org,\n"), 0o600)
	rules := writeRules(t, "steward.yaml", "version: 1\ngate:\n  on_invalid: warn\n")
	if _, errOut, code := runWith(t, nil, "import", in, "--source", "s", "--db", db, "--rules", rules); code > exitFindings {
		t.Fatalf("import: %s", errOut)
	}
	out, errOut, code := runWith(t, nil, "suppress", "Ann.Lee+promo@Gmail.com", "--db", db)
	if code != exitOK || !strings.Contains(out, "annlee@gmail.com: suppressed for every message") {
		t.Fatalf("suppress: exit %d\n%s%s", code, out, errOut)
	}
	if out, _, _ := runWith(t, nil, "suppress", "ann.lee@gmail.com", "--db", db); !strings.Contains(out, "already suppressed (manual, cli") {
		t.Errorf("suppress again: %s", out)
	}
	if fi, err := os.Stat(db + ".keys"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v, want one readable by its owner only", fi, err)
	}
	runWith(t, nil, "suppress", "di@example.org", "--list", "offers", "--db", db)
	if _, errOut, code := runWith(t, nil, "run", "verify-emails", "--offline", "--db", db); code != exitOK {
		t.Fatalf("verify-emails: %s", errOut)
	}
	emails := func(args ...string) []string {
		t.Helper()
		out, errOut, code := runWith(t, nil, append([]string{"export", "--db", db, "--out", "-"}, args...)...)
		if code != exitOK {
			t.Fatalf("export %v: exit %d %s", args, code, errOut)
		}
		var got []string
		for _, row := range readCSVString(t, out)[1:] {
			got = append(got, row[5])
		}
		return got
	}
	if got := strings.Join(emails("--sendable"), " "); got != "bob@example.org di@example.org" {
		t.Errorf("sendable export: %s; want Bob and Di (Ann suppressed, Cy opted out, Ed's address invalid)", got)
	}
	if got := strings.Join(emails("--sendable", "--list", "offers"), " "); got != "bob@example.org" {
		t.Errorf("sendable export for the offers list: %s; want Bob only", got)
	}
	if got := len(emails()); got != 5 {
		t.Errorf("a plain export has %d customers, want all 5", got)
	}
	if _, errOut, code := runWith(t, nil, "suppress", "not-an-address", "--db", db); code != exitFindings || !strings.Contains(errOut, "not an email address") {
		t.Errorf("suppress a non-address: exit %d %s", code, errOut)
	}
}

// TestImportKeepsSuppression: importing a suppressed address again lands
// the row and keeps the suppression, and the summary says so.
func TestImportKeepsSuppression(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,first_name,email\n1,Ann,ann.lee@gmail.com\n2,Bob,bob.lee@gmail.com\n"), 0o600)
	runWith(t, nil, "migrate", "--db", db)
	runWith(t, nil, "suppress", "ann.lee@gmail.com", "--reason", "unsubscribed", "--db", db)
	out, errOut, code := runWith(t, nil, "import", in, "--source", "shop", "--db", db)
	if code != exitOK || !strings.Contains(out, "suppressed 1 row with an address that is suppressed") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	out, _, _ = runWith(t, nil, "export", "--db", db, "--out", "-", "--sendable")
	if strings.Contains(out, "ann.lee") || !strings.Contains(out, "bob.lee") {
		t.Errorf("sendable export after the import:\n%s\nwant Ann still left out", out)
	}
}
