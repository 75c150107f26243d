package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateFollowsTheRulesFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,first_name,last_name,email,phone,country\n1,Ali,Karimi,ali@example.org,09123456789,IR\n2,,,bad@@x.com,,US\n"), 0o644)

	code, out, _ := runMain(t, "validate", "--in", in)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d", code, exitFindings)
	}
	for _, want := range []string{"line 3\temail\tmultiple_at\terror", "line 3\tname\tname_missing\terror", "line 3\tcontact\tno_valid_contact\terror"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "line 2\t") && strings.Contains(line, "\terror\t") {
			t.Fatalf("row 1 is valid but has an error: %s", line)
		}
	}

	rulesFile := filepath.Join(dir, "steward.yaml")
	os.WriteFile(rulesFile, []byte("require:\n  contact: false\n"), 0o644)
	_, out, _ = runMain(t, "validate", "--in", in, "--rules", rulesFile)
	if strings.Contains(out, "no_valid_contact") || !strings.Contains(out, "name_missing") {
		t.Fatalf("with contact not required:\n%s", out)
	}

	os.WriteFile(rulesFile, []byte("require:\n  contact: maybe\n"), 0o644)
	code, _, errs := runMain(t, "validate", "--in", in, "--rules", rulesFile)
	if code != exitFindings || !strings.Contains(errs, "steward.yaml:2:12") {
		t.Fatalf("bad rules file: exit %d, stderr %q; want the line and column", code, errs)
	}
}

// TestValidateChecksAsImportDoes: validate standardizes before it checks,
// as an import does ("USA" is a country), and reads JSON Lines and XLSX.
func TestValidateChecksAsImportDoes(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(`{"id":"1","first_name":"Ann","email":"ann@example.org","phone":"(415) 555-2671","country":"USA"}`+"\n"), 0o644)
	code, out, errs := runMain(t, "validate", "--in", in)
	if code != exitOK || strings.Contains(out, "country") {
		t.Fatalf("exit %d, stderr %q, output:\n%s\nwant USA accepted as import accepts it", code, errs, out)
	}
}

// TestValidateInfersColumns: validate reads a file as import does, its
// columns matched by name and content (the matching on standard error).
func TestValidateInfersColumns(t *testing.T) {
	in := filepath.Join(importSamples, "odd-headers.csv")
	out, errOut, code := runWith(t, nil, "validate", "--in", in)
	if code != exitFindings || strings.Contains(out, "name_missing") || strings.Count(out, "no_valid_contact") != 1 ||
		!strings.Contains(errOut, "E-mail Address → email") {
		t.Errorf("exit %d\n%s\nstderr:\n%s", code, out, errOut)
	}
	out, _, _ = runWith(t, nil, "validate", "--in", in, "--no-infer")
	if strings.Count(out, "name_missing") != 5 {
		t.Errorf("--no-infer:\n%s", out)
	}
}
