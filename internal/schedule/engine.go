package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/steward-crm/steward"
)

// Schedule is one schedule of the rules file.
type Schedule struct {
	Name string
	// Cron is the expression as written, for display.
	Cron string
	// Spec says when it fires; robfig/cron's parsed schedules satisfy it.
	Spec cron.Schedule
	// Jobs run in order (Engine.Run decides whether a failure stops the
	// ones after it; steward's does not).
	Jobs []string
	// CatchUp is how late a missed time may still run.
	CatchUp time.Duration
	// Full runs the jobs that follow changes over every customer.
	Full bool
}

// JobFunc runs the jobs of schedule s, in order, calling done after each
// job with what it did; it returns the first job's error, which ends the
// run.
type JobFunc func(ctx context.Context, s Schedule, done func(steward.ScheduleJob)) error

// Defaults of the Engine's timings.
const (
	// DefaultStaleAfter is how long a running run may go without a
	// heartbeat before a claim takes it for dead.
	DefaultStaleAfter = 2 * time.Minute
	// DefaultHeartbeat is how often a running run proves it is alive.
	DefaultHeartbeat = 20 * time.Second
	// onTimeGrace is how late the engine may notice a time and still run
	// it as scheduled, even with a catch-up window of 0.
	onTimeGrace = time.Minute
	// maxMissed caps the missed times recorded at once (after a long
	// downtime of a frequent schedule): the most recent ones are kept.
	maxMissed = 100
)

// Engine fires the schedules in this process and records every fire time
// in Store. Several engines (instances) may share one database: the claim
// of a (schedule, time) row decides which runs it.
type Engine struct {
	Store     steward.ScheduleRunStore
	Schedules []Schedule
	Run       JobFunc
	Logger    *slog.Logger
	// Clock is the time; nil is RealClock.
	Clock Clock
	// Instance names this process in the runs it claims (host:pid).
	Instance string
	// StaleAfter and Heartbeat: 0 means DefaultStaleAfter, DefaultHeartbeat.
	StaleAfter time.Duration
	Heartbeat  time.Duration
	// Ended, when set, is called with every run recorded as it ends:
	// finished, skipped or missed (for metrics).
	Ended func(*steward.ScheduleRun)
	// Context, when set, bounds the runs Start begins (the server's
	// life, not the request's); nil bounds them by the ctx given to Start.
	Context context.Context

	wg sync.WaitGroup
}

func (e *Engine) clock() Clock {
	if e.Clock == nil {
		return RealClock{}
	}
	return e.Clock
}

func (e *Engine) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Logger
}

// StaleTime is how long a running run may go without a heartbeat before
// it is taken for dead: StaleAfter, or DefaultStaleAfter when it is 0.
func (e *Engine) StaleTime() time.Duration {
	if e.StaleAfter <= 0 {
		return DefaultStaleAfter
	}
	return e.StaleAfter
}

func (e *Engine) heartbeat() time.Duration {
	if e.Heartbeat <= 0 {
		return DefaultHeartbeat
	}
	return e.Heartbeat
}

// Schedule returns the schedule name, or ENOTFOUND naming those there are.
func (e *Engine) Schedule(name string) (Schedule, error) {
	for _, s := range e.Schedules {
		if s.Name == name {
			return s, nil
		}
	}
	names := make([]string, 0, len(e.Schedules))
	for _, s := range e.Schedules {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return Schedule{}, steward.Errorf(steward.ENOTFOUND, "No schedule %q: the rules file has no schedules.", name)
	}
	return Schedule{}, steward.Errorf(steward.ENOTFOUND, "No schedule %q in the rules file; the schedules are: %v.", name, names)
}

// Serve fires the schedules until ctx ends, then waits for the runs under
// way, which end as failed (their jobs keep their checkpoints and resume
// at the next run).
func (e *Engine) Serve(ctx context.Context) error {
	var loops sync.WaitGroup
	for _, s := range e.Schedules {
		if s.Spec == nil {
			return steward.Errorf(steward.EINVALID, "Schedule %s has no parsed cron expression; check the rules file with 'steward rules check'.", s.Name)
		}
		loops.Go(func() { e.loop(ctx, s) })
	}
	loops.Wait()
	e.wg.Wait()
	return nil
}

