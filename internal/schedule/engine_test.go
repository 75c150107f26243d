package schedule

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
)

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func spec(t *testing.T, expr string) cron.Schedule {
	t.Helper()
	s, err := parser.Parse(expr)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// newStore is the store the engine tests run on: SQLite, or PostgreSQL
// inside TestEngineOnPostgres (the tests do not run in parallel).
var newStore = func(t *testing.T) steward.Store { return storetest.SQLite(t) }

// TestEngineOnPostgres runs the engine tests on PostgreSQL too, when
// TEST_DATABASE_URL is set.
func TestEngineOnPostgres(t *testing.T) {
	storetest.PostgresURL(t)
	saved := newStore
	newStore = func(t *testing.T) steward.Store { return storetest.Postgres(t) }
	defer func() { newStore = saved }()
	for _, tt := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"RunsOnTime", TestEngineRunsOnTime}, {"CatchUp", TestEngineCatchUp}, {"MissedBeyondWindow", TestEngineMissedBeyondWindow},
		{"SkipsOverlap", TestEngineSkipsOverlap}, {"Paused", TestEnginePaused}, {"Statuses", TestStatuses},
		{"TakesOverDeadRun", TestEngineTakesOverDeadRun}, {"RunAt", TestRunAt},
	} {
		t.Run(tt.name, tt.fn)
	}
}

func TestTimes(t *testing.T) {
	tests := []struct {
		name     string
		expr     string
		from, to string
		want     []string
	}{
		{"daily at two", "0 2 * * *", "2026-03-06T12:00:00Z", "2026-03-08T12:00:00Z",
			[]string{"2026-03-07T02:00:00Z", "2026-03-08T02:00:00Z"}},
		{"descriptor", "@hourly", "2026-03-06T12:00:00Z", "2026-03-06T14:30:00Z",
			[]string{"2026-03-06T13:00:00Z", "2026-03-06T14:00:00Z"}},
		{"time zone", "CRON_TZ=Europe/Berlin 0 2 * * *", "2026-01-10T02:00:00Z", "2026-01-11T12:00:00Z",
			[]string{"2026-01-11T01:00:00Z"}},
		{"time zone in summer", "CRON_TZ=Europe/Berlin 0 2 * * *", "2026-07-10T00:00:00Z", "2026-07-11T12:00:00Z",
			[]string{"2026-07-11T00:00:00Z"}},
		// 2026-03-08 02:30 does not exist in New York (02:00 EST jumps to
		// 03:00 EDT): that night it runs at the jump, 03:00 EDT.
		{"DST gap runs at the jump", "CRON_TZ=America/New_York 30 2 * * *", "2026-03-06T12:00:00Z", "2026-03-09T12:00:00Z",
			[]string{"2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}},
		// 2026-11-01 01:30 happens twice in New York: it runs at the first.
		{"DST repeat runs once", "CRON_TZ=America/New_York 30 1 * * *", "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z",
			[]string{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}},
		// An hourly schedule runs in both 01:00 hours, and once at 03:00
		// on the night 02:00 does not exist.
		{"DST hourly repeat", "CRON_TZ=America/New_York 0 * * * *", "2026-11-01T04:30:00Z", "2026-11-01T07:30:00Z",
			[]string{"2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"}},
		{"DST hourly gap", "CRON_TZ=America/New_York 0 * * * *", "2026-03-08T05:30:00Z", "2026-03-08T08:30:00Z",
			[]string{"2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"}},
		{"DST Berlin gap", "CRON_TZ=Europe/Berlin 15 2 * * *", "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T00:15:00Z"}},
		// A schedule outside 01:00-03:00 local time is not moved by DST:
		// it keeps its local time, so its UTC time moves by an hour.
		{"DST keeps local time", "CRON_TZ=America/New_York 0 4 * * *", "2026-03-07T00:00:00Z", "2026-03-09T00:00:00Z",
			[]string{"2026-03-07T09:00:00Z", "2026-03-08T08:00:00Z"}},
		{"every", "@every 90s", "2026-03-06T12:00:00Z", "2026-03-06T12:04:00Z",
			[]string{"2026-03-06T12:01:30Z", "2026-03-06T12:03:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, x := range Times(DaylightSaving(spec(t, tt.expr)), utc(tt.from), utc(tt.to), 100) {
				got = append(got, x.UTC().Format(time.RFC3339))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("times = %v, want %v", got, tt.want)
			}
		})
	}
	// The limit keeps the latest.
	got := Times(spec(t, "@hourly"), utc("2026-03-06T00:00:00Z"), utc("2026-03-07T00:00:00Z"), 3)
	if len(got) != 3 || !got[2].Equal(utc("2026-03-07T00:00:00Z")) {
		t.Errorf("limited times = %v", got)
	}
}

