package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// seedCustomers stores customers in the database at dsn and returns
// their ids.
func seedCustomers(t *testing.T, dsn string, recs ...steward.Record) []int64 {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ids []int64
	for _, r := range recs {
		c := &steward.Customer{Record: r}
		if err := s.CreateCustomer(ctx, c, steward.Meta{Actor: "test", Cause: "test"}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

func TestMergeAndUnmergeCommands(t *testing.T) {
	db := newDB(t)
	ids := seedCustomers(t, db,
		steward.Record{Source: "shop", SourceID: "1", FirstName: "Ali", LastName: "Rezaei", Email: "ali@example.com", Country: "IR", Attributes: map[string]string{"email_opt_out": "no"}},
		steward.Record{Source: "crm", SourceID: "2", FirstName: "Alireza", LastName: "Rezaei", Email: "ali.r@example.com", Country: "IR", Attributes: map[string]string{"email_opt_out": "yes"}},
		steward.Record{Source: "web", SourceID: "3", FirstName: "Ali", LastName: "Rezai", Phone: "+989121234567", Country: "IR"})
	a, b, c := fmt.Sprint(ids[0]), fmt.Sprint(ids[1]), fmt.Sprint(ids[2])
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"one id", []string{"merge", a}, exitUsage, ""},
		{"not an id", []string{"merge", a, "x"}, exitUsage, ""},
		{"bad --from", []string{"merge", a, b, "--from", "email=x"}, exitUsage, ""},
		{"unknown customer", []string{"merge", a, "424242"}, exitNotFound, ""},
		{"override of consent", []string{"merge", a, b, "--set", "email_opt_out=no"}, exitFindings, ""},
		{"stale version", []string{"merge", a, b, "--version", b + "=7"}, exitConflict, ""},
		{"merge", []string{"merge", a, b, c, "--keep", b, "--from", "email=" + a, "--set", "phone=0912 765 4321"}, exitOK,
			"merged customers " + a + ", " + b + ", " + c + " into " + b},
		{"merged again", []string{"merge", a, c}, exitConflict, ""},
		{"take out", []string{"unmerge", "1", "--member", c}, exitOK, "customer " + c + " taken out of merge 1"},
		{"take out the survivor", []string{"unmerge", "1", "--member", b}, exitFindings, ""},
		{"stale merge", []string{"unmerge", "1", "--version", "1"}, exitConflict, ""},
		{"undo", []string{"unmerge", "1"}, exitOK, "merge 1 undone"},
		{"undo again", []string{"unmerge", "1"}, exitConflict, ""},
		{"no such merge", []string{"unmerge", "9"}, exitNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := cliRun(t, db, "", append(tt.args, "--db", db)...)
			if code != tt.code || !strings.Contains(out, tt.out) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, out, stderr, tt.code, tt.out)
			}
		})
	}
	// After the undo every customer is back, and the audit log has all of it.
	ctx := context.Background()
	s, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range ids {
		cu, err := s.Customer(ctx, id)
		if err != nil || cu.Status != steward.StatusActive {
			t.Errorf("customer %d after the undo: %+v (%v)", id, cu, err)
		}
	}
	es, err := s.AuditEntries(ctx, steward.AuditFilter{Target: "merge:1"})
	if err != nil || len(es) != 3 {
		t.Errorf("audit of merge 1: %v (%v), want create, take out, undo", es, err)
	}
}