// loop fires s: first what was missed while no instance was up, then each
// time as it comes.
func (e *Engine) loop(ctx context.Context, s Schedule) {
	log := e.logger().With("schedule", s.Name)
	cursor := e.catchUp(ctx, s)
	for {
		var now time.Time
		next := s.Spec.Next(cursor)
		if next.IsZero() {
			log.Warn("schedule never fires again")
			return
		}
		log.Debug("schedule waits", "next", next)
		for {
			now = e.clock().Now()
			if !now.Before(next) {
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-e.clock().Wake(next):
			}
		}
		if ctx.Err() != nil {
			return
		}
		e.fire(ctx, s, cursor, now, steward.TriggerSchedule, max(s.CatchUp, onTimeGrace))
		cursor = now
	}
}

// CatchUp handles, for every schedule, the times missed since its last
// recorded run while no instance was up: the latest runs (in the
// background, see Wait) when it is within the schedule's catch-up window,
// the others are recorded as missed. A job queue that fires the schedules
// (River, see internal/riverjobs) calls it once as the instance starts;
// Serve does it itself.
func (e *Engine) CatchUp(ctx context.Context) {
	for _, s := range e.Schedules {
		e.catchUp(ctx, s)
	}
}

// catchUp handles the times of s missed since its last run and returns
// the time its schedule goes on from.
func (e *Engine) catchUp(ctx context.Context, s Schedule) time.Time {
	now := e.clock().Now()
	last, err := e.Store.LastScheduleRun(ctx, s.Name)
	switch {
	case err == nil:
		cursor := last.ScheduledAt
		if cursor.After(now) {
			cursor = now
		}
		e.fire(ctx, s, cursor, now, steward.TriggerCatchUp, s.CatchUp)
	case steward.ErrorCode(err) != steward.ENOTFOUND && ctx.Err() == nil:
		// No history to catch up from; the schedule still runs from now.
		e.logger().Error("schedule: read last run, nothing caught up", "schedule", s.Name, "error", err)
	}
	return now
}

// fire handles the times of s in (from, now]: the latest runs (as trigger)
// if it is at most window late, the others are recorded as missed.
func (e *Engine) fire(ctx context.Context, s Schedule, from, now time.Time, trigger steward.ScheduleTrigger, window time.Duration) {
	times := Times(s.Spec, from, now, maxMissed+1)
	if len(times) == 0 {
		return
	}
	log := e.logger().With("schedule", s.Name)
	if e.paused(ctx, s, times[len(times)-1]) {
		return
	}
	latest := times[len(times)-1]
	missed := times[:len(times)-1]
	if now.Sub(latest) > window {
		missed = times
	}
	for _, t := range missed {
		e.missed(ctx, s, t, now, trigger, missedReason(t, now, window, t.Equal(latest)))
	}
	if now.Sub(latest) > window {
		return
	}
	for wait := time.Second; ; wait *= 2 {
		_, err := e.start(ctx, s, latest, trigger)
		if err == nil {
			return
		}
		if steward.ErrorCode(err) == steward.ECONFLICT && e.claimed(ctx, s.Name, latest) {
			return // another instance runs it
		}
		// The database refused the claim (busy with another process's
		// long write, unreachable): try again while the time is still
		// within its window.
		retry := e.clock().Now().Add(wait)
		if retry.Sub(latest) > window || ctx.Err() != nil {
			log.Error("schedule time not claimed, it does not run", "at", latest, "error", err)
			return
		}
		log.Warn("schedule: claim run, trying again", "at", latest, "in", wait.String(), "error", err)
		for e.clock().Now().Before(retry) {
			select {
			case <-ctx.Done():
				return
			case <-e.clock().Wake(retry):
			}
		}
	}
}

// paused reports whether s is paused (or its pauses cannot be read), in
// which case the time at passes without a run.
func (e *Engine) paused(ctx context.Context, s Schedule, at time.Time) bool {
	log := e.logger().With("schedule", s.Name)
	paused, err := e.Store.PausedSchedules(ctx)
	if err != nil {
		log.Error("schedule: read pauses, the time passes without a run", "at", at, "error", err)
		return true
	}
	if p, ok := paused[s.Name]; ok {
		log.Info("schedule paused, time passes", "at", at, "paused_by", p.PausedBy)
		return true
	}
	return false
}

