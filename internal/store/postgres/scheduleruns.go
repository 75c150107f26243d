package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/steward-crm/steward"
)

const selectScheduleRun = `SELECT id, schedule, scheduled_at, trigger, instance, status, started_at, finished_at,
	heartbeat_at, jobs, error FROM schedule_runs`

func scanScheduleRun(row pgx.Row) (*steward.ScheduleRun, error) {
	var (
		r                            steward.ScheduleRun
		started, finished, heartbeat *time.Time
	)
	if err := row.Scan(&r.ID, &r.Schedule, &r.ScheduledAt, &r.Trigger, &r.Instance, &r.Status, &started, &finished,
		&heartbeat, &r.Jobs, &r.Error); err != nil {
		return nil, err
	}
	if len(r.Jobs) == 0 {
		r.Jobs = nil
	}
	r.ScheduledAt = r.ScheduledAt.UTC()
	r.StartedAt, r.FinishedAt, r.HeartbeatAt = utcOrZero(started), utcOrZero(finished), utcOrZero(heartbeat)
	return &r, nil
}

func scheduleJobsValue(jobs []steward.ScheduleJob) []steward.ScheduleJob {
	if jobs == nil {
		return []steward.ScheduleJob{}
	}
	return jobs
}

// ClaimScheduleRun implements steward.ScheduleRunStore: the unique index
// schedule_runs_time makes a scheduled time claimable once, by one
// instance however many race for it, and schedule_runs_one_running
// refuses a second running run of a schedule, which is then recorded as
// skipped.
func (s *Store) ClaimScheduleRun(ctx context.Context, run *steward.ScheduleRun, staleBefore time.Time) error {
	if err := steward.ValidScheduleClaim(run); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if run.Status == steward.ScheduleRunning {
			if _, err := tx.Exec(ctx, `UPDATE schedule_runs SET status = 'failed', finished_at = $1,
				error = 'abandoned: no heartbeat since ' || heartbeat_at::text
				WHERE schedule = $2 AND status = 'running' AND heartbeat_at < $3`,
				now, run.Schedule, staleBefore); err != nil {
				return fmt.Errorf("abandon stale runs: %w", err)
			}
			err := s.insertScheduleRun(ctx, run, now)
			if !isUnique(err) {
				return err
			}
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.ConstraintName != "schedule_runs_one_running" {
				return err
			}
			run.Status = steward.ScheduleSkipped
		}
		return s.insertScheduleRun(ctx, run, now)
	})
	if isUnique(err) {
		return steward.Errorf(steward.ECONFLICT, "Schedule %s's run at %s is already claimed.", run.Schedule, run.ScheduledAt.Format(time.RFC3339))
	}
	if err != nil {
		return fmt.Errorf("claim run of schedule %s: %w", run.Schedule, err)
	}
	return nil
}

// insertScheduleRun inserts run in a savepoint of its own, so that a
// unique violation leaves the transaction usable.
func (s *Store) insertScheduleRun(ctx context.Context, run *steward.ScheduleRun, now time.Time) error {
	if run.Status == steward.ScheduleRunning {
		run.HeartbeatAt = now
		if run.StartedAt.IsZero() {
			run.StartedAt = now
		}
		run.FinishedAt = time.Time{}
	} else {
		run.StartedAt, run.HeartbeatAt, run.FinishedAt = time.Time{}, time.Time{}, now
	}
	return s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO schedule_runs (schedule, scheduled_at, trigger, instance, status,
			started_at, finished_at, heartbeat_at, jobs, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			run.Schedule, run.ScheduledAt, string(run.Trigger), run.Instance, string(run.Status),
			nullTime(run.StartedAt), nullTime(run.FinishedAt), nullTime(run.HeartbeatAt), scheduleJobsValue(run.Jobs), run.Error).Scan(&run.ID)
	})
}

// updateRunning runs an UPDATE of the running schedule run id.
func (s *Store) updateRunning(ctx context.Context, id int64, query string, args ...any) error {
	tag, err := s.one(ctx, nil, query, args...)
	if err == nil && tag.RowsAffected() == 0 {
		var status string
		err = s.read(ctx).QueryRow(ctx, `SELECT status FROM schedule_runs WHERE id = $1`, id).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			err = steward.Errorf(steward.ENOTFOUND, "Schedule run %d does not exist.", id)
		} else if err == nil {
			err = steward.Errorf(steward.ECONFLICT, "Schedule run %d is %s, no longer running.", id, status)
		}
	}
	return err
}

// TakeOverScheduleRun implements steward.ScheduleRunStore.
func (s *Store) TakeOverScheduleRun(ctx context.Context, run *steward.ScheduleRun, staleBefore time.Time) error {
	now := s.now()
	if err := s.updateRunning(ctx, run.ID, `UPDATE schedule_runs SET instance = $1, heartbeat_at = $2
		WHERE id = $3 AND status = 'running' AND heartbeat_at < $4`,
		run.Instance, now, run.ID, staleBefore); err != nil {
		if steward.ErrorCode(err) == steward.ECONFLICT {
			return steward.Errorf(steward.ECONFLICT, "Schedule run %d is not a dead run to take over: it still runs, or it ended.", run.ID)
		}
		return fmt.Errorf("take over schedule run %d: %w", run.ID, err)
	}
	got, err := s.ScheduleRun(ctx, run.ID)
	if err != nil {
		return err
	}
	*run = *got
	return nil
}

