package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/riverjobs"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/store/sqlite"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// lockedBuffer is a buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs steward serve with args in the background and returns
// the API's base URL, a stop that ends it as SIGTERM would and returns
// its exit code, and what it wrote to stderr after its address.
func startServe(t *testing.T, env *Env, args ...string) (base string, stop func() int, stderr *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	env.Stderr = pw
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, env, append([]string{"serve", "--addr", "127.0.0.1:0", "--index-cache", "off"}, args...))
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	for lines.Scan() {
		if l := lines.Text(); strings.HasPrefix(l, "steward serving ") {
			base = strings.Fields(l)[2]
			break
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("serve printed no address (exit %v)", <-done)
	}
	stderr = &lockedBuffer{}
	go io.Copy(stderr, pr)
	stopped := false
	var code int
	stop = func() int {
		if stopped {
			return code
		}
		stopped = true
		cancel()
		select {
		case code = <-done:
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop")
		}
		return code
	}
	t.Cleanup(func() { stop() })
	return base, stop, stderr
}

// TestServeRunsSchedule serves the demo database with a schedule every
// second: serve runs its job when its time comes, recorded as a
// scheduled run with the job's run and counts.
func TestServeRunsSchedule(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	if code, out, errs := runMain(t, "demo", "--n", "100", "--db", db); code != exitOK {
		t.Fatalf("demo exit %d\n%s\n%s", code, out, errs)
	}
	rulesFile := writeRules(t, "rules.yaml", "schedules:\n  quick:\n    cron: \"@every 1s\"\n    jobs: [standardize]\n")
	env, _, _ := storeCmdEnv(db)
	base, stop, logs := startServe(t, env, "--db", db, "--rules", rulesFile, "--log-format", "json")

	st, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(10 * time.Second)
	var done *steward.ScheduleRun
	for done == nil && time.Now().Before(deadline) {
		runs, err := st.ScheduleRuns(context.Background(), steward.ScheduleRunFilter{Schedule: "quick"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Status == steward.ScheduleSucceeded {
				done = r
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if done == nil {
		t.Fatal("no run of the schedule succeeded within 10s")
	}
	if done.Trigger != steward.TriggerSchedule || len(done.Jobs) != 1 || done.Jobs[0].Job != steward.JobStandardize || done.Jobs[0].RunID == 0 {
		t.Errorf("run = %+v", done)
	}
	job, err := st.JobRun(context.Background(), done.Jobs[0].RunID)
	if err != nil || job.Job != steward.JobStandardize || job.Status != steward.JobSucceeded {
		t.Errorf("its job run = %+v, %v", job, err)
	}
	// /metrics counts the runs, without a token.
	res, err := http.Get(strings.TrimSuffix(base, "/api/v1") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`steward_schedule_runs_total{schedule="quick",status="succeeded",trigger="schedule"}`,
		`steward_job_runs_total{job="standardize",status="succeeded"}`, `steward_job_rows_total{count="customers",job="standardize"}`,
		`steward_suggestions_pending`, `steward_job_last_success_timestamp_seconds{job="standardize"}`,
		`steward_schedule_overdue{schedule="quick"} 0`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics (%d) lacks %s", res.StatusCode, want)
		}
	}
	if code := stop(); code != exitOK {
		t.Errorf("serve exited %d", code)
	}
	// --log-format json: every log line is a JSON object.
	var started bool
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if strings.HasPrefix(l, "steward stopped") {
			continue
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", l)
			continue
		}
		started = started || rec["msg"] == "schedule run started"
	}
	if !started {
		t.Errorf("no JSON log of a schedule run starting:\n%s", logs.String())
	}
	// After serve stopped, nothing is left running.
	runs, err := st.ScheduleRuns(context.Background(), steward.ScheduleRunFilter{Schedule: "quick"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.Status == steward.ScheduleRunning {
			t.Errorf("run %d still running after serve stopped", r.ID)
		}
	}
}

// TestServeInstancesOnPostgres serves one PostgreSQL database from three
// instances with a schedule every second, through River (serve's default
// on PostgreSQL): every scheduled time is recorded once, by one instance,
// without gaps, and the job ran once per time that ran.
func TestServeInstancesOnPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	rulesFile := writeRules(t, "rules.yaml", "schedules:\n  quick:\n    cron: \"@every 1s\"\n    jobs: [standardize]\n")
	var stops []func() int
	for i := range 3 {
		env, _, _ := storeCmdEnv(dsn)
		getenv := env.Getenv
		env.Getenv = func(k string) string {
			if k == "STEWARD_INSTANCE" {
				return fmt.Sprintf("instance-%d", i)
			}
			return getenv(k)
		}
		_, stop, _ := startServe(t, env, "--db", dsn, "--rules", rulesFile)
		stops = append(stops, stop)
	}
	st, err := store.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	// River elects a leader, which enqueues the times: wait for a few.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if runs, err := st.ScheduleRuns(ctx, steward.ScheduleRunFilter{Schedule: "quick"}); err == nil && len(runs) >= 4 {
			break
		}
	}
	for i, stop := range stops {
		if code := stop(); code != exitOK {
			t.Errorf("instance %d exited %d", i, code)
		}
	}
	runs, err := st.ScheduleRuns(ctx, steward.ScheduleRunFilter{Schedule: "quick"})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 4 {
		t.Fatalf("%d schedule runs in 20 s of @every 1s", len(runs))
	}
	// A time that was running when the instances stopped fails, saying so;
	// only the last times can have been running (runs come newest first).
	succeeded, instances := storetest.CheckTimesOnce(t, runs, time.Second, true)
	for i, r := range runs {
		if r.Status == steward.ScheduleFailed && (i >= len(stops) || !strings.Contains(r.Error, "shut down")) {
			t.Errorf("run %d of %d at %s failed: %s", i+1, len(runs), r.ScheduledAt, r.Error)
		}
	}
	jobRuns, err := st.JobRuns(ctx, steward.JobRunFilter{Job: steward.JobStandardize})
	if err != nil {
		t.Fatal(err)
	}
	jobsSucceeded := 0
	for _, j := range jobRuns {
		switch j.Status {
		case steward.JobSucceeded:
			jobsSucceeded++
		case steward.JobRunning:
			t.Errorf("standardize run %d still running after every instance stopped", j.ID)
		}
	}
	if jobsSucceeded != succeeded {
		t.Errorf("%d succeeded standardize runs for %d succeeded schedule runs", jobsSucceeded, succeeded)
	}
	t.Logf("%d times, %d succeeded, by instance %v", len(runs), succeeded, instances)

	// jobs queue shows River's job of every time that ran, completed,
	// with the instance that took it.
	code, out, errs := cliRun(t, dsn, "", "jobs", "queue", "--json", "--limit", "1000", "--db", dsn, "--rules", rulesFile)
	var queue struct{ Jobs []riverjobs.QueuedJob }
	if err := json.Unmarshal([]byte(out), &queue); code != exitOK || err != nil {
		t.Fatalf("jobs queue: exit %d, %v\n%s\n%s", code, err, out, errs)
	}
	completed := 0
	for _, q := range queue.Jobs {
		if q.Kind != "schedule" || q.Schedule != "quick" {
			t.Errorf("queued job %+v, want only quick's times", q)
		}
		if q.State == "completed" {
			completed++
			if len(q.AttemptedBy) == 0 || !strings.HasPrefix(q.AttemptedBy[len(q.AttemptedBy)-1], "instance-") {
				t.Errorf("completed job %d attempted by %v", q.ID, q.AttemptedBy)
			}
		}
	}
	if completed < succeeded {
		t.Errorf("%d completed River jobs for %d succeeded times:\n%s", completed, succeeded, out)
	}
	if code, out, _ := cliRun(t, dsn, "", "jobs", "queue", "--open", "--db", dsn, "--rules", rulesFile); code != exitOK || strings.Contains(out, "completed") {
		t.Errorf("jobs queue --open: exit %d\n%s", code, out)
	}
}
