package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

const selectJobRun = `SELECT id, job, status, started_at, finished_at, heartbeat_at, checkpoint, counts, error, warnings,
	full_scan, changes_since, change_mark FROM job_runs`

func scanJobRun(row pgx.Row) (*steward.JobRun, error) {
	var (
		r        steward.JobRun
		finished *time.Time
		counts   map[string]int64
		status   steward.JobStatus
	)
	if err := row.Scan(&r.ID, &r.Job, &status, &r.StartedAt, &finished, &r.HeartbeatAt, &r.Checkpoint, &counts, &r.Error, &r.Warnings,
		&r.Changes.Full, &r.Changes.Since, &r.Changes.Mark); err != nil {
		return nil, err
	}
	if len(r.Warnings) == 0 {
		r.Warnings = nil
	}
	r.LoadedStatus(status)
	if finished != nil {
		r.FinishedAt = finished.UTC()
	}
	if len(counts) > 0 {
		r.Counts = counts
	}
	r.StartedAt, r.HeartbeatAt = r.StartedAt.UTC(), r.HeartbeatAt.UTC()
	return &r, nil
}

func countsValue(c map[string]int64) map[string]int64 {
	if c == nil {
		return map[string]int64{}
	}
	return c
}

// StartJobRun implements steward.JobRunStore; the partial unique index
// job_runs_one_running refuses a second running run of a job, also when two
// instances start it at the same moment.
func (s *Store) StartJobRun(ctx context.Context, job string) (*steward.JobRun, error) {
	if job == "" {
		return nil, steward.Errorf(steward.EINVALID, "A job run needs a job name.")
	}
	now := s.now()
	run := &steward.JobRun{Job: job, Status: steward.JobRunning, StartedAt: now, HeartbeatAt: now}
	_, err := s.one(ctx, func(row pgx.Row) error { return row.Scan(&run.ID) },
		`INSERT INTO job_runs (job, status, started_at, heartbeat_at)
		VALUES ($1, 'running', $2, $2) RETURNING id`, job, now)
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
	r, err := scanJobRun(s.read(ctx).QueryRow(ctx, selectJobRun+` WHERE job = $1 AND status = 'running'`, job))
	if err != nil {
		return steward.Errorf(steward.ECONFLICT, "Job %s is already running.", job)
	}
	return steward.Errorf(steward.ECONFLICT, "Job %s is already running (run %d, started %s, last heartbeat %s).",
		job, r.ID, r.StartedAt.Format(time.RFC3339), r.HeartbeatAt.Format(time.RFC3339))
}

// notRunning explains why a run could not be updated: it does not exist,
// or it is not running any more.
func notRunning(ctx context.Context, q querier, runID int64) error {
	var status string
	err := q.QueryRow(ctx, `SELECT status FROM job_runs WHERE id = $1`, runID).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return steward.Errorf(steward.ENOTFOUND, "Job run %d does not exist.", runID)
	}
	if err != nil {
		return err
	}
	return steward.Errorf(steward.ECONFLICT, "Job run %d is %s, no longer running.", runID, status)
}

// SaveCheckpoint implements steward.JobRunStore.
func (s *Store) SaveCheckpoint(ctx context.Context, runID int64, checkpoint string, counts map[string]int64) error {
	tag, err := s.one(ctx, nil, `UPDATE job_runs SET checkpoint = $1, counts = $2, heartbeat_at = $3
		WHERE id = $4 AND status = 'running'`, checkpoint, countsValue(counts), s.now(), runID)
	if err == nil && tag.RowsAffected() == 0 {
		err = notRunning(ctx, s.read(ctx), runID)
	}
	if err != nil {
		return fmt.Errorf("save checkpoint of run %d: %w", runID, err)
	}
	return nil
}

// SetJobRunChanges implements steward.JobRunStore.
func (s *Store) SetJobRunChanges(ctx context.Context, runID int64, w steward.ChangeWindow) error {
	tag, err := s.one(ctx, nil, `UPDATE job_runs SET full_scan = $1, changes_since = $2, change_mark = $3
		WHERE id = $4 AND status = 'running'`, w.Full, w.Since, w.Mark, runID)
	if err == nil && tag.RowsAffected() == 0 {
		err = notRunning(ctx, s.read(ctx), runID)
	}
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
	now := s.now()
	warnings := run.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	tag, err := s.one(ctx, nil, `UPDATE job_runs SET status = $1, finished_at = $2, heartbeat_at = $2,
		checkpoint = $3, counts = $4, error = $5, warnings = $6 WHERE id = $7 AND status = 'running'`,
		string(run.StoredStatus()), now, run.Checkpoint, countsValue(run.Counts), run.Error, warnings, run.ID)
	if err == nil && tag.RowsAffected() == 0 {
		err = notRunning(ctx, s.read(ctx), run.ID)
	}
	if err != nil {
		return fmt.Errorf("finish job run %d: %w", run.ID, err)
	}
	run.FinishedAt, run.HeartbeatAt = now, now
	return nil
}

// AbandonJobRun implements steward.JobRunStore.
func (s *Store) AbandonJobRun(ctx context.Context, job string, staleBefore time.Time) (*steward.JobRun, error) {
	var out *steward.JobRun
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		r, err := scanJobRun(tx.QueryRow(ctx, selectJobRun+` WHERE job = $1 AND status = 'running' FOR UPDATE`, job))
		if errors.Is(err, pgx.ErrNoRows) {
			return steward.Errorf(steward.ENOTFOUND, "No run of job %s is running.", job)
		}
		if err != nil {
			return err
		}
		now := s.now()
		if err := r.Abandon(staleBefore, now); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE job_runs SET status = 'failed', finished_at = $1, error = $2
			WHERE id = $3 AND status = 'running'`, now, r.Error, r.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return steward.Errorf(steward.ECONFLICT, "Run %d of job %s was taken over meanwhile.", r.ID, job)
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
	r, err := scanJobRun(s.read(ctx).QueryRow(ctx, selectJobRun+` WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Job run %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get job run %d: %w", id, err)
	}
	return r, nil
}

// LastJobRun implements steward.JobRunStore.
func (s *Store) LastJobRun(ctx context.Context, job string) (*steward.JobRun, error) {
	r, err := scanJobRun(s.read(ctx).QueryRow(ctx, selectJobRun+` WHERE job = $1 ORDER BY id DESC LIMIT 1`, job))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Job %s never ran.", job)
	}
	if err != nil {
		return nil, fmt.Errorf("get last run of job %s: %w", job, err)
	}
	return r, nil
}
