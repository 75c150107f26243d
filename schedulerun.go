package steward

import (
	"context"
	"time"
)

// ScheduleTrigger says why a schedule run happened.
type ScheduleTrigger string

// Schedule run triggers.
const (
	// TriggerSchedule is a run at its scheduled time.
	TriggerSchedule ScheduleTrigger = "schedule"
	// TriggerManual is a run started by hand ("steward jobs run NAME",
	// POST /api/v1/schedules/{name}/runs).
	TriggerManual ScheduleTrigger = "manual"
	// TriggerCatchUp is a run whose time passed while no instance was up,
	// started late because it was still within the catch-up window.
	TriggerCatchUp ScheduleTrigger = "catch-up"
)

// ScheduleRunStatus is the state of a schedule run.
type ScheduleRunStatus string

// Schedule run statuses. Skipped and missed runs never ran: they record a
// scheduled time that passed without its jobs.
const (
	ScheduleRunning   ScheduleRunStatus = "running"
	ScheduleSucceeded ScheduleRunStatus = "succeeded"
	ScheduleFailed    ScheduleRunStatus = "failed"
	// ScheduleSkipped is a scheduled time that came while the schedule's
	// previous run was still running (runs of a schedule never overlap).
	ScheduleSkipped ScheduleRunStatus = "skipped"
	// ScheduleMissed is a scheduled time that passed while no instance
	// was up and is too old (or superseded) to be caught up.
	ScheduleMissed ScheduleRunStatus = "missed"
)

// ScheduleRun is one scheduled time of a rules-file schedule and what
// became of it. (Schedule, ScheduledAt) is unique in the store: claiming it
// is what makes a scheduled time run once, however many instances see it.
type ScheduleRun struct {
	ID       int64           `json:"id"`
	Schedule string          `json:"schedule"`
	Trigger  ScheduleTrigger `json:"trigger"`
	// Instance names the process that claimed the run (host:pid).
	Instance string `json:"instance"`
	// ScheduledAt is the time the schedule named; for a manual run, the
	// time it was asked for.
	ScheduledAt time.Time         `json:"scheduled_at"`
	StartedAt   time.Time         `json:"started_at,omitzero"`
	FinishedAt  time.Time         `json:"finished_at,omitzero"`
	HeartbeatAt time.Time         `json:"heartbeat_at,omitzero"`
	Status      ScheduleRunStatus `json:"status"`
	// Jobs are the schedule's jobs that ran, in order, with their job run
	// and counts.
	Jobs  []ScheduleJob `json:"jobs,omitempty"`
	Error string        `json:"error,omitempty"`
}

// ScheduleJob is one job of a schedule run.
type ScheduleJob struct {
	Job    string           `json:"job"`
	RunID  int64            `json:"run_id,omitempty"`
	Status JobStatus        `json:"status"`
	Counts map[string]int64 `json:"counts,omitempty"`
}

// ScheduleRunFilter selects schedule runs, newest scheduled time first.
type ScheduleRunFilter struct {
	// Schedule keeps the runs of one schedule; "" keeps all.
	Schedule string
	// ScheduledAt, when not zero, keeps the run of that scheduled time.
	ScheduledAt time.Time
	// Status, when set, keeps the runs in that state.
	Status ScheduleRunStatus
	// Limit caps the number returned; 0 means no limit.
	Limit int
}

// SchedulePause is a schedule an operator paused: its times pass without
// running (nor being recorded) until it is resumed.
type SchedulePause struct {
	Schedule string    `json:"schedule"`
	PausedAt time.Time `json:"paused_at"`
	PausedBy string    `json:"paused_by"`
}

