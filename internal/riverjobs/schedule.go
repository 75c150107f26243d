package riverjobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/schedule"
)

// ScheduleArgs is the River job of one scheduled time of a schedule: the
// time is the job's ScheduledAt, which River's periodic enqueuer sets to
// the time the schedule fires.
type ScheduleArgs struct {
	Schedule string `json:"schedule"`
}

// Kind names the job in River's tables.
func (ScheduleArgs) Kind() string { return "steward_schedule" }

// InsertOpts makes a schedule's job unique per scheduled second (cron's
// finest step), so a time enqueued twice (two leaders during a hand-over)
// is one job; the run row is the final word.
func (ScheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueSchedules, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Second}}
}

// River's queues: a schedule's run waits for its shares, so shares have
// workers of their own that schedule runs cannot all take.
const (
	queueSchedules = "steward_schedules"
	queueShares    = "steward_shares"
)

// scheduleWorker runs a schedule's time on the instance that took it.
type scheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	engine *schedule.Engine
}

// Timeout lets a run take as long as its jobs need: a nightly run of a
// large database takes hours; a dead instance's run is found by its
// missing heartbeat, not by a deadline.
func (w *scheduleWorker) Timeout(*river.Job[ScheduleArgs]) time.Duration { return -1 }

// Work runs the time; an error (the database refused the claim) has River
// try again, while a run that ran and failed is recorded as failed and
// not retried (its jobs resume from their checkpoints at the next time).
func (w *scheduleWorker) Work(ctx context.Context, job *river.Job[ScheduleArgs]) error {
	_, err := w.engine.RunAt(ctx, job.Args.Schedule, job.ScheduledAt, steward.TriggerSchedule)
	if steward.ErrorCode(err) == steward.ENOTFOUND {
		// The schedule left the rules file since the time was enqueued.
		return river.JobCancel(err)
	}
	return err
}
