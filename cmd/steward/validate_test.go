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
	for _, want := range []string{"row 2\temail\tmultiple_at\terror", "row 2\tname\tname_missing\terror", "row 2\tcontact\tno_valid_contact\terror"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "row 1\t") && strings.Contains(line, "\terror\t") {
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
