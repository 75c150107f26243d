package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// storeCmdEnv is an Env for running database subcommands in tests, with
// STEWARD_DB set to db.
func storeCmdEnv(db string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &Env{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string {
			if k == "STEWARD_DB" {
				return db
			}
			return ""
		},
	}, &stdout, &stderr
}

// seedExport fills the database at dsn with customers for the export
// tests and returns them.
func seedExport(t *testing.T, dsn string) []*steward.Customer {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cs := []*steward.Customer{
		{Record: steward.Record{Source: "shop", SourceID: "7", FirstName: "Sara", LastName: "Ahmadi",
			Email: "sara@example.com", Attributes: map[string]string{"tier": "gold"}}},
		{Record: steward.Record{Source: "shop", SourceID: "8", FirstName: "Gone"}, Status: steward.StatusErased},
		{Record: steward.Record{FirstName: "علی", LastName: "رضایی", City: "Tehran, \"north\"",
			Attributes: map[string]string{"age": "41", "tier": "silver"}}},
	}
	for i := range 2500 {
		cs = append(cs, &steward.Customer{Record: steward.Record{Source: "bulk", SourceID: string(rune('a'+i%26)) + strings.Repeat("x", i/26),
			LastName: "Bulk"}})
	}
	if err := s.CreateCustomers(ctx, cs, steward.Meta{Actor: "test", Cause: "test"}); err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestExportCSV(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	cs := seedExport(t, db)
	env, stdout, stderr := storeCmdEnv(db)
	out := filepath.Join(dir, "out.csv")
	if code := Main(context.Background(), env, []string{"export", "--out", out}); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("export to a file wrote to stdout: %q", stdout)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := append(steward.CanonicalColumns(), "age", "tier")
	if !reflect.DeepEqual(rows[0], wantHeader) {
		t.Fatalf("header = %v, want %v", rows[0], wantHeader)
	}
	if len(rows) != 1+len(cs)-1 {
		t.Errorf("%d data rows, want %d (the erased customer left out)", len(rows)-1, len(cs)-1)
	}
	want0 := []string{"7", "shop", "Sara", "Ahmadi", "", "sara@example.com", "", "", "", "", "", "", "", "", "", "", "gold"}
	if !reflect.DeepEqual(rows[1], want0) {
		t.Errorf("first row = %q\nwant %q", rows[1], want0)
	}
	if rows[2][2] != "علی" || rows[2][9] != `Tehran, "north"` || rows[2][15] != "41" || rows[2][16] != "silver" {
		t.Errorf("second row = %q", rows[2])
	}
	if last := rows[len(rows)-1]; last[1] != "bulk" || last[3] != "Bulk" {
		t.Errorf("last row = %q", last)
	}
	if !strings.Contains(stderr.String(), "exported 2502 customers") {
		t.Errorf("stderr = %q", stderr)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ".out.csv.*"))
	if len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

func TestExportStdoutStewardIDs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crm.db")
	cs := seedExport(t, db)
	env, stdout, stderr := storeCmdEnv("")
	if code := Main(context.Background(), env, []string{"export", "--db", db, "--out", "-", "--steward-ids"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(stdout).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][0] != "1" || rows[1][1] != "steward" || rows[2][0] != "3" {
		t.Errorf("rows start %q, %q; want steward ids 1 and 3", rows[1][:2], rows[2][:2])
	}
	if len(rows) != len(cs) {
		t.Errorf("%d rows, want header + %d", len(rows), len(cs)-1)
	}
}

func TestExportUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crm.db")
	if _, errOut, code := runWith(t, nil, "migrate", "--db", db); code != exitOK {
		t.Fatalf("migrate: %s", errOut)
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no out", []string{"export", "--db", db}, exitUsage},
		{"extra argument", []string{"export", "--db", db, "--out", "-", "more"}, exitUsage},
		{"unknown flag", []string{"export", "--bogus"}, exitUsage},
		{"help", []string{"export", "-h"}, exitOK},
		{"missing directory", []string{"export", "--db", db, "--out", filepath.Join(db+"-nodir", "x.csv")}, exitInternal},
		{"missing database", []string{"export", "--db", db + "-typo", "--out", "-"}, exitNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, stderr := storeCmdEnv("")
			if code := Main(context.Background(), env, tt.args); code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
		})
	}
}

func TestMigrateSQLite(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	for range 2 {
		env, stdout, stderr := storeCmdEnv(db)
		if code := Main(context.Background(), env, []string{"migrate"}); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout.String(), "up to date") {
			t.Errorf("stdout = %q", stdout)
		}
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("migrate did not create %s: %v", db, err)
	}
}

