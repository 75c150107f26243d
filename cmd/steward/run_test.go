package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/dnstest"
	"github.com/steward-crm/steward/internal/store/sqlite"
)

// runMain runs the CLI in-process and returns exit code, stdout and stderr.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := Main(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func TestDemoThenNightlyChangesNothingTheSecondTime(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	code, out, errs := runMain(t, "demo", "--n", "600", "--db", db)
	if code != exitOK {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"Generated 600 customers", "Loaded 480 of them", "Standardized every customer",
		"Imported the web shop's file through the validation gate", "120 rows", "merge suggestions"} {
		if !strings.Contains(out, want) {
			t.Fatalf("demo output lacks %q:\n%s", want, out)
		}
	}
	m := regexp.MustCompile(`precision ([0-9.]+)\s+and recall ([0-9.]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("demo output has no precision and recall:\n%s", out)
	}
	for _, v := range m[1:] {
		if f, _ := strconv.ParseFloat(v, 64); f < 0.85 || f > 1 {
			t.Fatalf("demo precision/recall %s out of range:\n%s", v, out)
		}
	}
	// A second demo into the same named file is refused: it is not the
	// demo's own file.
	if code, _, errs := runMain(t, "demo", "--db", db); code != exitUsage || !strings.Contains(errs, "exists") {
		t.Fatalf("demo over an existing file: exit %d, %s", code, errs)
	}

	// The first nightly run checks the addresses that came through the
	// gate after the demo's check; a second one records nothing new (offline,
	// well-formed addresses stay due for a check with DNS).
	var runs []steward.JobRun
	for i := range 2 {
		code, out, errs = runMain(t, "run", "nightly", "--db", db, "--offline", "--json")
		if code != exitOK {
			t.Fatalf("run nightly #%d exit %d: %s", i+1, code, errs)
		}
		var got runsJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Runs) != 5 || strings.Count(out, "\n") != 1 {
			t.Fatalf("run nightly --json: %v\n%s", err, out)
		}
		runs = runs[:0]
		for _, r := range got.Runs[1:] { // the first is suppress, with no inbox to read
			runs = append(runs, *r)
		}
		if i == 0 && runs[1].Counts["checked"] == 0 {
			t.Fatalf("first nightly verified no address, though the gate added customers: %+v", runs[1])
		}
	}
	// standardize and verify-emails examine only what changed since their
	// last run; with --full every customer, with the same result.
	if w := runs[0].Changes; runs[0].Job != "standardize" || runs[0].Counts["changed"] != 0 ||
		w.Full || w.Since == 0 || runs[0].Counts["customers"] >= 550 {
		t.Fatalf("a repeated standardize: %+v, want only changed customers examined, none changed", runs[0])
	}
	// Offline, well-formed addresses stay due: the next run is full again.
	if w := runs[1].Changes; !w.Full || w.Mark != 0 {
		t.Fatalf("a repeated offline verify-emails: %+v, want every customer examined and no mark for the next", runs[1])
	}
	code, out, errs = runMain(t, "run", "standardize", "--db", db, "--full")
	if code != exitOK || !strings.Contains(out, "changed=0") || !strings.Contains(out, "(every customer)") {
		t.Fatalf("run standardize --full: exit %d\n%s%s", code, out, errs)
	}
	if runs[1].Job != "verify-emails" || runs[1].Counts["recorded"] != 0 {
		t.Fatalf("a repeated offline verify-emails recorded checks: %+v", runs[1])
	}
	if runs[2].Job != "dedupe" || runs[2].Counts["suggestions_new"] != 0 || runs[2].Counts["suggestions"] == 0 {
		t.Fatalf("a repeated dedupe made new suggestions: %+v", runs[2])
	}
	if runs[3].Job != "snapshot" || runs[3].Counts["customers"] < 550 || runs[3].Counts["snapshot_id"] != 2 {
		t.Fatalf("the nightly snapshot: %+v, want the second snapshot of every customer", runs[3])
	}

	// The nightly duplicate detection left its index for the next import,
	// which reads it instead of building it again.
	file := filepath.Join(t.TempDir(), "late.csv")
	if err := os.WriteFile(file, []byte("id,first_name,last_name,email,country\nl1,Sara,Mohammadi,sara.m@gmail.com,IR\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runMain(t, "import", file, "--source", "late", "--db", db, "--json")
	var sum struct {
		Index   string `json:"index"`
		Created int    `json:"created"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != exitOK || sum.Index != "cache" || sum.Created != 1 {
		t.Fatalf("import after the nightly run: exit %d, %v, %+v\n%s", code, err, sum, errs)
	}
}

func TestRunRefusesAJobThatIsRunning(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartJobRun(ctx, "standardize"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, _, errs := runMain(t, "run", "standardize", "--db", db)
	if code != exitConflict || !strings.Contains(errs, "already running") {
		t.Fatalf("exit %d, stderr %q; want %d and 'already running'", code, errs, exitConflict)
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no job", []string{"run"}, "name the job"},
		{"unknown job", []string{"run", "polish"}, `Unknown job "polish"`},
		{"bad flag", []string{"run", "dedupe", "--nope"}, "flag provided but not defined"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runMain(t, tt.args...)
			if code != exitUsage || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, exitUsage, tt.want)
			}
		})
	}
}

// TestRunNightlyChecksDNSFirst: a DNS server that cannot work stops "run
// nightly" before its first job, not after standardize has run.
func TestRunNightlyChecksDNSFirst(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	code, _, errs := runMain(t, "run", "nightly", "--db", db, "--dns", "no-port-here")
	if code != exitUsage || !strings.Contains(errs, "HOST:PORT") {
		t.Fatalf("exit %d, stderr %q; want %d and HOST:PORT", code, errs, exitUsage)
	}
	s, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if run, err := s.LastJobRun(context.Background(), "standardize"); err == nil {
		t.Fatalf("standardize ran (run %d, %s) before the DNS setting was refused", run.ID, run.Status)
	}
}

// TestRunNightlyGoesOnAfterAFailedJob: a DNS server that answers but
// knows no mail servers fails verify-emails; the jobs after it still run
// and are recorded, and the exit status is verify-emails' (7).
func TestRunNightlyGoesOnAfterAFailedJob(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	if code, out, errs := runMain(t, "demo", "--n", "300", "--db", db); code != exitOK {
		t.Fatalf("demo exit %d\n%s\n%s", code, out, errs)
	}
	server := dnstest.Start(t) // NXDOMAIN for gmail.com and every other name
	code, out, errs := runMain(t, "run", "nightly", "--db", db, "--dns", server.Addr, "--json")
	if code != exitUnavailable || !strings.Contains(errs, "finds no mail servers") {
		t.Fatalf("exit %d, stderr %q; want %d and the DNS server's fault", code, errs, exitUnavailable)
	}
	var got runsJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("run nightly --json: %v\n%s", err, out)
	}
	var jobs []string
	for _, r := range got.Runs {
		jobs = append(jobs, r.Job+" "+string(r.Status))
	}
	want := []string{"suppress succeeded", "standardize succeeded", "verify-emails failed", "dedupe succeeded", "snapshot succeeded"}
	if strings.Join(jobs, ", ") != strings.Join(want, ", ") {
		t.Errorf("runs = %v, want %v", jobs, want)
	}
}
