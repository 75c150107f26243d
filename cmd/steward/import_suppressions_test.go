package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// espSamples are the providers' exports the suppress package's tests read.
const espSamples = "../../internal/suppress/testdata/esp"

// TestImportSuppressions: a SendGrid bounce export (format told by its
// name) suppresses and marks invalid the hard bounce, leaves the policy
// block alone; a Mailchimp unsubscribe export for one list lists its
// unreadable row (exit 1); a subscribed-members export is refused whole
// (exit 6); importing again changes nothing.
func TestImportSuppressions(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,first_name,email,phone\n1,Dave,dave@hosting.example,+44 20 7946 0000\n2,Heidi,heidi@gmail.com,\n3,Mia,mia@example.org,\n"), 0o600)
	// Dave's address is in .example, which the gate refuses: keep it, and
	// give him a phone number, his valid contact.
	rules := writeRules(t, "steward.yaml", "version: 1\nfields:\n  email: {on_invalid: keep}\n")
	if out, errOut, code := runWith(t, nil, "import", in, "--source", "shop", "--db", db, "--rules", rules); code > exitFindings {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code := runWith(t, nil, "import-suppressions", filepath.Join(espSamples, "sendgrid-bounces.csv"), "--db", db)
	if code != exitOK || !strings.Contains(out, "sendgrid-bounces.csv (sendgrid): 3 rows: hard_bounce 1, sender_problem 1, soft_bounce 1") ||
		!strings.Contains(out, "1 newly suppressed, 0 suppressed before, 1 soft bounces counted, 1 customer addresses marked invalid, 1 suppress nothing") {
		t.Fatalf("sendgrid: exit %d\n%s%s", code, out, errOut)
	}
	out, _, code = runWith(t, nil, "import-suppressions", filepath.Join(espSamples, "mailchimp-unsubscribed.csv"), "--list", "newsletter", "--db", db)
	if code != exitFindings || !strings.Contains(out, `line 3: "not-an-address" is not an email address`) {
		t.Errorf("mailchimp: exit %d\n%s", code, out)
	}
	out, _, _ = runWith(t, nil, "export", "--db", db, "--out", "-", "--sendable")
	if strings.Contains(out, "dave@") || !strings.Contains(out, "heidi@") || !strings.Contains(out, "mia@") {
		t.Errorf("sendable export:\n%s\nwant Heidi and Mia (unsubscribed from the newsletter only)", out)
	}
	out, _, _ = runWith(t, nil, "export", "--db", db, "--out", "-", "--sendable", "--list", "newsletter")
	if strings.Contains(out, "mia@") {
		t.Errorf("sendable export for the newsletter still has Mia:\n%s", out)
	}
	_, errOut, code = runWith(t, nil, "import-suppressions", filepath.Join(espSamples, "mailchimp-subscribed.csv"), "--db", db)
	if code != exitRefused || !strings.Contains(errOut, "subscribed members") {
		t.Errorf("a subscribed-members export: exit %d %s", code, errOut)
	}
	out, _, code = runWith(t, nil, "import-suppressions", filepath.Join(espSamples, "sendgrid-bounces.csv"), "--format", "sendgrid", "--db", db, "--json")
	var sum struct{ Rows, Suppressed, AlreadySuppressed, SoftBounces, Invalid int }
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != exitOK || sum.Rows != 3 || sum.Suppressed != 0 || sum.SoftBounces != 0 {
		t.Errorf("the same export again: exit %d %+v %v\n%s", code, sum, err, out)
	}
	if _, _, code := runWith(t, nil, "import-suppressions", in, "--db", db); code != exitUsage {
		t.Errorf("a customers file without --format: exit %d, want 2", code)
	}
	if _, _, code := runWith(t, nil, "import-suppressions", filepath.Join(dir, "nope.csv"), "--format", "sendgrid", "--db", db); code != exitNotFound {
		t.Errorf("a missing file: exit %d, want 3", code)
	}
	if _, _, code := runWith(t, nil, "import-suppressions", in, "--format", "constantcontact", "--db", db); code != exitUsage {
		t.Errorf("an unknown format: exit %d, want 2", code)
	}
}
