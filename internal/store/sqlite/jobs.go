package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/steward-crm/steward"
)

const selectJobRun = `SELECT id, job, status, started_at, finished_at, heartbeat_at, checkpoint, counts, error, warnings,
	full_scan, changes_since, change_mark FROM job_runs`

func scanJobRun(sc scanner) (*steward.JobRun, error) {
	var (
		r                                    steward.JobRun
		started, heartbeat, counts, warnings string
		finished                             sql.NullString
		status                               steward.JobStatus
	)
	if err := sc.Scan(&r.ID, &r.Job, &status, &started, &finished, &heartbeat, &r.Checkpoint, &counts, &r.Error, &warnings,
		&r.Changes.Full, &r.Changes.Since, &r.Changes.Mark); err != nil {
		return nil, err
	}
	if warnings != "" && warnings != "[]" {
		if err := json.Unmarshal([]byte(warnings), &r.Warnings); err != nil {
			return nil, fmt.Errorf("job run %d: decode warnings: %w", r.ID, err)
		}
	}
	r.LoadedStatus(status)
	var err error
	if r.StartedAt, err = parseTime(started); err != nil {
		return nil, err
	}
	if r.FinishedAt, err = parseNullTime(finished); err != nil {
		return nil, err
	}
	if r.HeartbeatAt, err = parseTime(heartbeat); err != nil {
		return nil, err
	}
	if counts != "" && counts != "{}" {
		if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
			return nil, fmt.Errorf("job run %d: decode counts: %w", r.ID, err)
		}
	}
	return &r, nil
}

func encodeCounts(c map[string]int64) (string, error) {
	if len(c) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode counts: %w", err)
	}
	return string(b), nil
}

// StartJobRun implements steward.JobRunStore; the partial unique index
// job_runs_one_running refuses a second running run of a job.
func (s *Store) StartJobRun(ctx context.Context, job string) (*steward.JobRun, error) {
	if job == "" {
		return nil, steward.Errorf(steward.EINVALID, "A job run needs a job name.")
	}
	now := s.now()
	run := &steward.JobRun{Job: job, Status: steward.JobRunning, StartedAt: now, HeartbeatAt: now}
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO job_runs (job, status, started_at, heartbeat_at)
			VALUES (?, 'running', ?, ?) RETURNING id`, job, formatTime(now), formatTime(now)).Scan(&run.ID)
	})
	if isUnique(err) {
		return nil, s.alreadyRunning(ctx, job)
	}
	if err != nil {
		return nil, fmt.Errorf("start job run %s: %w", job, err)
	}
	return run, nil
}

// alreadyRunning describes the running run of job as an ECONFLICT.
func (s *Store) alreadyRunning(ctx context.Context, job string) error {
	r, err := scanJobRun(s.read(ctx).QueryRowContext(ctx, selectJobRun+` WHERE job = ? AND status = 'running'`, job))
	if err != nil {
		return steward.Errorf(steward.ECONFLICT, "Job %s is already running.", job)
	}
	return steward.Errorf(steward.ECONFLICT, "Job %s is already running (run %d, started %s, last heartbeat %s).",
		job, r.ID, r.StartedAt.Format(time.RFC3339), r.HeartbeatAt.Format(time.RFC3339))
}

// notRunning explains why a run could not be updated: it does not exist,
// or it is not running any more.
func notRunning(ctx context.Context, tx *sql.Tx, runID int64) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM job_runs WHERE id = ?`, runID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return steward.Errorf(steward.ENOTFOUND, "Job run %d does not exist.", runID)
	}
	if err != nil {
		return err
	}
	return steward.Errorf(steward.ECONFLICT, "Job run %d is %s, no longer running.", runID, status)
}

// updateRunningJob runs query, an UPDATE of the running job run runID,
// and explains with notRunning when it updated nothing.
func (s *Store) updateRunningJob(ctx context.Context, runID int64, query string, args ...any) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notRunning(ctx, tx, runID)
		}
		return nil
	})
}

