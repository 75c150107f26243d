package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/steward-crm/steward"
)

// Status is what "steward jobs list" and GET /api/v1/schedules show of a
// schedule.
type Status struct {
	Name    string   `json:"name"`
	Cron    string   `json:"cron"`
	Jobs    []string `json:"jobs"`
	CatchUp string   `json:"catch_up"`
	// Full says its jobs examine every customer (Schedule.Full).
	Full bool `json:"full"`
	// Next is the next time it fires (also while paused: the time it
	// would fire).
	Next   time.Time              `json:"next,omitzero"`
	Paused *steward.SchedulePause `json:"paused,omitempty"`
	// LastRun is its latest run of any trigger and status.
	LastRun *steward.ScheduleRun `json:"last_run,omitempty"`
	// LastSuccess is the end of its latest succeeded run.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// Overdue says it has not succeeded for longer than its period plus a
	// margin (see Overdue).
	Overdue bool `json:"overdue"`
}

// Statuses returns the status of every schedule at now, in the order of
// schedules.
func Statuses(ctx context.Context, st steward.ScheduleRunStore, schedules []Schedule, now time.Time) ([]Status, error) {
	paused, err := st.PausedSchedules(ctx)
	if err != nil {
		return nil, fmt.Errorf("read paused schedules: %w", err)
	}
	out := make([]Status, 0, len(schedules))
	for _, s := range schedules {
		o := Status{Name: s.Name, Cron: s.Cron, Jobs: s.Jobs, CatchUp: s.CatchUp.String(), Full: s.Full, Next: s.Spec.Next(now)}
		if p, ok := paused[s.Name]; ok {
			o.Paused = &p
		}
		runs, err := st.ScheduleRuns(ctx, steward.ScheduleRunFilter{Schedule: s.Name, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(runs) > 0 {
			o.LastRun = runs[0]
		}
		var first time.Time
		ok, err := st.LastSucceededScheduleRun(ctx, s.Name)
		switch {
		case err == nil:
			o.LastSuccess = ok.FinishedAt
			first = ok.ScheduledAt
		case steward.ErrorCode(err) != steward.ENOTFOUND:
			return nil, err
		default:
			// Never succeeded: overdue once its oldest recorded time is
			// a period and a margin ago (of the latest thousand: enough to
			// tell).
			all, err := st.ScheduleRuns(ctx, steward.ScheduleRunFilter{Schedule: s.Name, Limit: 1000})
			if err != nil {
				return nil, err
			}
			if len(all) > 0 {
				first = all[len(all)-1].ScheduledAt
			}
		}
		o.Overdue = o.Paused == nil && !first.IsZero() && Overdue(s, first, now)
		out = append(out, o)
	}
	return out, nil
}

// Overdue reports whether s, whose last success (or, never succeeded, its
// first recorded time) was the time last, is overdue at now: the next time
// after last has passed by more than a margin of a quarter of the period,
// at least a minute and at most an hour (a nightly run is overdue an hour
// after the night it should have run, an @every 1m one after two minutes).
func Overdue(s Schedule, last, now time.Time) bool {
	next := s.Spec.Next(last)
	if next.IsZero() {
		return false
	}
	period := s.Spec.Next(next).Sub(next)
	margin := min(max(period/4, time.Minute), time.Hour)
	return now.After(next.Add(margin))
}
