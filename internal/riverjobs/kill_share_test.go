package riverjobs

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/schedule"
	"github.com/steward-crm/steward/internal/store/postgres"
)

// Timings of the share test: a share whose instance died is rescued by
// River once its timeout has passed.
const (
	killShareWidth   = 30
	killShareTimeout = 3 * time.Second
)

func killShareSchedule(at time.Time) []schedule.Schedule {
	return []schedule.Schedule{{Name: "nightly", Spec: onceSpec{at}, Jobs: []string{"standardize"}, CatchUp: time.Hour}}
}

// sharingInstance makes the engine and Sharing of one instance; hold,
// when set, is the Progress of the share of the first ids.
func sharingInstance(st *postgres.Store, name string, at time.Time, logger *slog.Logger, hold func(int64)) (*schedule.Engine, *Sharing) {
	runner := &jobs.Runner{Store: st, StaleAfter: killStale, Heartbeat: killBeat, Logger: logger}
	sharing := &Sharing{Runner: runner, Width: killShareWidth, Timeout: killShareTimeout,
		Build: func(context.Context, string) (jobs.Job, error) {
			j := standardizeJob()
			j.Progress = hold
			return j, nil
		}}
	if hold != nil {
		sharing.Build = func(context.Context, string) (jobs.Job, error) { return holdFirst{standardizeJob(), hold}, nil }
	}
	e := &schedule.Engine{Store: st, Schedules: killShareSchedule(at), Run: shareRun(runner, sharing), Instance: name,
		StaleAfter: killStale, Heartbeat: killBeat, Logger: logger}
	return e, sharing
}

// holdFirst is standardize whose share of the first ids calls hold after
// each page (the page committed with its checkpoint).
type holdFirst struct {
	*jobs.Standardize
	hold func(int64)
}

func (h holdFirst) WithRange(r jobs.IDRange) jobs.Job {
	j := h.Standardize.WithRange(r).(*jobs.Standardize)
	if r.From == 1 {
		j.Progress = h.hold
	}
	return j
}

// killableSharer serves the share schedule and, in the share of the first
// ids, prints "holding" after its first page and waits to be killed.
func killableSharer(st *postgres.Store, at time.Time, logger *slog.Logger) Config {
	hold := func(done int64) {
		fmt.Println("holding")
		select {}
	}
	e, sharing := sharingInstance(st, "doomed", at, logger, hold)
	return Config{Engine: e, Sharing: sharing}
}

// TestKilledShare kills -9 the instance in the middle of a share (and of
// the schedule run waiting for its shares): another instance takes the
// run over, River hands it the share once the share's timeout has passed,
// the share resumes from its checkpoint, and the customers end exactly as
// an undisturbed whole run leaves them.
func TestKilledShare(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River to elect a new leader and rescue the share (~25 s)")
	}
	ctx := context.Background()
	tw, dsn := newTwins(t, 120)
	st := tw.st
	at := time.Now().Add(6 * time.Second).Truncate(time.Second)
	killWhenHolding(t, dsn, at, helperShare+"=1")
	dead, err := st.LastJobRun(ctx, jobs.ShareName("standardize", jobs.IDRange{From: 1, Through: killShareWidth}))
	if err != nil || dead.Status != steward.JobRunning || dead.Checkpoint == "" {
		t.Fatalf("the killed share's run = %+v, %v; want running with a checkpoint", dead, err)
	}

	logger := testLogger("survivor")
	e, sharing := sharingInstance(st, "survivor", at, logger, nil)
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Serve(sctx, Config{Pool: st.Pool(), Engine: e, Sharing: sharing, RescueAfter: killRescue, Logger: logger})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("survivor: %v", err)
		}
	}()
	runs := waitEnded(t, st, "nightly", 60*time.Second)
	if len(runs) != 1 || runs[0].Status != steward.ScheduleSucceeded || runs[0].Instance != "survivor" {
		t.Fatalf("runs = %+v, want one, succeeded, taken over by the survivor", runs)
	}
	resumed, err := st.LastJobRun(ctx, jobs.ShareName("standardize", jobs.IDRange{From: 1, Through: killShareWidth}))
	if err != nil || resumed.Status != steward.JobSucceeded || resumed.ID == dead.ID || resumed.Counts["customers"] >= killShareWidth {
		t.Errorf("the share after the kill = %+v, %v; want succeeded, resumed after its checkpoint %s", resumed, err, dead.Checkpoint)
	}
	tw.same(t, "after the kill")
}
