package riverjobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/steward-crm/steward/internal/jobs"
)

// QueuedJob is one of steward's River jobs as "steward jobs queue" shows
// it: a schedule's time, or a share of a job split across instances.
type QueuedJob struct {
	ID int64 `json:"id"`
	// Kind is "schedule" or "share".
	Kind string `json:"kind"`
	// Schedule and At name a schedule's time (Kind "schedule").
	Schedule string `json:"schedule,omitempty"`
	// Share names a share ("standardize#1-50000", Kind "share"); Full
	// says it examines every customer of its range.
	Share string `json:"share,omitempty"`
	Full  bool   `json:"full,omitempty"`
	// State is River's: available, scheduled, running, retryable,
	// completed, cancelled, discarded, pending.
	State       string    `json:"state"`
	Attempt     int       `json:"attempt"`
	MaxAttempts int       `json:"max_attempts"`
	ScheduledAt time.Time `json:"scheduled_at"`
	// AttemptedBy lists the instances that took it, the latest last.
	AttemptedBy []string   `json:"attempted_by,omitempty"`
	FinalizedAt *time.Time `json:"finalized_at,omitempty"`
	// LastError is the latest attempt's error, if any.
	LastError string `json:"last_error,omitempty"`
}

// Queue returns steward's latest River jobs (schedules' times and shares),
// newest first, at most limit of them; unfinished only when open is set.
// It needs no running client: an insert-only one reads River's tables.
func Queue(ctx context.Context, pool *pgxpool.Pool, limit int, open bool) ([]QueuedJob, error) {
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	params := river.NewJobListParams().Queues(queueSchedules, queueShares).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit)
	if open {
		params = params.States(rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
			rivertype.JobStateRunning, rivertype.JobStateScheduled)
	}
	res, err := client.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("list River's jobs (if its tables are missing, run 'steward migrate' against this database): %w", err)
	}
	out := make([]QueuedJob, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		q := QueuedJob{ID: j.ID, State: string(j.State), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
			ScheduledAt: j.ScheduledAt.UTC(), AttemptedBy: j.AttemptedBy, FinalizedAt: j.FinalizedAt}
		if n := len(j.Errors); n > 0 {
			q.LastError = j.Errors[n-1].Error
		}
		switch j.Kind {
		case ScheduleArgs{}.Kind():
			var a ScheduleArgs
			if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
				return nil, fmt.Errorf("arguments of river job %d: %w", j.ID, err)
			}
			q.Kind, q.Schedule = "schedule", a.Schedule
		case ShareArgs{}.Kind():
			var a ShareArgs
			if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
				return nil, fmt.Errorf("arguments of river job %d: %w", j.ID, err)
			}
			q.Kind, q.Share, q.Full = "share", jobs.ShareName(a.Job, jobs.IDRange{From: a.From, Through: a.Through}), a.Full
		default:
			q.Kind = j.Kind
		}
		out = append(out, q)
	}
	return out, nil
}