func TestSuggestionsCommands(t *testing.T) {
	db := newDB(t)
	ids := seedCustomers(t, db,
		steward.Record{Source: "shop", SourceID: "1", FirstName: "Ali", LastName: "Rezaei", Email: "ali@example.com"},
		steward.Record{Source: "crm", SourceID: "2", FirstName: "Ali", LastName: "Rezaei", Email: "ali.rezaei@example.com"},
		steward.Record{Source: "web", SourceID: "3", FirstName: "Sara", LastName: "Ahmadi", Email: "sara@example.com"},
		steward.Record{Source: "web", SourceID: "4", FirstName: "Sara", LastName: "Ahmadi", Email: "sara.a@example.com"})
	ctx := context.Background()
	s, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := func(a, b int64) []byte {
		return []byte(fmt.Sprintf(`{"producer": "dedupe", "origin": "run 1", "pairs": [{"a": %d, "b": %d, "probability": 0.9, "weight": 5, "prior": -10, "fields": [{"field": "first_name", "level": "exact", "weight": 4}]}]}`, a, b))
	}
	for _, sg := range []*steward.Suggestion{{CustomerIDs: ids[:2], Probability: 0.9, Evidence: ev(ids[0], ids[1])}, {CustomerIDs: ids[2:], Probability: 0.6, Evidence: ev(ids[2], ids[3])}} {
		if err := s.UpsertSuggestion(ctx, sg); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	code, out, stderr := cliRun(t, db, "", "suggestions", "list", "--order", "uncertain", "--db", db)
	if code != exitOK || !strings.Contains(out, "0.600") || strings.Index(out, "0.600") > strings.Index(out, "0.900") {
		t.Fatalf("list: %d %q %q", code, out, stderr)
	}
	code, out, _ = cliRun(t, db, "", "suggestions", "show", "1", "--db", db)
	for _, want := range []string{"* email", "first_name   +4.0  the same [exact]", "steward suggestions decide 1 merge"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if code, out, stderr := cliRun(t, db, "", "suggestions", "decide", "1", "merge", "--db", db); code != exitOK || !strings.Contains(out, "suggestion 1: merged") {
		t.Errorf("decide merge: %d %q %q", code, out, stderr)
	}
	if code, out, stderr := cliRun(t, db, "", "suggestions", "decide", "2", "not-duplicate", "--db", db, "--json"); code != exitOK || !strings.Contains(out, `"status":"rejected"`) {
		t.Errorf("decide not-duplicate: %d %q %q", code, out, stderr)
	}
	if code, _, _ := cliRun(t, db, "", "suggestions", "decide", "2", "skip", "--db", db); code != exitConflict {
		t.Errorf("deciding a decided suggestion: exit %d, want %d", code, exitConflict)
	}
	if code, _, _ := cliRun(t, db, "", "suggestions", "decide", "1", "maybe", "--db", db); code != exitUsage {
		t.Errorf("an unknown decision: exit %d", code)
	}
	// The decisions are labels: the matcher is measured on them.
	code, out, stderr = cliRun(t, db, "", "dedupe", "eval", "--decisions", "--db", db, "--json")
	var evl struct {
		Matches    int `json:"matches"`
		NonMatches int `json:"non_matches"`
	}
	if err := json.Unmarshal([]byte(out), &evl); code != exitOK || err != nil || evl.Matches != 1 || evl.NonMatches != 1 {
		t.Errorf("eval --decisions: %d %q %q", code, out, stderr)
	}
	if code, out, _ := cliRun(t, db, "", "dedupe", "eval", "--decisions", "--db", db); code != exitOK || !strings.Contains(out, "decided pairs: 1 merged, 1 not duplicates") {
		t.Errorf("eval --decisions: %q", out)
	}
}

// TestCLIProcess is not a test: it is steward, run as a process of its
// own by TestMergeTwoProcesses.
func TestCLIProcess(t *testing.T) {
	if os.Getenv("STEWARD_CLI_PROCESS") != "1" {
		t.Skip("run by TestMergeTwoProcesses as a process of its own")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(Main(context.Background(), env, args))
}

// TestMergeTwoProcesses: two steward processes merge overlapping clusters
// of one database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)
// at once, each with the versions it saw: exactly one wins, the other
// exits 4 (conflict) having changed nothing.
func TestMergeTwoProcesses(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { mergeTwoProcesses(t, newDB(t)) })
	t.Run("postgres", func(t *testing.T) { mergeTwoProcesses(t, storetest.PostgresDSN(t)) })
}

func mergeTwoProcesses(t *testing.T, dsn string) {
	ctx := context.Background()
	for round := range 3 {
		ids := seedCustomers(t, dsn,
			steward.Record{FirstName: "X", Email: fmt.Sprintf("x%d@example.com", round)},
			steward.Record{FirstName: "Y", Email: fmt.Sprintf("y%d@example.com", round)},
			steward.Record{FirstName: "Z", Email: fmt.Sprintf("z%d@example.com", round)})
		run := func(a, b int64) (int, string) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCLIProcess$", "--", "merge", fmt.Sprint(a), fmt.Sprint(b),
				"--version", fmt.Sprintf("%d=1", a), "--version", fmt.Sprintf("%d=1", b), "--db", dsn)
			cmd.Env = append(os.Environ(), "STEWARD_CLI_PROCESS=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); ok {
				return ee.ExitCode(), stderr.String()
			}
			if err != nil {
				t.Fatal(err)
			}
			return 0, stderr.String()
		}
		var wg sync.WaitGroup
		codes, errs := make([]int, 2), make([]string, 2)
		for i, pair := range [][2]int64{{ids[0], ids[1]}, {ids[1], ids[2]}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], errs[i] = run(pair[0], pair[1])
			}()
		}
		wg.Wait()
		if !(codes[0] == exitOK && codes[1] == exitConflict || codes[0] == exitConflict && codes[1] == exitOK) {
			t.Fatalf("round %d: exit codes %v, want one 0 and one %d\n%s\n%s", round, codes, exitConflict, errs[0], errs[1])
		}
		s, err := store.Open(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := s.Merges(ctx, steward.MergeFilter{CustomerID: ids[1]})
		s.Close()
		if err != nil || len(ms) != 1 {
			t.Errorf("round %d: merges of the shared customer %v (%v), want the winner's", round, ms, err)
		}
	}
}