// recorder is a JobFunc that counts its calls and can hold a run until
// released.
type recorder struct {
	mu    sync.Mutex
	calls int
	hold  chan struct{}
	fail  error
}

func (r *recorder) run(ctx context.Context, s Schedule, done func(steward.ScheduleJob)) error {
	r.mu.Lock()
	r.calls++
	hold, fail := r.hold, r.fail
	r.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, j := range s.Jobs {
		done(steward.ScheduleJob{Job: j, RunID: 1, Status: steward.JobSucceeded, Counts: map[string]int64{"changed": 2}})
	}
	return fail
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

type harness struct {
	t      *testing.T
	store  steward.Store
	clock  *fakeClock
	rec    *recorder
	engine *Engine
	cancel context.CancelFunc
	done   chan struct{}
}

func newHarness(t *testing.T, st steward.Store, now time.Time, schedules ...Schedule) *harness {
	h := &harness{t: t, store: st, clock: newFakeClock(now), rec: &recorder{}}
	h.engine = &Engine{Store: st, Schedules: schedules, Run: h.rec.run, Clock: h.clock, Instance: "test:1", Heartbeat: time.Hour}
	return h
}

func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan struct{})
	go func() {
		defer close(h.done)
		if err := h.engine.Serve(ctx); err != nil {
			h.t.Error(err)
		}
	}()
	h.t.Cleanup(h.stop)
	// The engine has read the clock and waits for its first times.
	h.clock.waitForWaiters(len(h.engine.Schedules))
}

func (h *harness) stop() {
	if h.cancel != nil {
		h.cancel()
		<-h.done
		h.cancel = nil
	}
}

