package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward/internal/quality"
)

// TestReportCommand: snapshots taken by hand and by the nightly run are
// reported as text, JSON, CSV and one self-contained HTML file; a
// threshold crossed makes "report snapshot" warn (exit 1).
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	if _, errOut, code := runWith(t, nil, "import", filepath.Join(importSamples, "shop-fa-1256.csv"), "--source", "shop", "--db", db); code > exitFindings {
		t.Fatalf("import: %s", errOut)
	}
	out, _, code := runWith(t, nil, "report", "--db", db)
	if code != exitOK || !strings.Contains(out, "No quality snapshot yet") {
		t.Errorf("report before any snapshot: exit %d\n%s", code, out)
	}
	for range 2 {
		if out, errOut, code := runWith(t, nil, "report", "snapshot", "--db", db); code != exitOK || !strings.Contains(out, "snapshot: run") {
			t.Fatalf("report snapshot: exit %d\n%s%s", code, out, errOut)
		}
	}
	out, _, _ = runWith(t, nil, "report", "--db", db)
	for _, want := range []string{"Quality of 5 customers", "trend over 2 snapshots", "completeness", "email", "consent", "sendable"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	var rep quality.Report
	out, _, _ = runWith(t, nil, "report", "--db", db, "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Snapshots) != 2 || len(rep.Rows) == 0 {
		t.Errorf("report --json: %v\n%.300s", err, out)
	}
	out, _, _ = runWith(t, nil, "report", "--db", db, "--csv")
	if !strings.HasPrefix(out, "taken_at,snapshot,dimension,field,source,numerator,denominator,share\n") || strings.Count(out, "\n") < 20 {
		t.Errorf("report --csv:\n%.300s", out)
	}
	page := filepath.Join(dir, "quality.html")
	if _, errOut, code := runWith(t, nil, "report", "--db", db, "--html", page); code != exitOK {
		t.Fatalf("report --html: %s", errOut)
	}
	html, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(html), "<svg") || strings.Contains(string(html), "<script") || strings.Contains(string(html), "http://") && !strings.Contains(string(html), `xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("HTML report: %v, want inline SVG and no script", err)
	}
	if _, errOut, code := runWith(t, nil, "report", "--db", db, "--source", "nope"); code != exitNotFound || !strings.Contains(errOut, "nope") {
		t.Errorf("report of an unknown source: exit %d, %s", code, errOut)
	}
	rules := writeRules(t, "steward.yaml", "version: 1\nquality:\n  thresholds:\n    - {metric: completeness.birth_date, share_below: 0.99}\n")
	out, _, code = runWith(t, nil, "report", "snapshot", "--db", db, "--rules", rules)
	if code != exitFindings || !strings.Contains(out, "warning: completeness of birth date is 0.0% (0 of 5), below 99.0%") {
		t.Errorf("report snapshot crossing a threshold: exit %d\n%s", code, out)
	}
}
