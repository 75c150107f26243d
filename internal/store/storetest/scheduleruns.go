package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func testScheduleRuns(t *testing.T, s steward.Store) {
	ctx := context.Background()
	at := time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC)
	run := &steward.ScheduleRun{Schedule: "nightly", ScheduledAt: at, Trigger: steward.TriggerSchedule,
		Instance: "a:1", Status: steward.ScheduleRunning}
	must(t, s.ClaimScheduleRun(ctx, run, at.Add(-time.Hour)))
	if run.ID == 0 || run.Status != steward.ScheduleRunning || run.StartedAt.IsZero() || run.HeartbeatAt.IsZero() {
		t.Fatalf("claimed run = %+v", run)
	}

	// The same time again, from another instance: already claimed.
	again := &steward.ScheduleRun{Schedule: "nightly", ScheduledAt: at, Trigger: steward.TriggerCatchUp,
		Instance: "b:2", Status: steward.ScheduleRunning}
	wantCode(t, s.ClaimScheduleRun(ctx, again, at.Add(-time.Hour)), steward.ECONFLICT)

	// A later time while the first runs: recorded as skipped.
	later := &steward.ScheduleRun{Schedule: "nightly", ScheduledAt: at.Add(time.Minute), Trigger: steward.TriggerSchedule,
		Instance: "b:2", Status: steward.ScheduleRunning}
	must(t, s.ClaimScheduleRun(ctx, later, at.Add(-time.Hour)))
	if later.Status != steward.ScheduleSkipped || later.ID == 0 || later.FinishedAt.IsZero() {
		t.Errorf("overlapping claim = %+v, want skipped", later)
	}
	// Another schedule is not blocked.
	other := &steward.ScheduleRun{Schedule: "hourly", ScheduledAt: at, Trigger: steward.TriggerSchedule, Status: steward.ScheduleRunning}
	must(t, s.ClaimScheduleRun(ctx, other, at.Add(-time.Hour)))
	if other.Status != steward.ScheduleRunning {
		t.Errorf("other schedule's claim = %+v", other)
	}

	run.Jobs = []steward.ScheduleJob{{Job: "standardize", RunID: 7, Status: steward.JobSucceeded, Counts: map[string]int64{"changed": 3}}}
	must(t, s.TouchScheduleRun(ctx, run))
	run.Status = steward.ScheduleSucceeded
	must(t, s.FinishScheduleRun(ctx, run))
	got, err := s.ScheduleRun(ctx, run.ID)
	must(t, err)
	if got.Status != steward.ScheduleSucceeded || !got.ScheduledAt.Equal(at) || got.Instance != "a:1" ||
		got.Trigger != steward.TriggerSchedule || got.FinishedAt.IsZero() || len(got.Jobs) != 1 ||
		got.Jobs[0].Counts["changed"] != 3 || got.Jobs[0].RunID != 7 {
		t.Errorf("finished run = %+v", got)
	}
	wantCode(t, s.FinishScheduleRun(ctx, run), steward.ECONFLICT)
	wantCode(t, s.TouchScheduleRun(ctx, &steward.ScheduleRun{ID: 424242}), steward.ENOTFOUND)
	run.Status = steward.ScheduleSkipped
	wantCode(t, s.FinishScheduleRun(ctx, run), steward.EINVALID)
	wantCode(t, s.ClaimScheduleRun(ctx, &steward.ScheduleRun{Schedule: "x", ScheduledAt: at, Trigger: "cron", Status: steward.ScheduleRunning}, at), steward.EINVALID)

	// Manual runs do not move the schedule's clock; LastScheduleRun is the
	// latest scheduled time.
	manual := &steward.ScheduleRun{Schedule: "nightly", ScheduledAt: at.Add(time.Hour), Trigger: steward.TriggerManual, Status: steward.ScheduleRunning}
	must(t, s.ClaimScheduleRun(ctx, manual, at))
	if manual.Status != steward.ScheduleRunning {
		t.Fatalf("manual claim = %+v", manual)
	}
	manual.Status, manual.Error = steward.ScheduleFailed, "dedupe: boom"
	must(t, s.FinishScheduleRun(ctx, manual))
	last, err := s.LastScheduleRun(ctx, "nightly")
	must(t, err)
	if last.ID != later.ID {
		t.Errorf("last run = %d, want the skipped one %d", last.ID, later.ID)
	}
	ok, err := s.LastSucceededScheduleRun(ctx, "nightly")
	must(t, err)
	if ok.ID != run.ID {
		t.Errorf("last succeeded = %d, want %d", ok.ID, run.ID)
	}
	_, err = s.LastScheduleRun(ctx, "never")
	wantCode(t, err, steward.ENOTFOUND)
	_, err = s.ScheduleRun(ctx, 424242)
	wantCode(t, err, steward.ENOTFOUND)

	runs, err := s.ScheduleRuns(ctx, steward.ScheduleRunFilter{Schedule: "nightly"})
	must(t, err)
	if len(runs) != 3 || runs[0].ID != manual.ID || runs[0].Error != "dedupe: boom" || runs[2].ID != run.ID {
		t.Errorf("runs = %+v", runs)
	}
	runs, err = s.ScheduleRuns(ctx, steward.ScheduleRunFilter{Schedule: "nightly", ScheduledAt: at.Add(time.Minute)})
	must(t, err)
	if len(runs) != 1 || runs[0].ID != later.ID {
		t.Errorf("runs at a time = %+v", runs)
	}
	runs, err = s.ScheduleRuns(ctx, steward.ScheduleRunFilter{Limit: 1})
	must(t, err)
	if len(runs) != 1 {
		t.Errorf("limited runs = %d", len(runs))
	}

	// A missed time is recorded as such.
	missed := &steward.ScheduleRun{Schedule: "nightly", ScheduledAt: at.Add(-24 * time.Hour), Trigger: steward.TriggerSchedule, Status: steward.ScheduleMissed}
	must(t, s.ClaimScheduleRun(ctx, missed, at))
	if got, err := s.ScheduleRun(ctx, missed.ID); err != nil || got.Status != steward.ScheduleMissed || !got.StartedAt.IsZero() {
		t.Errorf("missed = %+v, %v", got, err)
	}
}

