package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/schedule"
	"github.com/steward-crm/steward/internal/store/storetest"
)

func TestMetrics(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := st.RecordImport(ctx, &steward.ImportRecord{Source: "shop", Name: "f.csv", Status: steward.ImportCommitted,
		StartedAt: at, FinishedAt: at, Rows: 120, Rejected: 7}); err != nil {
		t.Fatal(err)
	}
	run, err := st.StartJobRun(ctx, steward.JobStandardize)
	if err != nil {
		t.Fatal(err)
	}
	run.Status, run.Counts = steward.JobSucceeded, map[string]int64{"customers": 1000, "changed": 10, "model_id": 3}
	if err := st.FinishJobRun(ctx, run); err != nil {
		t.Fatal(err)
	}

	m := New(st, func(context.Context) ([]schedule.Status, error) {
		return []schedule.Status{{Name: "nightly", Overdue: true}, {Name: "weekly", Paused: &steward.SchedulePause{Schedule: "weekly"}}}, nil
	}, nil)
	m.JobRun(run)
	m.ScheduleRun(&steward.ScheduleRun{Schedule: "nightly", Trigger: steward.TriggerSchedule, Status: steward.ScheduleSucceeded,
		StartedAt: at, FinishedAt: at.Add(90 * time.Second)})
	m.ScheduleRun(&steward.ScheduleRun{Schedule: "nightly", Trigger: steward.TriggerCatchUp, Status: steward.ScheduleMissed})

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	text := string(body)
	for _, want := range []string{
		`steward_job_runs_total{job="standardize",status="succeeded"} 1`,
		`steward_job_rows_total{count="changed",job="standardize"} 10`,
		`steward_job_rows_total{count="customers",job="standardize"} 1000`,
		`steward_job_run_duration_seconds_count{job="standardize"} 1`,
		`steward_schedule_runs_total{schedule="nightly",status="succeeded",trigger="schedule"} 1`,
		`steward_schedule_runs_total{schedule="nightly",status="missed",trigger="catch-up"} 1`,
		`steward_schedule_run_duration_seconds_sum{schedule="nightly"} 90`,
		`steward_database_up 1`,
		`steward_suggestions_pending 0`,
		`steward_imports_total{status="committed"} 1`,
		`steward_import_rows_total 120`,
		`steward_import_rejected_rows_total 7`,
		`steward_job_last_success_timestamp_seconds{job="standardize"}`,
		`steward_schedule_overdue{schedule="nightly"} 1`,
		`steward_schedule_paused{schedule="nightly"} 0`,
		`steward_schedule_paused{schedule="weekly"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "model_id") {
		t.Errorf("an id is reported as a count")
	}

	// A database that does not answer is reported, not a failed scrape.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if body, _ := io.ReadAll(rec.Body); rec.Code != 200 || !strings.Contains(string(body), "steward_database_up 0") {
		t.Errorf("scrape with the database closed: %d %s", rec.Code, body)
	}
}
