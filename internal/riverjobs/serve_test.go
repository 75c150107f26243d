package riverjobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/schedule"
	"github.com/steward-crm/steward/internal/store/postgres"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// instance is one "steward serve" of the tests: its own pool on the
// shared schema, its engine and its River client.
type instance struct {
	store  *postgres.Store
	engine *schedule.Engine
	stop   context.CancelFunc
	done   chan error
}

func startInstance(t *testing.T, dsn, name string, schedules []schedule.Schedule, run schedule.JobFunc) *instance {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logger := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("instance", name)
	}
	e := &schedule.Engine{Store: st, Schedules: schedules, Run: run, Logger: logger, Instance: name,
		StaleAfter: 3 * time.Second, Heartbeat: 500 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{store: st, engine: e, stop: cancel, done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		in.done <- Serve(ctx, Config{Pool: st.Pool(), Engine: e, Logger: logger, Ready: func() { close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-in.done:
		t.Fatalf("instance %s: %v", name, err)
	}
	return in
}

func (in *instance) close(t *testing.T) {
	t.Helper()
	in.stop()
	if err := <-in.done; err != nil {
		t.Errorf("instance %s stopped: %v", in.engine.Instance, err)
	}
}

// counter counts the times each scheduled time's jobs ran.
type counter struct {
	mu  sync.Mutex
	ran map[string]int
}

func (c *counter) run(ctx context.Context, s schedule.Schedule, done func(steward.ScheduleJob)) error {
	c.mu.Lock()
	c.ran[s.Name]++
	c.mu.Unlock()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(200 * time.Millisecond):
	}
	done(steward.ScheduleJob{Job: "noop", Status: steward.JobSucceeded})
	return nil
}

func everySecond(t *testing.T) cron.Schedule {
	t.Helper()
	s, err := cron.ParseStandard("@every 1s")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestInstancesRunEachTimeOnce serves one schedule every second from three
// instances on one PostgreSQL schema: River's leader enqueues each time,
// one worker somewhere runs it, and the run rows show each time once and
// no second without its run.
func TestInstancesRunEachTimeOnce(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	c := &counter{ran: map[string]int{}}
	schedules := []schedule.Schedule{{Name: "quick", Cron: "@every 1s", Spec: everySecond(t), Jobs: []string{"noop"}}}
	var ins []*instance
	for i := range 3 {
		ins = append(ins, startInstance(t, dsn, fmt.Sprintf("instance-%d", i), schedules, c.run))
	}
	// River elects a leader, which starts enqueuing a few seconds later
	// (longer on a loaded machine): wait for a few times to have run.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if runs, err := ins[0].store.ScheduleRuns(context.Background(), steward.ScheduleRunFilter{Schedule: "quick"}); err == nil && len(runs) >= 4 {
			break
		}
	}
	for _, in := range ins {
		in.close(t)
	}
	runs, err := ins[0].store.ScheduleRuns(context.Background(), steward.ScheduleRunFilter{Schedule: "quick"})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) < 4 {
		t.Fatalf("%d runs in 30 s of a schedule every second", len(runs))
	}
	succeeded, by := storetest.CheckTimesOnce(t, runs, time.Second, true)
	if c.ran["quick"] != len(runs)-countStatus(runs, steward.ScheduleSkipped) {
		t.Errorf("jobs ran %d times for %d runs that were not skipped", c.ran["quick"], len(runs)-countStatus(runs, steward.ScheduleSkipped))
	}
	t.Logf("%d times, %d succeeded, by instance %v", len(runs), succeeded, by)
}

func countStatus(runs []*steward.ScheduleRun, s steward.ScheduleRunStatus) int {
	n := 0
	for _, r := range runs {
		if r.Status == s {
			n++
		}
	}
	return n
}