// ScheduleRunStore records the runs of schedules and which schedules are
// paused. The database guarantees both promises of a schedule, across
// every instance that shares it: a scheduled time is claimed at most once,
// and a schedule has at most one running run.
type ScheduleRunStore interface {
	// ClaimScheduleRun records run (Schedule, ScheduledAt, Trigger,
	// Instance, StartedAt; Status running, skipped or missed) and sets its
	// ID. A running run's claim first ends as failed any running run of
	// the same schedule whose heartbeat is older than staleBefore (its
	// process died); if a live one remains, run is recorded as skipped
	// instead, and run.Status says so. ECONFLICT when the scheduled time
	// is already claimed (by another instance): the caller does nothing.
	ClaimScheduleRun(ctx context.Context, run *ScheduleRun, staleBefore time.Time) error
	// TakeOverScheduleRun makes run (by ID) this process's: a running run
	// whose heartbeat is older than staleBefore (its process died) gets
	// run.Instance and a fresh heartbeat, and run is read back whole (its
	// jobs so far). ECONFLICT when the run is alive or no longer running,
	// ENOTFOUND when there is no such run. A job queue that retries a dead
	// instance's run elsewhere takes it over so.
	TakeOverScheduleRun(ctx context.Context, run *ScheduleRun, staleBefore time.Time) error
	// TouchScheduleRun refreshes the heartbeat of a running run and stores
	// its jobs so far. ECONFLICT when it is not running any more.
	TouchScheduleRun(ctx context.Context, run *ScheduleRun) error
	// FinishScheduleRun stores run's end (succeeded or failed), jobs and
	// error, and sets run.FinishedAt. ECONFLICT when it is not running.
	FinishScheduleRun(ctx context.Context, run *ScheduleRun) error
	// ScheduleRun returns one run by id, or ENOTFOUND.
	ScheduleRun(ctx context.Context, id int64) (*ScheduleRun, error)
	// LastScheduleRun returns the run of schedule with the latest
	// scheduled time among those triggered by the schedule or caught up
	// (manual runs do not move a schedule's clock), or ENOTFOUND.
	LastScheduleRun(ctx context.Context, schedule string) (*ScheduleRun, error)
	// LastSucceededScheduleRun returns the latest run of schedule that
	// succeeded, of any trigger, or ENOTFOUND.
	LastSucceededScheduleRun(ctx context.Context, schedule string) (*ScheduleRun, error)
	// ScheduleRuns returns the runs matching f, the latest scheduled
	// time first.
	ScheduleRuns(ctx context.Context, f ScheduleRunFilter) ([]*ScheduleRun, error)
	// PauseSchedule pauses schedule; pausing a paused one changes nothing.
	PauseSchedule(ctx context.Context, p SchedulePause) error
	// ResumeSchedule resumes schedule; ENOTFOUND when it is not paused.
	ResumeSchedule(ctx context.Context, schedule string) error
	// PausedSchedules returns the paused schedules by name.
	PausedSchedules(ctx context.Context) (map[string]SchedulePause, error)
}

// ValidScheduleClaim reports whether run may be claimed: stores call it so
// that every backend refuses the same things.
func ValidScheduleClaim(run *ScheduleRun) error {
	if run.Schedule == "" || run.ScheduledAt.IsZero() {
		return Errorf(EINVALID, "A schedule run needs a schedule and a scheduled time.")
	}
	switch run.Trigger {
	case TriggerSchedule, TriggerManual, TriggerCatchUp:
	default:
		return Errorf(EINVALID, "A schedule run's trigger is %s, %s or %s, not %q.", TriggerSchedule, TriggerManual, TriggerCatchUp, run.Trigger)
	}
	switch run.Status {
	case ScheduleRunning, ScheduleSkipped, ScheduleMissed:
	default:
		return Errorf(EINVALID, "A schedule run is claimed as %s, %s or %s, not %q.", ScheduleRunning, ScheduleSkipped, ScheduleMissed, run.Status)
	}
	return nil
}

// ValidScheduleRunEnd reports whether run may be stored by
// FinishScheduleRun.
func ValidScheduleRunEnd(run *ScheduleRun) error {
	if run.Status != ScheduleSucceeded && run.Status != ScheduleFailed {
		return Errorf(EINVALID, "A schedule run ends as %s or %s, not %q.", ScheduleSucceeded, ScheduleFailed, run.Status)
	}
	return nil
}
