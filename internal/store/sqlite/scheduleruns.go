package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

const selectScheduleRun = `SELECT id, schedule, scheduled_at, trigger, instance, status, started_at, finished_at,
	heartbeat_at, jobs, error FROM schedule_runs`

func scanScheduleRun(sc scanner) (*steward.ScheduleRun, error) {
	var (
		r                            steward.ScheduleRun
		scheduled, jobs              string
		started, finished, heartbeat sql.NullString
	)
	if err := sc.Scan(&r.ID, &r.Schedule, &scheduled, &r.Trigger, &r.Instance, &r.Status, &started, &finished,
		&heartbeat, &jobs, &r.Error); err != nil {
		return nil, err
	}
	var err error
	if r.ScheduledAt, err = parseTime(scheduled); err != nil {
		return nil, err
	}
	if r.StartedAt, err = parseNullTime(started); err != nil {
		return nil, err
	}
	if r.FinishedAt, err = parseNullTime(finished); err != nil {
		return nil, err
	}
	if r.HeartbeatAt, err = parseNullTime(heartbeat); err != nil {
		return nil, err
	}
	if jobs != "" && jobs != "[]" {
		if err := json.Unmarshal([]byte(jobs), &r.Jobs); err != nil {
			return nil, fmt.Errorf("schedule run %d: decode jobs: %w", r.ID, err)
		}
	}
	return &r, nil
}

func encodeScheduleJobs(jobs []steward.ScheduleJob) (string, error) {
	if len(jobs) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(jobs)
	if err != nil {
		return "", fmt.Errorf("encode schedule jobs: %w", err)
	}
	return string(b), nil
}