func TestMigratePostgres(t *testing.T) {
	_, schema := storetest.PostgresEmpty(t)
	url := storetest.PostgresURL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	dsn := url + sep + "search_path=" + schema

	// Before migrating, other commands refuse the database and say why.
	env, _, stderr := storeCmdEnv(dsn)
	if code := Main(context.Background(), env, []string{"export", "--out", "-"}); code != exitUnavailable ||
		!strings.Contains(stderr.String(), "steward migrate") {
		t.Fatalf("export of an unmigrated database: exit %d, stderr %q", code, stderr)
	}
	env, stdout, stderr := storeCmdEnv(dsn)
	if code := Main(context.Background(), env, []string{"migrate"}); code != exitOK {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout.String(), "applied 0001_init.sql") {
		t.Errorf("migrate output = %q", stdout)
	}
	env, stdout, stderr = storeCmdEnv(dsn)
	if code := Main(context.Background(), env, []string{"migrate"}); code != exitOK || strings.Contains(stdout.String(), "applied") {
		t.Errorf("second migrate: exit %d, output %q %q", code, stdout, stderr)
	}
	cs := seedExport(t, dsn)
	env, stdout, stderr = storeCmdEnv(dsn)
	if code := Main(context.Background(), env, []string{"export", "--out", "-"}); code != exitOK {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(stdout).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(cs) || rows[0][len(rows[0])-1] != "tier" || rows[1][0] != "7" {
		t.Errorf("export from PostgreSQL: %d rows, header %q, first %q", len(rows), rows[0], rows[1])
	}
}

// TestOutputFiles: files steward writes are its owner's alone unless
// $STEWARD_FILE_MODE says otherwise, and temporary files that a killed
// process left beside them are cleaned up by the next write.
func TestOutputFiles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	if _, errOut, code := runWith(t, nil, "import", filepath.Join(importSamples, "partner-1252.csv"), "--source", "p", "--db", db); code != exitOK {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	out := filepath.Join(dir, "export.csv")
	orphan := filepath.Join(dir, ".export.csv.999999999-123.tmp") // no such process
	mine := filepath.Join(dir, fmt.Sprintf(".export.csv.%d-456.tmp", os.Getpid()))
	for _, f := range []string{orphan, mine} {
		if err := os.WriteFile(f, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, errOut, code := runWith(t, []string{"STEWARD_FILE_MODE=0640"}, "export", "--db", db, "--out", out); code != exitOK {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("export with STEWARD_FILE_MODE=0640: %v %v", fi, err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("a dead process's temporary file is still there: %v", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a live process's temporary file was removed: %v", err)
	}
	if _, errOut, code := runWith(t, []string{"STEWARD_FILE_MODE=644x"}, "export", "--db", db, "--out", out); code != exitUsage || !strings.Contains(errOut, "STEWARD_FILE_MODE") {
		t.Errorf("a bad STEWARD_FILE_MODE: exit %d, %s", code, errOut)
	}
}

// TestFormulasNeutralized: values a spreadsheet would run are written with
// a leading apostrophe in exports and reports, raw with --raw, and stored
// as they came.
func TestFormulasNeutralized(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("id,first_name,last_name,email,phone,country\n"+
		"1,\"=HYPERLINK(\"\"http://evil\"\")\",Smith,a.smith@gmail.com,+442079460000,GB\n"+
		"2,@SUM(A1),Jones,,,GB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(dir, "rejects.csv")
	runWith(t, nil, "import", in, "--source", "s", "--db", db, "--rejects", rejects)
	if data, _ := os.ReadFile(rejects); !strings.Contains(string(data), ",'@SUM(A1),") {
		t.Errorf("rejects file:\n%s\nwant the formula behind an apostrophe", data)
	}
	safe, _, _ := runWith(t, nil, "export", "--db", db, "--out", "-")
	raw, _, _ := runWith(t, nil, "export", "--db", db, "--out", "-", "--raw")
	if !strings.Contains(safe, `"'=HYPERLINK(""http://evil"")"`) || !strings.Contains(safe, ",+442079460000,") {
		t.Errorf("export:\n%s\nwant the formula behind an apostrophe and the phone as it is", safe)
	}
	if !strings.Contains(raw, `"=HYPERLINK(""http://evil"")"`) {
		t.Errorf("export --raw:\n%s\nwant the value as stored", raw)
	}
}

// TestExportVerification: --verification adds each address's last
// verification to the export.
func TestExportVerification(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("id,first_name,email,phone,country\n1,Ann,ann@@gmail.com,+442079460000,GB\n2,Bob,bob@gmail.com,,GB\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runWith(t, nil, "import", in, "--source", "s", "--db", db, "--rules", writeRules(t, "steward.yaml", "version: 1\nfields:\n  email: {on_invalid: keep}\n"))
	if _, errOut, code := runWith(t, nil, "run", "verify-emails", "--offline", "--db", db); code != exitOK {
		t.Fatalf("verify-emails: %s", errOut)
	}
	out, errOut, code := runWith(t, nil, "export", "--db", db, "--out", "-", "--verification")
	if code != exitOK {
		t.Fatalf("export: %s", errOut)
	}
	rows := readCSVString(t, out)
	col := slices.Index(rows[0], "email_verdict")
	if col < 0 || rows[1][col] != "invalid" || rows[1][col+1] != "multiple_at" || rows[1][col+2] == "" || rows[2][col] != "" {
		t.Errorf("export --verification:\n%s\nwant Ann's address invalid with its reason and time, Bob's not verified yet (offline)", out)
	}
}

func readCSVString(t *testing.T, s string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
