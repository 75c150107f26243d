package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func standardizeEnv(stdin string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &Env{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }}, &stdout, &stderr
}

const standardizeInput = "id,source,first_name,last_name,phone,country,postal_code,birth_date,tier\n" +
	"1,shop,JOHN,SMITH,(415) 555-2671,USA,941051234,03/04/1980,gold\n" +
	"2,form,آقای محمد\u200cرضا,احمدي,۰۹۱۲ ۳۴۵ ۶۷۸۹,ايران,۱۱۹۳۶-۱۲۳۴۵,1360/05/12,\n" +
	"3,crm,Ludwig van Beethoven,,12345,,sw1a2aa,,\n"

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestStandardizeCommand(t *testing.T) {
	dir := t.TempDir()
	out, changes := filepath.Join(dir, "out.csv"), filepath.Join(dir, "changes.csv")
	env, stdout, stderr := standardizeEnv(standardizeInput)
	code := Main(context.Background(), env, []string{"standardize", "--out", out, "--changes", changes,
		"--country", "GB", "--date-order", "dmy", "--json"})
	if code != exitOK {
		t.Fatalf("exit %d, stderr: %s", code, stderr)
	}
	var sum standardizeSummary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatalf("summary %q: %v", stdout, err)
	}
	if sum.Records != 3 || sum.Changed != 3 || sum.ByRule["phone.e164"] != 2 || sum.ByRule["phone.invalid"] != 1 {
		t.Errorf("summary = %+v", sum)
	}
	rows := readCSVFile(t, out)
	header := rows[0]
	get := func(row int, col string) string {
		for i, h := range header {
			if h == col {
				return rows[row][i]
			}
		}
		t.Fatalf("no column %q in %v", col, header)
		return ""
	}
	checks := []struct {
		row       int
		col, want string
	}{
		{1, "first_name", "John"}, {1, "phone", "+14155552671"}, {1, "country", "US"},
		{1, "postal_code", "94105-1234"}, {1, "birth_date", "1980-04-03"}, {1, "tier", "gold"},
		{2, "first_name", "محمد\u200cرضا"}, {2, "last_name", "احمدی"}, {2, "title", "آقای"},
		{2, "phone", "+989123456789"}, {2, "phone_type", "mobile"}, {2, "country", "IR"},
		{2, "postal_code", "1193612345"}, {2, "birth_date", "1981-08-03"},
		{3, "first_name", "Ludwig"}, {3, "last_name", "van Beethoven"}, {3, "phone", "12345"},
		{3, "postal_code", "SW1A 2AA"}, {3, "country", ""},
	}
	for _, c := range checks {
		if got := get(c.row, c.col); got != c.want {
			t.Errorf("row %d %s = %q, want %q", c.row, c.col, got, c.want)
		}
	}
	ch := readCSVFile(t, changes)
	if strings.Join(ch[0], ",") != "line,id,field,before,after,rule" {
		t.Errorf("changes header %v", ch[0])
	}
	found := false
	for _, r := range ch[1:] {
		if r[0] == "3" && r[1] == "2" && r[2] == "birth_date" && r[4] == "1981-08-03" && r[5] == "date.jalali" {
			found = true
		}
	}
	if !found {
		t.Errorf("changes lack the Jalali birth date of line 3: %v", ch)
	}

	// Standardizing the output again changes nothing.
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	env, stdout, stderr = standardizeEnv(string(data))
	code = Main(context.Background(), env, []string{"standardize", "--country", "GB", "--date-order", "dmy",
		"--changes", filepath.Join(dir, "changes2.csv")})
	if code != exitOK {
		t.Fatalf("second run: exit %d, stderr: %s", code, stderr)
	}
	if stdout.String() != string(data) {
		t.Errorf("second run changed the output:\n%s\nwant:\n%s", stdout, data)
	}
	for _, r := range readCSVFile(t, filepath.Join(dir, "changes2.csv"))[1:] {
		if r[3] != r[4] {
			t.Errorf("second run changed %v", r)
		}
	}
}

func TestStandardizeCommandRejectsRows(t *testing.T) {
	env, stdout, stderr := standardizeEnv("id,first_name\n1,ann\n2,\"broken\n")
	code := Main(context.Background(), env, []string{"standardize"})
	if code != exitFindings {
		t.Fatalf("exit %d, want %d; stderr: %s", code, exitFindings, stderr)
	}
	if !strings.Contains(stdout.String(), "1,,Ann,") {
		t.Errorf("good row not written: %q", stdout)
	}
	if !strings.Contains(stderr.String(), "line 3") {
		t.Errorf("bad row not reported: %q", stderr)
	}
}

func TestStandardizeCommandUsage(t *testing.T) {
	tests := [][]string{
		{"standardize", "--date-order", "ymd"},
		{"standardize", "--country", "Atlantis"},
		{"standardize", "--json"},
		{"standardize", "extra"},
	}
	for _, args := range tests {
		env, _, stderr := standardizeEnv("")
		if code := Main(context.Background(), env, args); code != exitUsage {
			t.Errorf("%v: exit %d, want %d; stderr: %s", args, code, exitUsage, stderr)
		}
		if !strings.Contains(stderr.String(), "hint:") {
			t.Errorf("%v: no hint in %q", args, stderr)
		}
	}
	env, _, stderr := standardizeEnv("")
	if code := Main(context.Background(), env, []string{"standardize", "--in", filepath.Join(t.TempDir(), "none.csv")}); code != exitNotFound {
		t.Errorf("missing input: exit %d, want %d; stderr: %s", code, exitNotFound, stderr)
	}
}