// ClaimScheduleRun implements steward.ScheduleRunStore: the unique index
// schedule_runs_time makes a scheduled time claimable once, and
// schedule_runs_one_running refuses a second running run of a schedule,
// which is then recorded as skipped.
func (s *Store) ClaimScheduleRun(ctx context.Context, run *steward.ScheduleRun, staleBefore time.Time) error {
	if err := steward.ValidScheduleClaim(run); err != nil {
		return err
	}
	now := s.now()
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if run.Status == steward.ScheduleRunning {
			if _, err := tx.ExecContext(ctx, `UPDATE schedule_runs SET status = 'failed', finished_at = ?,
				error = 'abandoned: no heartbeat since ' || heartbeat_at
				WHERE schedule = ? AND status = 'running' AND heartbeat_at < ?`,
				formatTime(now), run.Schedule, formatTime(staleBefore)); err != nil {
				return fmt.Errorf("abandon stale runs: %w", err)
			}
			err := s.insertScheduleRun(ctx, tx, run, now)
			if !isUnique(err) {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schedule_runs WHERE schedule = ? AND scheduled_at = ?`,
				run.Schedule, formatTime(run.ScheduledAt)).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return err
			}
			run.Status = steward.ScheduleSkipped
		}
		return s.insertScheduleRun(ctx, tx, run, now)
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
// unique violation leaves tx usable.
func (s *Store) insertScheduleRun(ctx context.Context, tx *sql.Tx, run *steward.ScheduleRun, now time.Time) error {
	if run.Status == steward.ScheduleRunning {
		run.HeartbeatAt = now
		if run.StartedAt.IsZero() {
			run.StartedAt = now
		}
		run.FinishedAt = time.Time{}
	} else {
		run.StartedAt, run.HeartbeatAt, run.FinishedAt = time.Time{}, time.Time{}, now
	}
	jobs, err := encodeScheduleJobs(run.Jobs)
	if err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO schedule_runs (schedule, scheduled_at, trigger, instance, status,
			started_at, finished_at, heartbeat_at, jobs, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			run.Schedule, formatTime(run.ScheduledAt), string(run.Trigger), run.Instance, string(run.Status),
			nullTime(run.StartedAt), nullTime(run.FinishedAt), nullTime(run.HeartbeatAt), jobs, run.Error).Scan(&run.ID)
	})
}

// scheduleNotRunning explains why a schedule run could not be updated.
func scheduleNotRunning(ctx context.Context, tx *sql.Tx, id int64) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM schedule_runs WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return steward.Errorf(steward.ENOTFOUND, "Schedule run %d does not exist.", id)
	}
	if err != nil {
		return err
	}
	return steward.Errorf(steward.ECONFLICT, "Schedule run %d is %s, no longer running.", id, status)
}

// updateRunning runs an UPDATE of the running schedule run id.
func (s *Store) updateRunning(ctx context.Context, id int64, query string, args ...any) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return scheduleNotRunning(ctx, tx, id)
		}
		return nil
	})
}

// TakeOverScheduleRun implements steward.ScheduleRunStore.
func (s *Store) TakeOverScheduleRun(ctx context.Context, run *steward.ScheduleRun, staleBefore time.Time) error {
	now := s.now()
	if err := s.updateRunning(ctx, run.ID, `UPDATE schedule_runs SET instance = ?, heartbeat_at = ?
		WHERE id = ? AND status = 'running' AND heartbeat_at < ?`,
		run.Instance, formatTime(now), run.ID, formatTime(staleBefore)); err != nil {
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
	jobs, err := encodeScheduleJobs(run.Jobs)
	if err != nil {
		return err
	}
	now := s.now()
	if err := s.updateRunning(ctx, run.ID, `UPDATE schedule_runs SET heartbeat_at = ?, jobs = ?
		WHERE id = ? AND status = 'running'`, formatTime(now), jobs, run.ID); err != nil {
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
	jobs, err := encodeScheduleJobs(run.Jobs)
	if err != nil {
		return err
	}
	now := s.now()
	if err := s.updateRunning(ctx, run.ID, `UPDATE schedule_runs SET status = ?, finished_at = ?, heartbeat_at = ?,
		jobs = ?, error = ? WHERE id = ? AND status = 'running'`,
		string(run.Status), formatTime(now), formatTime(now), jobs, run.Error, run.ID); err != nil {
		return fmt.Errorf("finish schedule run %d: %w", run.ID, err)
	}
	run.FinishedAt, run.HeartbeatAt = now, now
	return nil
}

// ScheduleRun implements steward.ScheduleRunStore.
func (s *Store) ScheduleRun(ctx context.Context, id int64) (*steward.ScheduleRun, error) {
	r, err := scanScheduleRun(s.read(ctx).QueryRowContext(ctx, selectScheduleRun+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	r, err := scanScheduleRun(s.read(ctx).QueryRowContext(ctx, selectScheduleRun+` WHERE schedule = ? AND `+cond+`
		ORDER BY scheduled_at DESC, id DESC LIMIT 1`, schedule))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Schedule %s has no such run yet.", schedule)
	}
	if err != nil {
		return nil, fmt.Errorf("last run of schedule %s: %w", schedule, err)
	}
	return r, nil
}

// ScheduleRuns implements steward.ScheduleRunStore.
func (s *Store) ScheduleRuns(ctx context.Context, f steward.ScheduleRunFilter) ([]*steward.ScheduleRun, error) {
	var where []string
	var args []any
	if f.Schedule != "" {
		where, args = append(where, `schedule = ?`), append(args, f.Schedule)
	}
	if !f.ScheduledAt.IsZero() {
		where, args = append(where, `scheduled_at = ?`), append(args, formatTime(f.ScheduledAt))
	}
	if f.Status != "" {
		where, args = append(where, `status = ?`), append(args, string(f.Status))
	}
	q := selectScheduleRun
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY scheduled_at DESC, id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return queryAll(ctx, s, "schedule runs", q, args, scanScheduleRun)
}

// PauseSchedule implements steward.ScheduleRunStore.
func (s *Store) PauseSchedule(ctx context.Context, p steward.SchedulePause) error {
	if p.Schedule == "" {
		return steward.Errorf(steward.EINVALID, "Name the schedule to pause.")
	}
	if p.PausedAt.IsZero() {
		p.PausedAt = s.now()
	}
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO schedule_pauses (schedule, paused_at, paused_by) VALUES (?, ?, ?)
			ON CONFLICT (schedule) DO NOTHING`, p.Schedule, formatTime(p.PausedAt), p.PausedBy)
		return err
	})
	if err != nil {
		return fmt.Errorf("pause schedule %s: %w", p.Schedule, err)
	}
	return nil
}

// ResumeSchedule implements steward.ScheduleRunStore.
func (s *Store) ResumeSchedule(ctx context.Context, schedule string) error {
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM schedule_pauses WHERE schedule = ?`, schedule)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return steward.Errorf(steward.ENOTFOUND, "Schedule %s is not paused.", schedule)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("resume schedule %s: %w", schedule, err)
	}
	return nil
}

// PausedSchedules implements steward.ScheduleRunStore.
func (s *Store) PausedSchedules(ctx context.Context) (map[string]steward.SchedulePause, error) {
	list, err := queryAll(ctx, s, "paused schedules", `SELECT schedule, paused_at, paused_by FROM schedule_pauses`, nil,
		func(sc scanner) (steward.SchedulePause, error) {
			var p steward.SchedulePause
			var at string
			if err := sc.Scan(&p.Schedule, &at, &p.PausedBy); err != nil {
				return p, err
			}
			var err error
			p.PausedAt, err = parseTime(at)
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