// TouchScheduleRun implements steward.ScheduleRunStore.
func (s *Store) TouchScheduleRun(ctx context.Context, run *steward.ScheduleRun) error {
	now := s.now()
	if err := s.updateRunning(ctx, run.ID, `UPDATE schedule_runs SET heartbeat_at = $1, jobs = $2
		WHERE id = $3 AND status = 'running'`, now, scheduleJobsValue(run.Jobs), run.ID); err != nil {
		return fmt.Errorf("touch schedule run %d: %w", run.ID, err)
	}
	run.HeartbeatAt = now
	return nil
}

// FinishScheduleRun implements steward.ScheduleRunStore.
func (s *Store) FinishScheduleRun(ctx context.Context, run *steward.ScheduleRun) error {
	if err := steward.ValidScheduleRunEnd(run); err != nil {
		return err
	}
	now := s.now()
	if err := s.updateRunning(ctx, run.ID, `UPDATE schedule_runs SET status = $1, finished_at = $2, heartbeat_at = $2,
		jobs = $3, error = $4 WHERE id = $5 AND status = 'running'`,
		string(run.Status), now, scheduleJobsValue(run.Jobs), run.Error, run.ID); err != nil {
		return fmt.Errorf("finish schedule run %d: %w", run.ID, err)
	}
	run.FinishedAt, run.HeartbeatAt = now, now
	return nil
}

// ScheduleRun implements steward.ScheduleRunStore.
func (s *Store) ScheduleRun(ctx context.Context, id int64) (*steward.ScheduleRun, error) {
	r, err := scanScheduleRun(s.read(ctx).QueryRow(ctx, selectScheduleRun+` WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Schedule run %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("schedule run %d: %w", id, err)
	}
	return r, nil
}

// LastScheduleRun implements steward.ScheduleRunStore.
func (s *Store) LastScheduleRun(ctx context.Context, schedule string) (*steward.ScheduleRun, error) {
	return s.lastScheduleRun(ctx, schedule, `trigger <> 'manual'`)
}

// LastSucceededScheduleRun implements steward.ScheduleRunStore.
func (s *Store) LastSucceededScheduleRun(ctx context.Context, schedule string) (*steward.ScheduleRun, error) {
	return s.lastScheduleRun(ctx, schedule, `status = 'succeeded'`)
}

func (s *Store) lastScheduleRun(ctx context.Context, schedule, cond string) (*steward.ScheduleRun, error) {
	r, err := scanScheduleRun(s.read(ctx).QueryRow(ctx, selectScheduleRun+` WHERE schedule = $1 AND `+cond+`
		ORDER BY scheduled_at DESC, id DESC LIMIT 1`, schedule))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Schedule %s has no such run yet.", schedule)
	}
	if err != nil {
		return nil, fmt.Errorf("last run of schedule %s: %w", schedule, err)
	}
	return r, nil
}

// ScheduleRuns implements steward.ScheduleRunStore.
func (s *Store) ScheduleRuns(ctx context.Context, f steward.ScheduleRunFilter) ([]*steward.ScheduleRun, error) {
	var c conditions
	if f.Schedule != "" {
		c.add(`schedule = $%d`, f.Schedule)
	}
	if !f.ScheduledAt.IsZero() {
		c.add(`scheduled_at = $%d`, f.ScheduledAt)
	}
	if f.Status != "" {
		c.add(`status = $%d`, string(f.Status))
	}
	q, args := selectScheduleRun, c.args
	if len(c.where) > 0 {
		q += ` WHERE ` + strings.Join(c.where, ` AND `)
	}
	q += ` ORDER BY scheduled_at DESC, id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return collect(ctx, s, "schedule runs", q, args, scanScheduleRun)
}

// PauseSchedule implements steward.ScheduleRunStore.
func (s *Store) PauseSchedule(ctx context.Context, p steward.SchedulePause) error {
	if p.Schedule == "" {
		return steward.Errorf(steward.EINVALID, "Name the schedule to pause.")
	}
	if p.PausedAt.IsZero() {
		p.PausedAt = s.now()
	}
	if _, err := s.one(ctx, nil, `INSERT INTO schedule_pauses (schedule, paused_at, paused_by) VALUES ($1, $2, $3)
		ON CONFLICT (schedule) DO NOTHING`, p.Schedule, p.PausedAt, p.PausedBy); err != nil {
		return fmt.Errorf("pause schedule %s: %w", p.Schedule, err)
	}
	return nil
}

// ResumeSchedule implements steward.ScheduleRunStore.
func (s *Store) ResumeSchedule(ctx context.Context, schedule string) error {
	tag, err := s.one(ctx, nil, `DELETE FROM schedule_pauses WHERE schedule = $1`, schedule)
	if err != nil {
		return fmt.Errorf("resume schedule %s: %w", schedule, err)
	}
	if tag.RowsAffected() == 0 {
		return steward.Errorf(steward.ENOTFOUND, "Schedule %s is not paused.", schedule)
	}
	return nil
}

// PausedSchedules implements steward.ScheduleRunStore.
func (s *Store) PausedSchedules(ctx context.Context) (map[string]steward.SchedulePause, error) {
	list, err := collect(ctx, s, "paused schedules", `SELECT schedule, paused_at, paused_by FROM schedule_pauses`, nil,
		func(row pgx.Row) (steward.SchedulePause, error) {
			var p steward.SchedulePause
			err := row.Scan(&p.Schedule, &p.PausedAt, &p.PausedBy)
			p.PausedAt = p.PausedAt.UTC()
			return p, err
		})
	if err != nil {
		return nil, err
	}
	out := make(map[string]steward.SchedulePause, len(list))
	for _, p := range list {
		out[p.Schedule] = p
	}
	return out, nil
}