// runs waits until the schedule's runs satisfy ok, and returns them,
// oldest first.
func (h *harness) runs(name string, ok func([]*steward.ScheduleRun) bool) []*steward.ScheduleRun {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runs, err := h.store.ScheduleRuns(context.Background(), steward.ScheduleRunFilter{Schedule: name})
		if err != nil {
			h.t.Fatal(err)
		}
		slices.Reverse(runs)
		if ok(runs) {
			return runs
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("schedule %s: runs not as expected after 5s: %s", name, describe(runs))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func describe(runs []*steward.ScheduleRun) string {
	s := ""
	for _, r := range runs {
		s += "\n  " + r.ScheduledAt.Format(time.RFC3339) + " " + string(r.Trigger) + " " + string(r.Status) + " " + r.Error
	}
	return s
}

// settled is true when no run is running and there are n runs.
func settled(n int) func([]*steward.ScheduleRun) bool {
	return func(runs []*steward.ScheduleRun) bool {
		if len(runs) != n {
			return false
		}
		for _, r := range runs {
			if r.Status == steward.ScheduleRunning {
				return false
			}
		}
		return true
	}
}

type want struct {
	at      string
	trigger steward.ScheduleTrigger
	status  steward.ScheduleRunStatus
}

func check(t *testing.T, runs []*steward.ScheduleRun, wants ...want) {
	t.Helper()
	if len(runs) != len(wants) {
		t.Fatalf("%d runs, want %d: %s", len(runs), len(wants), describe(runs))
	}
	for i, w := range wants {
		r := runs[i]
		if !r.ScheduledAt.Equal(utc(w.at)) || r.Trigger != w.trigger || r.Status != w.status {
			t.Errorf("run %d = %s %s %s, want %s %s %s", i, r.ScheduledAt.Format(time.RFC3339), r.Trigger, r.Status, w.at, w.trigger, w.status)
		}
	}
}

func TestEngineRunsOnTime(t *testing.T) {
	h := newHarness(t, newStore(t), utc("2026-03-06T10:00:30Z"),
		Schedule{Name: "often", Spec: spec(t, "*/5 * * * *"), Jobs: []string{"standardize", "dedupe"}, CatchUp: 6 * time.Hour})
	h.start()
	// Nothing ran before: no catch-up, nothing until 10:05.
	h.clock.Set(utc("2026-03-06T10:04:59Z"))
	time.Sleep(50 * time.Millisecond)
	if n := h.rec.count(); n != 0 {
		t.Fatalf("%d runs before the first time", n)
	}
	h.clock.Set(utc("2026-03-06T10:05:00Z"))
	runs := h.runs("often", settled(1))
	check(t, runs, want{"2026-03-06T10:05:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded})
	if r := runs[0]; r.Instance != "test:1" || len(r.Jobs) != 2 || r.Jobs[1].Job != "dedupe" || r.Jobs[1].Counts["changed"] != 2 {
		t.Errorf("run = %+v", r)
	}
	h.clock.Set(utc("2026-03-06T10:10:00Z"))
	runs = h.runs("often", settled(2))
	check(t, runs, want{"2026-03-06T10:05:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded},
		want{"2026-03-06T10:10:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded})
}

func TestEngineTimeZone(t *testing.T) {
	// 02:00 in Berlin is 01:00 UTC in winter.
	h := newHarness(t, newStore(t), utc("2026-01-10T23:00:00Z"),
		Schedule{Name: "nightly", Spec: spec(t, "CRON_TZ=Europe/Berlin 0 2 * * *"), Jobs: []string{"dedupe"}, CatchUp: 6 * time.Hour})
	h.start()
	h.clock.Set(utc("2026-01-11T00:59:00Z"))
	time.Sleep(50 * time.Millisecond)
	if n := h.rec.count(); n != 0 {
		t.Fatalf("ran %d times before 02:00 Berlin", n)
	}
	h.clock.Set(utc("2026-01-11T01:00:00Z"))
	check(t, h.runs("nightly", settled(1)), want{"2026-01-11T01:00:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded})
}

func TestEngineDSTJump(t *testing.T) {
	// A 03:30 New York schedule across the spring-forward night: it runs
	// at 03:30 local each day, which is 08:30 UTC before and 07:30 UTC
	// after the jump; the night of the jump is not lost.
	// A 02:30 one, a time that does not exist that night, runs at the
	// jump, 03:00 EDT.
	h := newHarness(t, newStore(t), utc("2026-03-07T12:00:00Z"),
		Schedule{Name: "nightly", Spec: DaylightSaving(spec(t, "CRON_TZ=America/New_York 30 3 * * *")), Jobs: []string{"dedupe"}, CatchUp: 6 * time.Hour},
		Schedule{Name: "early", Spec: DaylightSaving(spec(t, "CRON_TZ=America/New_York 30 2 * * *")), Jobs: []string{"dedupe"}, CatchUp: 6 * time.Hour})
	h.start()
	h.clock.Set(utc("2026-03-08T06:59:00Z"))
	time.Sleep(50 * time.Millisecond)
	if n := h.rec.count(); n != 0 {
		t.Fatalf("ran %d times before 03:00 EDT", n)
	}
	h.clock.Set(utc("2026-03-08T07:00:00Z"))
	check(t, h.runs("early", settled(1)), want{"2026-03-08T07:00:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded})
	h.clock.Set(utc("2026-03-08T07:29:00Z"))
	time.Sleep(50 * time.Millisecond)
	if n := h.rec.count(); n != 1 {
		t.Fatalf("ran %d times before 03:30 EDT, want 1", n)
	}
	h.clock.Set(utc("2026-03-08T07:30:00Z"))
	h.runs("nightly", settled(1))
	h.clock.Set(utc("2026-03-09T07:30:00Z"))
	check(t, h.runs("nightly", settled(2)),
		want{"2026-03-08T07:30:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded},
		want{"2026-03-09T07:30:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded})
}

// seed records a succeeded run of schedule at the time at, as a previous
// instance would have.
func seed(t *testing.T, st steward.Store, schedule string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	r := &steward.ScheduleRun{Schedule: schedule, ScheduledAt: at, Trigger: steward.TriggerSchedule, Status: steward.ScheduleRunning, Instance: "old:1"}
	if err := st.ClaimScheduleRun(ctx, r, at); err != nil {
		t.Fatal(err)
	}
	r.Status = steward.ScheduleSucceeded
	if err := st.FinishScheduleRun(ctx, r); err != nil {
		t.Fatal(err)
	}
}

func TestEngineCatchUp(t *testing.T) {
	st := newStore(t)
	seed(t, st, "hourly", utc("2026-03-06T02:00:00Z"))
	// Down from 02:00 until 05:20: 03:00 and 04:00 are missed, 05:00 is
	// caught up, once.
	h := newHarness(t, st, utc("2026-03-06T05:20:00Z"),
		Schedule{Name: "hourly", Spec: spec(t, "@hourly"), Jobs: []string{"dedupe"}, CatchUp: 6 * time.Hour})
	h.start()
	runs := h.runs("hourly", settled(4))
	check(t, runs,
		want{"2026-03-06T02:00:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded},
		want{"2026-03-06T03:00:00Z", steward.TriggerCatchUp, steward.ScheduleMissed},
		want{"2026-03-06T04:00:00Z", steward.TriggerCatchUp, steward.ScheduleMissed},
		want{"2026-03-06T05:00:00Z", steward.TriggerCatchUp, steward.ScheduleSucceeded})
	// A restart catches up nothing more.
	h.stop()
	h2 := newHarness(t, st, utc("2026-03-06T05:40:00Z"), h.engine.Schedules...)
	h2.start()
	time.Sleep(50 * time.Millisecond)
	h2.clock.Set(utc("2026-03-06T06:00:00Z"))
	h2.runs("hourly", settled(5))
	if n := h.rec.count() + h2.rec.count(); n != 2 {
		t.Errorf("jobs ran %d times, want 2 (the catch-up and 06:00)", n)
	}
}

func TestEngineMissedBeyondWindow(t *testing.T) {
	st := newStore(t)
	seed(t, st, "nightly", utc("2026-03-05T02:00:00Z"))
	// Up again at 09:00: the 02:00 run is seven hours late, beyond the
	// six-hour window.
	h := newHarness(t, st, utc("2026-03-06T09:00:00Z"),
		Schedule{Name: "nightly", Spec: spec(t, "0 2 * * *"), Jobs: []string{"dedupe"}, CatchUp: 6 * time.Hour})
	h.start()
	runs := h.runs("nightly", settled(2))
	check(t, runs,
		want{"2026-03-05T02:00:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded},
		want{"2026-03-06T02:00:00Z", steward.TriggerCatchUp, steward.ScheduleMissed})
	if h.rec.count() != 0 {
		t.Errorf("a run beyond the window ran")
	}
	if runs[1].Error == "" {
		t.Errorf("missed run says not why")
	}
}

func TestEngineSkipsOverlap(t *testing.T) {
	st := newStore(t)
	h := newHarness(t, st, utc("2026-03-06T10:00:30Z"),
		Schedule{Name: "often", Spec: spec(t, "*/5 * * * *"), Jobs: []string{"dedupe"}, CatchUp: 6 * time.Hour})
	h.rec.hold = make(chan struct{})
	h.start()
	h.clock.Set(utc("2026-03-06T10:05:00Z"))
	h.runs("often", func(r []*steward.ScheduleRun) bool { return len(r) == 1 && r[0].Status == steward.ScheduleRunning })
	// 10:10 comes while the 10:05 run still runs: skipped.
	h.clock.Set(utc("2026-03-06T10:10:00Z"))
	h.runs("often", func(r []*steward.ScheduleRun) bool { return len(r) == 2 })
	close(h.rec.hold)
	runs := h.runs("often", settled(2))
	check(t, runs,
		want{"2026-03-06T10:05:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded},
		want{"2026-03-06T10:10:00Z", steward.TriggerSchedule, steward.ScheduleSkipped})
	if n := h.rec.count(); n != 1 {
		t.Errorf("jobs ran %d times, want 1", n)
	}
}

func TestEngineFailedRun(t *testing.T) {
	h := newHarness(t, newStore(t), utc("2026-03-06T10:00:30Z"),
		Schedule{Name: "often", Spec: spec(t, "*/5 * * * *"), Jobs: []string{"dedupe"}})
	h.rec.fail = errors.New("dedupe: disk full")
	var ended []*steward.ScheduleRun
	var mu sync.Mutex
	h.engine.Ended = func(r *steward.ScheduleRun) { mu.Lock(); ended = append(ended, r); mu.Unlock() }
	h.start()
	h.clock.Set(utc("2026-03-06T10:05:00Z"))
	runs := h.runs("often", settled(1))
	if runs[0].Status != steward.ScheduleFailed || runs[0].Error != "dedupe: disk full" {
		t.Errorf("run = %+v", runs[0])
	}
	h.stop()
	if len(ended) != 1 || ended[0].Status != steward.ScheduleFailed {
		t.Errorf("ended = %v", ended)
	}
}

func TestEnginePaused(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	if err := st.PauseSchedule(ctx, steward.SchedulePause{Schedule: "often", PausedBy: "ann"}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st, utc("2026-03-06T10:00:30Z"),
		Schedule{Name: "often", Spec: spec(t, "*/5 * * * *"), Jobs: []string{"dedupe"}})
	h.start()
	h.clock.Set(utc("2026-03-06T10:05:00Z"))
	time.Sleep(100 * time.Millisecond)
	if runs, _ := st.ScheduleRuns(ctx, steward.ScheduleRunFilter{}); len(runs) != 0 || h.rec.count() != 0 {
		t.Fatalf("a paused schedule ran: %s", describe(runs))
	}
	if err := st.ResumeSchedule(ctx, "often"); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(utc("2026-03-06T10:10:00Z"))
	check(t, h.runs("often", settled(1)), want{"2026-03-06T10:10:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded})
}

func TestEngineManual(t *testing.T) {
	h := newHarness(t, newStore(t), utc("2026-03-06T10:00:30Z"),
		Schedule{Name: "nightly", Spec: spec(t, "0 2 * * *"), Jobs: []string{"dedupe"}})
	run, err := h.engine.Start(context.Background(), "nightly", h.clock.Now(), steward.TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	h.engine.Wait()
	if run.Status != steward.ScheduleRunning {
		t.Errorf("started = %+v", run)
	}
	got, err := h.store.ScheduleRun(context.Background(), run.ID)
	if err != nil || got.Status != steward.ScheduleSucceeded || got.Trigger != steward.TriggerManual {
		t.Errorf("manual run = %+v, %v", got, err)
	}
	_, err = h.engine.Start(context.Background(), "nighty", h.clock.Now(), steward.TriggerManual)
	if steward.ErrorCode(err) != steward.ENOTFOUND {
		t.Errorf("unknown schedule: %v", err)
	}
}

func TestOverdue(t *testing.T) {
	nightly := Schedule{Name: "nightly", Spec: spec(t, "0 2 * * *")}
	often := Schedule{Name: "often", Spec: spec(t, "@every 1m")}
	tests := []struct {
		name string
		s    Schedule
		last string
		now  string
		want bool
	}{
		{"nightly on time", nightly, "2026-03-05T02:00:00Z", "2026-03-06T01:00:00Z", false},
		{"nightly within the margin", nightly, "2026-03-05T02:00:00Z", "2026-03-06T02:59:00Z", false},
		{"nightly an hour late", nightly, "2026-03-05T02:00:00Z", "2026-03-06T03:01:00Z", true},
		{"every minute, two late", often, "2026-03-05T02:00:00Z", "2026-03-05T02:02:01Z", true},
		{"every minute, on time", often, "2026-03-05T02:00:00Z", "2026-03-05T02:01:30Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Overdue(tt.s, utc(tt.last), utc(tt.now)); got != tt.want {
				t.Errorf("overdue = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStatuses(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	seed(t, st, "nightly", utc("2026-03-04T02:00:00Z"))
	if err := st.PauseSchedule(ctx, steward.SchedulePause{Schedule: "weekly", PausedBy: "ann"}); err != nil {
		t.Fatal(err)
	}
	schedules := []Schedule{
		{Name: "nightly", Cron: "0 2 * * *", Spec: spec(t, "0 2 * * *"), Jobs: []string{"dedupe"}},
		{Name: "weekly", Cron: "@weekly", Spec: spec(t, "@weekly"), Jobs: []string{"snapshot"}},
	}
	got, err := Statuses(ctx, st, schedules, utc("2026-03-06T12:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Overdue || got[0].LastRun == nil || got[0].LastSuccess.IsZero() ||
		!got[0].Next.Equal(utc("2026-03-07T02:00:00Z")) {
		t.Errorf("nightly = %+v", got[0])
	}
	if got[1].Paused == nil || got[1].Paused.PausedBy != "ann" || got[1].Overdue || got[1].LastRun != nil {
		t.Errorf("weekly = %+v", got[1])
	}
}

// TestEngineTakesOverDeadRun: a run left running by an instance that died
// (no heartbeat for StaleAfter) is marked failed by the next claim, which
// runs; a live run's heartbeat keeps it from being taken over.
func TestEngineTakesOverDeadRun(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	dead := &steward.ScheduleRun{Schedule: "often", ScheduledAt: time.Now().Add(-time.Minute).UTC().Truncate(time.Second),
		Trigger: steward.TriggerSchedule, Instance: "dead:1", Status: steward.ScheduleRunning}
	if err := st.ClaimScheduleRun(ctx, dead, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{hold: make(chan struct{})}
	e := &Engine{Store: st, Schedules: []Schedule{{Name: "often", Spec: spec(t, "@every 1s"), Jobs: []string{"dedupe"}}},
		Run: rec.run, Instance: "live:2", StaleAfter: 300 * time.Millisecond, Heartbeat: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(5 * time.Second)
	for rec.count() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if rec.count() == 0 {
		t.Fatal("the schedule did not run after its dead run")
	}
	got, err := st.ScheduleRun(context.Background(), dead.ID)
	if err != nil || got.Status != steward.ScheduleFailed || got.Error == "" {
		t.Errorf("dead run = %+v, %v; want failed as abandoned", got, err)
	}
	// The live run holds for longer than StaleAfter: its heartbeats keep
	// the next times from taking it over; they are skipped.
	time.Sleep(1500 * time.Millisecond)
	close(rec.hold)
	runs, err := st.ScheduleRuns(context.Background(), steward.ScheduleRunFilter{Schedule: "often"})
	if err != nil {
		t.Fatal(err)
	}
	var skipped, failed int
	for _, r := range runs {
		switch r.Status {
		case steward.ScheduleSkipped:
			skipped++
		case steward.ScheduleFailed:
			failed++
		}
	}
	if skipped == 0 || failed != 1 || rec.count() != 1 {
		t.Errorf("while the live run held: %d skipped, %d failed, %d started; want some skipped, only the dead one failed, one started:%s",
			skipped, failed, rec.count(), describe(runs))
	}
}

// busyStore refuses the first claims as a busy SQLite database does
// (ECONFLICT, nothing recorded).
type busyStore struct {
	steward.Store
	mu   sync.Mutex
	busy int
}

func (b *busyStore) ClaimScheduleRun(ctx context.Context, run *steward.ScheduleRun, staleBefore time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.busy > 0 {
		b.busy--
		return steward.Errorf(steward.ECONFLICT, "The database is busy with another writer (an import?); try again when it is done.")
	}
	return b.Store.ClaimScheduleRun(ctx, run, staleBefore)
}

// TestEngineRetriesBusyClaim: a claim the database refuses without
// recording the time is tried again, and the time runs.
func TestEngineRetriesBusyClaim(t *testing.T) {
	st := &busyStore{Store: newStore(t), busy: 2}
	h := newHarness(t, st, utc("2026-03-06T10:00:30Z"),
		Schedule{Name: "often", Spec: spec(t, "*/5 * * * *"), Jobs: []string{"dedupe"}, CatchUp: time.Hour})
	h.start()
	h.clock.Set(utc("2026-03-06T10:05:00Z"))
	h.clock.waitForWaiters(1) // the first retry waits
	h.clock.Set(utc("2026-03-06T10:05:01Z"))
	h.clock.waitForWaiters(1) // the second
	h.clock.Set(utc("2026-03-06T10:05:03Z"))
	check(t, h.runs("often", settled(1)), want{"2026-03-06T10:05:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded})
}

// flakyTouchStore refuses heartbeats as a busy database does.
type flakyTouchStore struct{ steward.Store }

func (flakyTouchStore) TouchScheduleRun(context.Context, *steward.ScheduleRun) error {
	return steward.Errorf(steward.ECONFLICT, "The database is busy with another writer (an import?); try again when it is done.")
}

// TestEngineBusyHeartbeatKeepsRun: a heartbeat the database refuses while
// the run is still recorded as running does not stop the run.
func TestEngineBusyHeartbeatKeepsRun(t *testing.T) {
	h := newHarness(t, flakyTouchStore{newStore(t)}, utc("2026-03-06T10:00:30Z"),
		Schedule{Name: "often", Spec: spec(t, "*/5 * * * *"), Jobs: []string{"dedupe"}})
	h.engine.Heartbeat = time.Second
	h.rec.hold = make(chan struct{})
	h.start()
	h.clock.Set(utc("2026-03-06T10:05:00Z"))
	h.runs("often", func(r []*steward.ScheduleRun) bool { return len(r) == 1 })
	h.clock.waitForWaiters(2) // the loop's next time and the heartbeat
	h.clock.Set(utc("2026-03-06T10:05:02Z"))
	h.clock.waitForWaiters(2) // the heartbeat failed and waits again
	close(h.rec.hold)
	check(t, h.runs("often", settled(1)), want{"2026-03-06T10:05:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded})
}

// busyFinishStore refuses the first end of a run as a busy database does.
type busyFinishStore struct {
	steward.Store
	mu   sync.Mutex
	busy int
}

func (b *busyFinishStore) FinishScheduleRun(ctx context.Context, run *steward.ScheduleRun) error {
	b.mu.Lock()
	busy := b.busy > 0
	b.busy--
	b.mu.Unlock()
	if busy {
		return steward.Errorf(steward.ECONFLICT, "The database is busy with another writer (an import?); try again when it is done.")
	}
	return b.Store.FinishScheduleRun(ctx, run)
}

// TestEngineRetriesBusyFinish: the end of a run the database refuses once
// is recorded at the next try.
func TestEngineRetriesBusyFinish(t *testing.T) {
	h := newHarness(t, &busyFinishStore{Store: newStore(t), busy: 1}, utc("2026-03-06T10:00:30Z"),
		Schedule{Name: "often", Spec: spec(t, "*/5 * * * *"), Jobs: []string{"dedupe"}})
	h.start()
	h.clock.Set(utc("2026-03-06T10:05:00Z"))
	check(t, h.runs("often", settled(1)), want{"2026-03-06T10:05:00Z", steward.TriggerSchedule, steward.ScheduleSucceeded})
}