func testScheduleRunStale(t *testing.T, s steward.Store) {
	ctx := context.Background()
	at := time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC)
	dead := &steward.ScheduleRun{Schedule: "nightly", ScheduledAt: at, Trigger: steward.TriggerSchedule, Status: steward.ScheduleRunning}
	must(t, s.ClaimScheduleRun(ctx, dead, at))
	// Its heartbeat is older than a staleBefore in the future: taken over.
	next := &steward.ScheduleRun{Schedule: "nightly", ScheduledAt: at.Add(time.Hour), Trigger: steward.TriggerSchedule, Status: steward.ScheduleRunning}
	must(t, s.ClaimScheduleRun(ctx, next, time.Now().Add(time.Hour)))
	if next.Status != steward.ScheduleRunning {
		t.Fatalf("claim after a dead run = %+v, want running", next)
	}
	got, err := s.ScheduleRun(ctx, dead.ID)
	must(t, err)
	if got.Status != steward.ScheduleFailed || got.Error == "" || got.FinishedAt.IsZero() {
		t.Errorf("dead run = %+v, want failed as abandoned", got)
	}
}

// testScheduleRunTakeOver: a dead run (stale heartbeat) is taken over by
// another instance with its jobs so far; a live or ended run is not.
func testScheduleRunTakeOver(t *testing.T, s steward.Store) {
	ctx := context.Background()
	at := time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC)
	run := &steward.ScheduleRun{Schedule: "nightly", ScheduledAt: at, Trigger: steward.TriggerSchedule, Instance: "a:1", Status: steward.ScheduleRunning}
	must(t, s.ClaimScheduleRun(ctx, run, at))
	run.Jobs = []steward.ScheduleJob{{Job: "standardize", RunID: 7, Status: steward.JobSucceeded}}
	must(t, s.TouchScheduleRun(ctx, run))

	// Alive: its heartbeat is newer than staleBefore.
	alive := &steward.ScheduleRun{ID: run.ID, Instance: "b:2"}
	if err := s.TakeOverScheduleRun(ctx, alive, time.Now().Add(-time.Hour)); steward.ErrorCode(err) != steward.ECONFLICT {
		t.Errorf("take over a live run: %v, want ECONFLICT", err)
	}
	if got, err := s.ScheduleRun(ctx, run.ID); err != nil || got.Instance != "a:1" {
		t.Errorf("a refused take-over changed the run: %+v, %v", got, err)
	}

	taken := &steward.ScheduleRun{ID: run.ID, Instance: "b:2"}
	must(t, s.TakeOverScheduleRun(ctx, taken, time.Now().Add(time.Hour)))
	if taken.Instance != "b:2" || taken.Status != steward.ScheduleRunning || !taken.ScheduledAt.Equal(at) ||
		len(taken.Jobs) != 1 || taken.Jobs[0].Job != "standardize" || !taken.HeartbeatAt.After(run.HeartbeatAt.Add(-time.Second)) {
		t.Errorf("taken over = %+v, want b:2's, running, with its job so far", taken)
	}

	if running, err := s.ScheduleRuns(ctx, steward.ScheduleRunFilter{Status: steward.ScheduleRunning}); err != nil || len(running) != 1 || running[0].ID != run.ID {
		t.Errorf("running runs = %+v, %v; want the one taken over", running, err)
	}
	taken.Status = steward.ScheduleSucceeded
	must(t, s.FinishScheduleRun(ctx, taken))
	if err := s.TakeOverScheduleRun(ctx, &steward.ScheduleRun{ID: run.ID, Instance: "c:3"}, time.Now().Add(time.Hour)); steward.ErrorCode(err) != steward.ECONFLICT {
		t.Errorf("take over an ended run: %v, want ECONFLICT", err)
	}
	if running, err := s.ScheduleRuns(ctx, steward.ScheduleRunFilter{Status: steward.ScheduleRunning}); err != nil || len(running) != 0 {
		t.Errorf("running runs once it ended = %+v, %v; want none", running, err)
	}
	if err := s.TakeOverScheduleRun(ctx, &steward.ScheduleRun{ID: run.ID + 100, Instance: "c:3"}, time.Now()); steward.ErrorCode(err) != steward.ENOTFOUND {
		t.Errorf("take over no run: %v, want ENOTFOUND", err)
	}
}

