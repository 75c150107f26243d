package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/schedule"
	"github.com/steward-crm/steward/internal/store/sqlite"
)

func TestJobsCommands(t *testing.T) {
	db := newDB(t)
	rulesFile := writeRules(t, "rules.yaml", "schedules:\n  tidy:\n    cron: \"0 3 * * *\"\n    jobs: [standardize, snapshot]\n")
	jobs := func(args ...string) (int, string, string) {
		t.Helper()
		return cliRun(t, db, "", append(append([]string{"jobs"}, args...), "--db", db, "--rules", rulesFile)...)
	}

	code, out, errs := jobs("list", "--json")
	if code != exitOK {
		t.Fatalf("list: exit %d: %s", code, errs)
	}
	var list struct{ Schedules []schedule.Status }
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	names := map[string]schedule.Status{}
	for _, s := range list.Schedules {
		names[s.Name] = s
	}
	if s, ok := names["tidy"]; !ok || s.Next.IsZero() || s.LastRun != nil || s.Overdue || s.CatchUp != "6h0m0s" {
		t.Errorf("tidy = %+v (list %s)", s, out)
	}

	code, out, errs = jobs("run", "tidy")
	if code != exitOK || !strings.Contains(out, "tidy") || !strings.Contains(out, "succeeded") || !strings.Contains(out, "manual") {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = jobs("runs", "--json", "--schedule", "tidy")
	var runs struct{ Runs []steward.ScheduleRun }
	if err := json.Unmarshal([]byte(out), &runs); code != exitOK || err != nil {
		t.Fatalf("runs: exit %d %v: %s", code, err, out)
	}
	if len(runs.Runs) != 1 || runs.Runs[0].Trigger != steward.TriggerManual || len(runs.Runs[0].Jobs) != 2 ||
		runs.Runs[0].Jobs[1].Job != steward.JobSnapshot || runs.Runs[0].Instance == "" {
		t.Errorf("runs = %+v", runs.Runs)
	}

	if code, out, errs = jobs("pause", "tidy"); code != exitOK || !strings.Contains(out, "paused") {
		t.Fatalf("pause: exit %d %s %s", code, out, errs)
	}
	code, out, _ = jobs("list")
	if code != exitOK || !strings.Contains(out, "paused by cli:ops") {
		t.Errorf("list after pause: exit %d\n%s", code, out)
	}
	if code, _, errs = jobs("resume", "tidy"); code != exitOK {
		t.Fatalf("resume: exit %d %s", code, errs)
	}
	if code, _, errs = jobs("resume", "tidy"); code != exitNotFound || !strings.Contains(errs, "not paused") {
		t.Errorf("resume again: exit %d %s", code, errs)
	}
	if code, _, errs = jobs("run", "tidyy"); code != exitNotFound || !strings.Contains(errs, "tidy") {
		t.Errorf("unknown schedule: exit %d %s", code, errs)
	}
	if code, _, errs = jobs("queue"); code != exitUsage || !strings.Contains(errs, "PostgreSQL") {
		t.Errorf("queue on SQLite: exit %d %s", code, errs)
	}
	if code, _, _ = jobs("pause"); code != exitUsage {
		t.Errorf("pause without a name: exit %d", code)
	}

	// A schedule that last succeeded days ago is overdue: exit 1.
	st, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Now().Add(-72 * time.Hour).Truncate(time.Hour)
	old := &steward.ScheduleRun{Schedule: "hourly", ScheduledAt: at, Trigger: steward.TriggerSchedule, Status: steward.ScheduleRunning}
	if err := st.ClaimScheduleRun(context.Background(), old, at); err != nil {
		t.Fatal(err)
	}
	old.Status = steward.ScheduleSucceeded
	if err := st.FinishScheduleRun(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	hourly := writeRules(t, "hourly.yaml", "schedules:\n  hourly:\n    cron: \"@hourly\"\n    jobs: [standardize]\n")
	code, out, _ = cliRun(t, db, "", "jobs", "list", "--db", db, "--rules", hourly)
	if code != exitFindings || !strings.Contains(out, "OVERDUE") {
		t.Errorf("overdue: exit %d\n%s", code, out)
	}
}

// TestJobsFullSchedule: a schedule with full: true makes standardize
// examine every customer, where the nightly one examines only those changed
// since its last success; the list says which schedule is full.
func TestJobsFullSchedule(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	if code, out, errs := runMain(t, "demo", "--n", "100", "--db", db); code != exitOK {
		t.Fatalf("demo exit %d\n%s\n%s", code, out, errs)
	}
	rulesFile := writeRules(t, "rules.yaml", "schedules:\n  nightly:\n    cron: \"0 2 * * *\"\n    jobs: [standardize]\n"+
		"  weekly:\n    cron: \"0 3 * * 0\"\n    jobs: [standardize]\n    full: true\n")
	jobs := func(args ...string) string {
		t.Helper()
		code, out, errs := cliRun(t, db, "", append(append([]string{"jobs"}, args...), "--db", db, "--rules", rulesFile)...)
		if code != exitOK {
			t.Fatalf("jobs %v: exit %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	if out := jobs("list"); !strings.Contains(out, "standardize (full)") || strings.Count(out, "(full)") != 1 {
		t.Errorf("list does not mark the full schedule alone:\n%s", out)
	}
	examined := func(schedule string) (int64, bool) {
		t.Helper()
		jobs("run", schedule)
		var runs struct{ Runs []steward.ScheduleRun }
		if err := json.Unmarshal([]byte(jobs("runs", "--json", "--schedule", schedule)), &runs); err != nil || len(runs.Runs) == 0 {
			t.Fatalf("runs of %s: %v %+v", schedule, err, runs)
		}
		st, err := sqlite.Open(context.Background(), db, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		run, err := st.JobRun(context.Background(), runs.Runs[0].Jobs[0].RunID)
		if err != nil {
			t.Fatal(err)
		}
		return run.Counts["customers"], run.Changes.Full
	}
	examined("nightly") // the customers the demo changed after its own run
	st, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.CountCustomers(context.Background(), steward.StatusActive)
	st.Close()
	if err != nil || all < 50 {
		t.Fatalf("active customers: %d, %v", all, err)
	}
	if n, full := examined("nightly"); n != 0 || full {
		t.Errorf("second nightly examined %d customers (full %v), want none: nothing changed", n, full)
	}
	if n, full := examined("weekly"); n != all || !full {
		t.Errorf("the full schedule examined %d customers (full %v), want all %d", n, full, all)
	}
}