// missed records the time t of s as missed for reason, unless an instance
// recorded it already; it returns the run recorded, or nil.
func (e *Engine) missed(ctx context.Context, s Schedule, t, now time.Time, trigger steward.ScheduleTrigger, reason string) *steward.ScheduleRun {
	log := e.logger().With("schedule", s.Name)
	run := &steward.ScheduleRun{Schedule: s.Name, ScheduledAt: t, Trigger: trigger, Instance: e.Instance,
		Status: steward.ScheduleMissed, Error: reason}
	err := e.Store.ClaimScheduleRun(ctx, run, now.Add(-e.StaleTime()))
	if err == nil {
		log.Warn("schedule time missed", "at", t, "reason", run.Error)
		e.ended(run)
		return run
	}
	if steward.ErrorCode(err) != steward.ECONFLICT {
		log.Error("schedule: record missed time", "at", t, "error", err)
	}
	return nil
}

// stillRunning reports whether the run id is recorded as running (or
// cannot be read: a database that does not answer is no reason to stop).
func (e *Engine) stillRunning(ctx context.Context, id int64) bool {
	r, err := e.Store.ScheduleRun(ctx, id)
	return err != nil || r.Status == steward.ScheduleRunning
}

// claimed reports whether the time at of schedule is recorded.
func (e *Engine) claimed(ctx context.Context, schedule string, at time.Time) bool {
	runs, err := e.Store.ScheduleRuns(ctx, steward.ScheduleRunFilter{Schedule: schedule, ScheduledAt: at.UTC().Truncate(time.Microsecond), Limit: 1})
	return err == nil && len(runs) > 0
}

func missedReason(t, now time.Time, window time.Duration, latest bool) string {
	if latest {
		return fmt.Sprintf("no instance ran it; noticed %s late, beyond the catch-up window of %s", now.Sub(t).Round(time.Second), window)
	}
	return "no instance ran it; only the latest missed time is caught up"
}

// Start claims a run of s at the time at and, when this engine wins it,
// runs its jobs in the background; the claimed run is returned as it
// starts (Status running), or as skipped when s is already running. A time
// another instance claimed is ECONFLICT. Manual runs pass
// steward.TriggerManual and the current time.
func (e *Engine) Start(ctx context.Context, name string, at time.Time, trigger steward.ScheduleTrigger) (*steward.ScheduleRun, error) {
	s, err := e.Schedule(name)
	if err != nil {
		return nil, err
	}
	return e.start(ctx, s, at, trigger)
}

func (e *Engine) start(ctx context.Context, s Schedule, at time.Time, trigger steward.ScheduleTrigger) (*steward.ScheduleRun, error) {
	run, log, err := e.claim(ctx, s, at, trigger)
	if err != nil || run.Status == steward.ScheduleSkipped {
		return run, err
	}
	started := *run
	stop := ctx
	if e.Context != nil {
		stop = e.Context
	}
	e.wg.Go(func() { e.execute(context.WithoutCancel(stop), stop, s, run, log) })
	return &started, nil
}

// claim claims the time at of s for this instance: the run is returned
// running, or skipped (and recorded as ended) when s is still running.
func (e *Engine) claim(ctx context.Context, s Schedule, at time.Time, trigger steward.ScheduleTrigger) (*steward.ScheduleRun, *slog.Logger, error) {
	now := e.clock().Now()
	run := &steward.ScheduleRun{Schedule: s.Name, ScheduledAt: at.UTC().Truncate(time.Microsecond), Trigger: trigger,
		Instance: e.Instance, Status: steward.ScheduleRunning, StartedAt: now}
	if err := e.Store.ClaimScheduleRun(ctx, run, now.Add(-e.StaleTime())); err != nil {
		return nil, nil, err
	}
	log := e.logger().With("schedule", s.Name, "schedule_run", run.ID, "trigger", string(trigger))
	if run.Status == steward.ScheduleSkipped {
		log.Warn("schedule time skipped: its previous run is still running", "at", at)
		e.ended(run)
		return run, log, nil
	}
	log.Info("schedule run started", "at", at, "jobs", s.Jobs)
	return run, log, nil
}

