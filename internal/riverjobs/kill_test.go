package riverjobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/schedule"
	"github.com/steward-crm/steward/internal/store/postgres"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// Environment of the instance that TestKilledInstance starts from this
// test binary and kills.
const (
	helperDSN   = "RIVERJOBS_HELPER_DSN"
	helperAt    = "RIVERJOBS_HELPER_AT"    // the one time the schedule fires, RFC 3339
	helperShare = "RIVERJOBS_HELPER_SHARE" // set: hold in a share, not in a job
)

func TestMain(m *testing.M) {
	if dsn := os.Getenv(helperDSN); dsn != "" {
		instance := killableInstance
		if os.Getenv(helperShare) != "" {
			instance = killableSharer
		}
		os.Exit(serveKillable(dsn, instance))
	}
	os.Exit(m.Run())
}

// serveKillable serves dsn as the instance to kill that instance makes
// (its schedule fires once, at RIVERJOBS_HELPER_AT) until it is killed.
func serveKillable(dsn string, instance func(st *postgres.Store, at time.Time, logger *slog.Logger) Config) int {
	at, err := time.Parse(time.RFC3339Nano, os.Getenv(helperAt))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("instance", "doomed")
	cfg := instance(st, at, logger)
	cfg.Pool, cfg.RescueAfter, cfg.Logger = st.Pool(), killRescue, logger
	if err := Serve(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// onceSpec fires at one time a day: at, then a day later, and so on.
type onceSpec struct{ at time.Time }

func (s onceSpec) Next(t time.Time) time.Time {
	n := s.at
	for !n.After(t) {
		n = n.Add(24 * time.Hour)
	}
	return n
}

// killTimings make a dead instance found in seconds, not minutes.
const (
	killStale  = 2 * time.Second
	killBeat   = 300 * time.Millisecond
	killRescue = 3 * time.Second
)

func killSchedule(at time.Time) []schedule.Schedule {
	return []schedule.Schedule{{Name: "nightly", Spec: onceSpec{at}, Jobs: []string{"standardize", "dedupe"}, CatchUp: time.Hour}}
}

// killableInstance serves the schedule: it finishes standardize, prints
// "holding" in dedupe and waits there to be killed.
func killableInstance(st *postgres.Store, at time.Time, logger *slog.Logger) Config {
	run := func(ctx context.Context, s schedule.Schedule, done func(steward.ScheduleJob)) error {
		for _, j := range s.Jobs {
			if j == "dedupe" {
				time.Sleep(3 * killBeat) // a heartbeat stores standardize's end
				fmt.Println("holding")
				<-ctx.Done()
				return ctx.Err()
			}
			done(steward.ScheduleJob{Job: j, RunID: 1, Status: steward.JobSucceeded})
		}
		return nil
	}
	e := &schedule.Engine{Store: st, Schedules: killSchedule(at), Run: run, Instance: "doomed", StaleAfter: killStale, Heartbeat: killBeat, Logger: logger}
	return Config{Engine: e}
}

// TestKilledInstance kills -9 the instance running a scheduled time in
// the middle of its jobs: River hands the time to another instance, which
// takes the run over and runs the jobs the dead one had not finished; the
// run ends succeeded, recorded once.
func TestKilledInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River to elect a new leader and rescue the job (~20 s)")
	}
	dsn := storetest.PostgresDSN(t)
	// River's leader starts its periodic enqueuer a few seconds after it is
	// elected; the time comes after that.
	at := time.Now().Add(6 * time.Second).Truncate(time.Second)
	killWhenHolding(t, dsn, at)

	var mu sync.Mutex
	var ran [][]string
	run := func(ctx context.Context, s schedule.Schedule, done func(steward.ScheduleJob)) error {
		mu.Lock()
		ran = append(ran, slices.Clone(s.Jobs))
		mu.Unlock()
		for _, j := range s.Jobs {
			done(steward.ScheduleJob{Job: j, RunID: 2, Status: steward.JobSucceeded})
		}
		return nil
	}
	st, err := postgres.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logger := testLogger("survivor")
	e := &schedule.Engine{Store: st, Schedules: killSchedule(at), Run: run, Instance: "survivor", StaleAfter: killStale, Heartbeat: killBeat, Logger: logger}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, Config{Pool: st.Pool(), Engine: e, RescueAfter: killRescue, Logger: logger})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("survivor stopped: %v", err)
		}
	}()

	runs := waitEnded(t, st, "nightly", 60*time.Second)
	if len(runs) != 1 {
		t.Fatalf("runs = %+v, want the one time once", runs)
	}
	r := runs[0]
	if r.Status != steward.ScheduleSucceeded || r.Instance != "survivor" || !r.ScheduledAt.Equal(at) {
		t.Fatalf("run = %+v, want succeeded by the survivor at %s", r, at)
	}
	var jobs []string
	for _, j := range r.Jobs {
		jobs = append(jobs, fmt.Sprintf("%s:%d", j.Job, j.RunID))
	}
	if want := []string{"standardize:1", "dedupe:2"}; !slices.Equal(jobs, want) {
		t.Errorf("run's jobs = %v, want %v (standardize by the dead instance, dedupe by the survivor)", jobs, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ran) != 1 || !slices.Equal(ran[0], []string{"dedupe"}) {
		t.Errorf("the survivor ran %v, want only [dedupe]", ran)
	}
}