// SaveCheckpoint implements steward.JobRunStore.
func (s *Store) SaveCheckpoint(ctx context.Context, runID int64, checkpoint string, counts map[string]int64) error {
	cs, err := encodeCounts(counts)
	if err != nil {
		return err
	}
	err = s.updateRunningJob(ctx, runID, `UPDATE job_runs SET checkpoint = ?, counts = ?, heartbeat_at = ?
		WHERE id = ? AND status = 'running'`, checkpoint, cs, formatTime(s.now()), runID)
	if err != nil {
		return fmt.Errorf("save checkpoint of run %d: %w", runID, err)
	}
	return nil
}

// SetJobRunChanges implements steward.JobRunStore.
func (s *Store) SetJobRunChanges(ctx context.Context, runID int64, w steward.ChangeWindow) error {
	err := s.updateRunningJob(ctx, runID, `UPDATE job_runs SET full_scan = ?, changes_since = ?, change_mark = ?
		WHERE id = ? AND status = 'running'`, w.Full, w.Since, w.Mark, runID)
	if err != nil {
		return fmt.Errorf("set changes of run %d: %w", runID, err)
	}
	return nil
}

// FinishJobRun implements steward.JobRunStore.
func (s *Store) FinishJobRun(ctx context.Context, run *steward.JobRun) error {
	if err := steward.ValidJobRunEnd(run); err != nil {
		return err
	}
	cs, err := encodeCounts(run.Counts)
	if err != nil {
		return err
	}
	warnings, err := json.Marshal(slices.Clip(append([]string{}, run.Warnings...)))
	if err != nil {
		return err
	}
	now := s.now()
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE job_runs SET status = ?, finished_at = ?, heartbeat_at = ?,
			checkpoint = ?, counts = ?, error = ?, warnings = ? WHERE id = ? AND status = 'running'`,
			string(run.StoredStatus()), formatTime(now), formatTime(now), run.Checkpoint, cs, run.Error, warnings, run.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notRunning(ctx, tx, run.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish job run %d: %w", run.ID, err)
	}
	run.FinishedAt, run.HeartbeatAt = now, now
	return nil
}

// AbandonJobRun implements steward.JobRunStore.
func (s *Store) AbandonJobRun(ctx context.Context, job string, staleBefore time.Time) (*steward.JobRun, error) {
	var out *steward.JobRun
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		r, err := scanJobRun(tx.QueryRowContext(ctx, selectJobRun+` WHERE job = ? AND status = 'running'`, job))
		if errors.Is(err, sql.ErrNoRows) {
			return steward.Errorf(steward.ENOTFOUND, "No run of job %s is running.", job)
		}
		if err != nil {
			return err
		}
		now := s.now()
		if err := r.Abandon(staleBefore, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE job_runs SET status = 'failed', finished_at = ?, error = ?
			WHERE id = ? AND status = 'running'`, formatTime(now), r.Error, r.ID); err != nil {
			return err
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("abandon run of job %s: %w", job, err)
	}
	return out, nil
}

// JobRun implements steward.JobRunStore.
func (s *Store) JobRun(ctx context.Context, id int64) (*steward.JobRun, error) {
	r, err := scanJobRun(s.read(ctx).QueryRowContext(ctx, selectJobRun+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Job run %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get job run %d: %w", id, err)
	}
	return r, nil
}

// LastJobRun implements steward.JobRunStore.
func (s *Store) LastJobRun(ctx context.Context, job string) (*steward.JobRun, error) {
	r, err := scanJobRun(s.read(ctx).QueryRowContext(ctx, selectJobRun+` WHERE job = ? ORDER BY id DESC LIMIT 1`, job))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Job %s never ran.", job)
	}
	if err != nil {
		return nil, fmt.Errorf("get last run of job %s: %w", job, err)
	}
	return r, nil
}