// RunAt runs the time at of the schedule name in the calling goroutine,
// for a job queue whose worker holds the run while it lasts (River, see
// internal/riverjobs): a paused schedule lets the time pass, a time later
// than the schedule's catch-up window (at least a minute) is recorded as
// missed, a time another instance holds is left to it (taken over, the
// jobs it finished not run again, when that instance died), and a time that
// comes while the schedule's previous run is still running is recorded as
// skipped. It returns the run as it ended, or nil when it did not run
// here; an error only when nothing could be recorded (the database
// refused the claim), for the queue to try again.
func (e *Engine) RunAt(ctx context.Context, name string, at time.Time, trigger steward.ScheduleTrigger) (*steward.ScheduleRun, error) {
	s, err := e.Schedule(name)
	if err != nil {
		return nil, err
	}
	if e.paused(ctx, s, at) {
		return nil, nil
	}
	now := e.clock().Now()
	window := s.CatchUp
	if trigger == steward.TriggerSchedule {
		window = max(s.CatchUp, onTimeGrace)
	}
	if now.Sub(at) > window {
		if run := e.missed(ctx, s, at, now, trigger, missedReason(at, now, window, true)); run != nil {
			return run, nil
		}
		// Recorded already: an instance claimed it on time, and River
		// hands it here because that instance died.
		return e.takeOver(ctx, s, at)
	}
	run, log, err := e.claim(ctx, s, at, trigger)
	if steward.ErrorCode(err) == steward.ECONFLICT {
		return e.takeOver(ctx, s, at)
	}
	if err != nil {
		return nil, err
	}
	if run.Status == steward.ScheduleSkipped {
		return run, nil
	}
	e.execute(context.WithoutCancel(ctx), ctx, s, run, log)
	return run, nil
}

// takeOver runs the rest of the time at of s when an instance claimed it
// and died running it (no heartbeat for StaleAfter): the jobs it finished
// are not run again, the others resume from their checkpoints (the job
// runner takes over their dead job runs). A time another instance still
// runs, or that ended, is left alone (nil, nil).
func (e *Engine) takeOver(ctx context.Context, s Schedule, at time.Time) (*steward.ScheduleRun, error) {
	run, rest, log, err := e.adopt(ctx, s, at)
	if run == nil || err != nil {
		return nil, err
	}
	e.execute(context.WithoutCancel(ctx), ctx, rest, run, log)
	return run, nil
}

// adopt makes the dead run of the time at of s this instance's and
// returns it with the schedule of the jobs left to run; nil when there is
// no dead run to take over.
func (e *Engine) adopt(ctx context.Context, s Schedule, at time.Time) (*steward.ScheduleRun, Schedule, *slog.Logger, error) {
	runs, err := e.Store.ScheduleRuns(ctx, steward.ScheduleRunFilter{Schedule: s.Name, ScheduledAt: at.UTC().Truncate(time.Microsecond), Limit: 1})
	if err != nil {
		return nil, s, nil, err
	}
	if len(runs) == 0 {
		// Refused for another reason (a busy database): try again later.
		return nil, s, nil, steward.Errorf(steward.ECONFLICT, "Schedule %s's run at %s could not be claimed; try again.", s.Name, at.Format(time.RFC3339))
	}
	run := runs[0]
	if run.Status != steward.ScheduleRunning {
		return nil, s, nil, nil
	}
	dead := run.Instance
	run.Instance = e.Instance
	if err := e.Store.TakeOverScheduleRun(ctx, run, e.clock().Now().Add(-e.StaleTime())); err != nil {
		if steward.ErrorCode(err) == steward.ECONFLICT {
			return nil, s, nil, nil // alive elsewhere, or it just ended
		}
		return nil, s, nil, err
	}
	log := e.logger().With("schedule", s.Name, "schedule_run", run.ID, "trigger", string(run.Trigger))
	rest := s
	rest.Jobs = remainingJobs(s.Jobs, run.Jobs)
	log.Warn("took over a schedule run whose instance stopped", "at", at, "from", dead, "jobs", rest.Jobs)
	return run, rest, log, nil
}

// TakeOverDead takes over, each in the background (see Wait), the running
// runs of the engine's schedules whose instance died: no heartbeat for
// StaleAfter. Their jobs resume here as takeOver says. It returns the runs
// it took over. A job queue calls it every little while on every instance
// (the run rows decide which instance gets each), so a killed instance's
// run goes on within about StaleAfter.
func (e *Engine) TakeOverDead(ctx context.Context) ([]*steward.ScheduleRun, error) {
	running, err := e.Store.ScheduleRuns(ctx, steward.ScheduleRunFilter{Status: steward.ScheduleRunning})
	if err != nil {
		return nil, err
	}
	stale := e.clock().Now().Add(-e.StaleTime())
	stop := ctx
	if e.Context != nil {
		stop = e.Context
	}
	var out []*steward.ScheduleRun
	for _, r := range running {
		s, err := e.Schedule(r.Schedule)
		if err != nil || !r.HeartbeatAt.Before(stale) {
			continue
		}
		run, rest, log, err := e.adopt(ctx, s, r.ScheduledAt)
		if err != nil {
			e.logger().Warn("schedule: take over a dead run", "schedule", s.Name, "at", r.ScheduledAt, "error", err)
			continue
		}
		if run == nil {
			continue
		}
		out = append(out, run)
		e.wg.Go(func() { e.execute(context.WithoutCancel(stop), stop, rest, run, log) })
	}
	return out, nil
}

