package storetest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func testJobRunLifecycle(t *testing.T, s steward.Store) {
	ctx := context.Background()
	run, err := s.StartJobRun(ctx, "verify-emails")
	must(t, err)
	if run.ID == 0 || run.Status != steward.JobRunning || run.StartedAt.IsZero() || !run.FinishedAt.IsZero() {
		t.Fatalf("started run = %+v", run)
	}
	counts := map[string]int64{"checked": 1000, "invalid": 7}
	must(t, s.SaveCheckpoint(ctx, run.ID, "customer:1000", counts))
	got, err := s.JobRun(ctx, run.ID)
	must(t, err)
	if got.Checkpoint != "customer:1000" || !reflect.DeepEqual(got.Counts, counts) || got.Status != steward.JobRunning ||
		got.HeartbeatAt.Before(run.HeartbeatAt) {
		t.Errorf("after checkpoint: %+v", got)
	}
	last, err := s.LastJobRun(ctx, "verify-emails")
	must(t, err)
	if last.ID != run.ID {
		t.Errorf("last run %d, want %d", last.ID, run.ID)
	}
	wantCode(t, s.SaveCheckpoint(ctx, 424242, "x", nil), steward.ENOTFOUND)

	run.Status, run.Checkpoint, run.Counts = steward.JobSucceeded, "done", map[string]int64{"checked": 2000}
	must(t, s.FinishJobRun(ctx, run))
	got, err = s.JobRun(ctx, run.ID)
	must(t, err)
	if got.Status != steward.JobSucceeded || got.FinishedAt.IsZero() || !got.FinishedAt.Equal(run.FinishedAt) ||
		got.Checkpoint != "done" || got.Counts["checked"] != 2000 || got.Error != "" {
		t.Errorf("finished run = %+v", got)
	}
	wantCode(t, s.SaveCheckpoint(ctx, run.ID, "late", nil), steward.ECONFLICT)
	wantCode(t, s.FinishJobRun(ctx, run), steward.ECONFLICT)

	next, err := s.StartJobRun(ctx, "verify-emails")
	must(t, err)
	next.Status, next.Error = steward.JobFailed, "resolver down"
	must(t, s.FinishJobRun(ctx, next))
	last, err = s.LastJobRun(ctx, "verify-emails")
	must(t, err)
	if last.ID != next.ID || last.Status != steward.JobFailed || last.Error != "resolver down" {
		t.Errorf("last run = %+v", last)
	}
	bad := &steward.JobRun{ID: next.ID, Status: steward.JobRunning}
	wantCode(t, s.FinishJobRun(ctx, bad), steward.EINVALID)
	_, err = s.StartJobRun(ctx, "")
	wantCode(t, err, steward.EINVALID)
}

func testJobRunOverlap(t *testing.T, s steward.Store) {
	ctx := context.Background()
	first, err := s.StartJobRun(ctx, "dedupe")
	must(t, err)
	_, err = s.StartJobRun(ctx, "dedupe")
	wantCode(t, err, steward.ECONFLICT)
	_, err = s.StartJobRun(ctx, "standardize")
	must(t, err)
	first.Status = steward.JobSucceeded
	must(t, s.FinishJobRun(ctx, first))

	// Racing starters: exactly one wins.
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.StartJobRun(ctx, "dedupe")
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch steward.ErrorCode(err) {
		case "":
			won++
		case steward.ECONFLICT:
		default:
			t.Errorf("racing start: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d racing starts won, want exactly 1", won)
	}
}

func testJobRunAbandon(t *testing.T, s steward.Store) {
	ctx := context.Background()
	_, err := s.AbandonJobRun(ctx, "nightly", time.Now())
	wantCode(t, err, steward.ENOTFOUND)
	crashed, err := s.StartJobRun(ctx, "nightly")
	must(t, err)
	must(t, s.SaveCheckpoint(ctx, crashed.ID, "after:500", map[string]int64{"done": 500}))

	// The run is fresh: nobody may take it over.
	_, err = s.AbandonJobRun(ctx, "nightly", time.Now().Add(-time.Hour))
	wantCode(t, err, steward.ECONFLICT)

	// Later the process is known dead (heartbeat older than the limit).
	old, err := s.AbandonJobRun(ctx, "nightly", time.Now().Add(time.Second))
	must(t, err)
	if old.ID != crashed.ID || old.Status != steward.JobFailed || old.Checkpoint != "after:500" || old.Error == "" || old.Counts["done"] != 500 {
		t.Errorf("abandoned run = %+v", old)
	}
	resumed, err := s.StartJobRun(ctx, "nightly")
	must(t, err)
	last, err := s.LastJobRun(ctx, "nightly")
	must(t, err)
	if last.ID != resumed.ID {
		t.Errorf("last run %d, want the resumed %d", last.ID, resumed.ID)
	}
	// The crashed process, should it wake up, finds it lost the run.
	wantCode(t, s.SaveCheckpoint(ctx, crashed.ID, "after:600", nil), steward.ECONFLICT)
	got, err := s.JobRun(ctx, crashed.ID)
	must(t, err)
	if got.Status != steward.JobFailed || got.Checkpoint != "after:500" {
		t.Errorf("crashed run after takeover: %+v", got)
	}
}

func testJobRunWarnings(t *testing.T, s steward.Store) {
	ctx := context.Background()
	run, err := s.StartJobRun(ctx, "snapshot")
	must(t, err)
	run.Status = steward.JobWarning
	if err := s.FinishJobRun(ctx, run); steward.ErrorCode(err) != steward.EINVALID {
		t.Errorf("a warning without warnings: %v, want EINVALID", err)
	}
	run.Warnings = []string{"email validity of source shop is 91.0%, below 95%", "۱۲۰۰ suggestions older than 7 days"}
	must(t, s.FinishJobRun(ctx, run))
	got, err := s.LastJobRun(ctx, "snapshot")
	must(t, err)
	if got.Status != steward.JobWarning || !reflect.DeepEqual(got.Warnings, run.Warnings) {
		t.Errorf("stored run %+v, want status warning with its warnings", got)
	}
	// A warning is a success: the next run starts afresh.
	next, err := s.StartJobRun(ctx, "snapshot")
	must(t, err)
	next.Status = steward.JobSucceeded
	must(t, s.FinishJobRun(ctx, next))
	if got, _ := s.LastJobRun(ctx, "snapshot"); got.Status != steward.JobSucceeded || got.Warnings != nil {
		t.Errorf("a run without warnings: %+v", got)
	}
}