// testScheduleClaimRace has many claimers race for the same scheduled
// times: each time is claimed exactly once.
func testScheduleClaimRace(t *testing.T, s steward.Store) {
	ctx := context.Background()
	at := time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC)
	const claimers, times = 6, 5
	var mu sync.Mutex
	won := map[time.Time]int{}
	var wg sync.WaitGroup
	for c := range claimers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range times {
				r := &steward.ScheduleRun{Schedule: "race", ScheduledAt: at.Add(time.Duration(i) * time.Minute),
					Trigger: steward.TriggerSchedule, Instance: string(rune('a' + c)), Status: steward.ScheduleRunning}
				err := s.ClaimScheduleRun(ctx, r, at)
				if steward.ErrorCode(err) == steward.ECONFLICT {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				won[r.ScheduledAt]++
				mu.Unlock()
				if r.Status == steward.ScheduleRunning {
					r.Status = steward.ScheduleSucceeded
					if err := s.FinishScheduleRun(ctx, r); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	for i := range times {
		if n := won[at.Add(time.Duration(i)*time.Minute)]; n != 1 {
			t.Errorf("time %d claimed %d times, want 1", i, n)
		}
	}
	runs, err := s.ScheduleRuns(ctx, steward.ScheduleRunFilter{Schedule: "race"})
	must(t, err)
	if len(runs) != times {
		t.Errorf("%d rows, want %d", len(runs), times)
	}
}

func testSchedulePauses(t *testing.T, s steward.Store) {
	ctx := context.Background()
	at := time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC)
	must(t, s.PauseSchedule(ctx, steward.SchedulePause{Schedule: "nightly", PausedAt: at, PausedBy: "ann"}))
	must(t, s.PauseSchedule(ctx, steward.SchedulePause{Schedule: "nightly", PausedBy: "bob"}))
	p, err := s.PausedSchedules(ctx)
	must(t, err)
	if len(p) != 1 || p["nightly"].PausedBy != "ann" || !p["nightly"].PausedAt.Equal(at) {
		t.Errorf("paused = %+v", p)
	}
	must(t, s.ResumeSchedule(ctx, "nightly"))
	wantCode(t, s.ResumeSchedule(ctx, "nightly"), steward.ENOTFOUND)
	p, err = s.PausedSchedules(ctx)
	must(t, err)
	if len(p) != 0 {
		t.Errorf("paused after resume = %+v", p)
	}
}