// remainingJobs returns the jobs of a schedule from the first that done
// (the run's jobs so far) does not record as succeeded.
func remainingJobs(jobs []string, done []steward.ScheduleJob) []string {
	i := 0
	for i < len(jobs) && i < len(done) && done[i].Job == jobs[i] && done[i].Status == steward.JobSucceeded {
		i++
	}
	return jobs[i:]
}

// execute runs the jobs of a claimed run and records its end. The jobs
// stop when stop ends; the end is recorded with ctx, which does not.
func (e *Engine) execute(ctx, stop context.Context, s Schedule, run *steward.ScheduleRun, log *slog.Logger) {
	jobCtx, cancel := context.WithCancel(stop)
	defer cancel()
	var mu sync.Mutex
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		for {
			select {
			case <-jobCtx.Done():
				return
			case <-e.clock().Wake(e.clock().Now().Add(e.heartbeat())):
			}
			mu.Lock()
			touch := *run
			touch.Jobs = slices.Clone(run.Jobs)
			mu.Unlock()
			if err := e.Store.TouchScheduleRun(ctx, &touch); steward.ErrorCode(err) == steward.ECONFLICT && !e.stillRunning(ctx, run.ID) {
				// Taken for dead by another instance: stop, the other
				// runs the schedule now.
				log.Error("schedule run lost its claim; stopping its jobs", "error", err)
				cancel()
				return
			} else if err != nil {
				log.Warn("schedule run heartbeat", "error", err)
			}
		}
	}()
	err := e.Run(jobCtx, s, func(j steward.ScheduleJob) {
		mu.Lock()
		run.Jobs = append(run.Jobs, j)
		mu.Unlock()
	})
	cancel()
	<-beat
	run.Status = steward.ScheduleSucceeded
	if err != nil {
		run.Status, run.Error = steward.ScheduleFailed, steward.ErrorText(err)
		if errors.Is(err, context.Canceled) && stop.Err() != nil {
			run.Error = "stopped: steward was shut down while it ran (" + err.Error() + ")"
		}
	}
	// Record the end, trying again for half a minute while the database
	// is busy or away; a run whose end is never recorded is taken over as
	// dead by a later claim.
	end, cancelEnd := context.WithTimeout(ctx, 30*time.Second)
	defer cancelEnd()
	for {
		ferr := e.Store.FinishScheduleRun(end, run)
		if ferr == nil {
			break
		}
		code := steward.ErrorCode(ferr)
		if (code != steward.ECONFLICT && code != steward.EUNAVAILABLE && code != steward.EINTERNAL) || !e.stillRunning(end, run.ID) {
			log.Error("schedule run: record its end", "error", ferr)
			return
		}
		select {
		case <-end.Done():
			log.Error("schedule run: record its end", "error", ferr)
			return
		case <-time.After(2 * time.Second):
		}
	}
	took := run.FinishedAt.Sub(run.StartedAt).Round(time.Millisecond).String()
	if err != nil {
		log.Error("schedule run failed", "error", err, "took", took)
	} else {
		log.Info("schedule run finished", "took", took)
	}
	e.ended(run)
}

func (e *Engine) ended(run *steward.ScheduleRun) {
	if e.Ended != nil {
		e.Ended(run)
	}
}

// Wait waits for the runs started by Start to end.
func (e *Engine) Wait() { e.wg.Wait() }

// Times returns the fire times of spec in (from, to], at most limit of
// them: the latest ones when there are more.
func Times(spec cron.Schedule, from, to time.Time, limit int) []time.Time {
	var out []time.Time
	for t := spec.Next(from); !t.IsZero() && !t.After(to); t = spec.Next(t) {
		out = append(out, t)
		if len(out) > limit {
			out = out[1:]
		}
	}
	return out
}
