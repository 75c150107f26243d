package schedule

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// jobsRecorder is a JobFunc that records the jobs it was given.
type jobsRecorder struct{ got [][]string }

func (r *jobsRecorder) run(ctx context.Context, s Schedule, done func(steward.ScheduleJob)) error {
	r.got = append(r.got, slices.Clone(s.Jobs))
	for _, j := range s.Jobs {
		done(steward.ScheduleJob{Job: j, RunID: 1, Status: steward.JobSucceeded})
	}
	return nil
}

// TestRunAt drives the engine as River's worker does: a time on time
// runs in the caller, a late one is recorded as missed, a time a live
// instance holds is left to it, and a dead instance's run is taken over
// with only the jobs it had not finished.
func TestRunAt(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	now := utc("2026-03-08T02:00:10Z")
	clock := newFakeClock(now)
	rec := &jobsRecorder{}
	e := &Engine{Store: st, Clock: clock, Instance: "b:2", Run: rec.run, StaleAfter: time.Minute, Heartbeat: time.Hour,
		Schedules: []Schedule{{Name: "nightly", Spec: spec(t, "0 2 * * *"), Jobs: []string{"standardize", "verify-emails", "dedupe"}, CatchUp: 0}}}

	run, err := e.RunAt(ctx, "nightly", utc("2026-03-08T02:00:00Z"), steward.TriggerSchedule)
	if err != nil || run == nil || run.Status != steward.ScheduleSucceeded || len(run.Jobs) != 3 {
		t.Fatalf("on time: %+v, %v; want succeeded with 3 jobs", run, err)
	}
	// Run again (River retrying a job that ended): nothing happens.
	if again, err := e.RunAt(ctx, "nightly", utc("2026-03-08T02:00:00Z"), steward.TriggerSchedule); err != nil || again != nil || len(rec.got) != 1 {
		t.Errorf("the same time again: %+v, %v, jobs ran %d times; want nothing", again, err, len(rec.got))
	}

	// Two hours late, beyond the minute of grace: missed.
	clock.Set(utc("2026-03-09T04:00:00Z"))
	late, err := e.RunAt(ctx, "nightly", utc("2026-03-09T02:00:00Z"), steward.TriggerSchedule)
	if err != nil || late == nil || late.Status != steward.ScheduleMissed || len(rec.got) != 1 {
		t.Errorf("late: %+v, %v; want missed, not run", late, err)
	}

	// Another instance claimed 03-10 and finished standardize.
	at := utc("2026-03-10T02:00:00Z")
	clock.Set(at.Add(5 * time.Second))
	other := &steward.ScheduleRun{Schedule: "nightly", ScheduledAt: at, Trigger: steward.TriggerSchedule, Instance: "a:1", Status: steward.ScheduleRunning}
	if err := st.ClaimScheduleRun(ctx, other, at.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	other.Jobs = []steward.ScheduleJob{{Job: "standardize", RunID: 9, Status: steward.JobSucceeded}}
	if err := st.TouchScheduleRun(ctx, other); err != nil {
		t.Fatal(err)
	}
	// Alive (the store's heartbeat is the real time, newer than the fake
	// clock's staleBefore): left to it.
	if got, err := e.RunAt(ctx, "nightly", at, steward.TriggerSchedule); err != nil || got != nil || len(rec.got) != 1 {
		t.Errorf("a live instance's time: %+v, %v; want left alone", got, err)
	}
	// Dead: once its heartbeat is older than StaleAfter, taken over; only
	// the jobs after standardize run.
	clock.Set(time.Now().Add(2 * time.Minute))
	got, err := e.RunAt(ctx, "nightly", at, steward.TriggerSchedule)
	if err != nil || got == nil || got.Status != steward.ScheduleSucceeded || got.Instance != "b:2" || got.ID != other.ID {
		t.Fatalf("a dead instance's time: %+v, %v; want taken over and succeeded", got, err)
	}
	if want := []string{"verify-emails", "dedupe"}; len(rec.got) != 2 || !slices.Equal(rec.got[1], want) {
		t.Errorf("taken over, the jobs run were %v, want %v", rec.got, want)
	}
	if len(got.Jobs) != 3 {
		t.Errorf("taken-over run's jobs = %+v, want standardize (theirs) and the two run here", got.Jobs)
	}

	// A paused schedule lets the time pass.
	if err := st.PauseSchedule(ctx, steward.SchedulePause{Schedule: "nightly", PausedBy: "op"}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.RunAt(ctx, "nightly", clock.Now(), steward.TriggerSchedule); err != nil || got != nil || len(rec.got) != 2 {
		t.Errorf("paused: %+v, %v; want nothing run", got, err)
	}
	if _, err := e.RunAt(ctx, "weekly", clock.Now(), steward.TriggerSchedule); steward.ErrorCode(err) != steward.ENOTFOUND {
		t.Errorf("unknown schedule: %v, want ENOTFOUND", err)
	}
}
