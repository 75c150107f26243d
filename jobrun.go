package steward

import (
	"context"
	"time"
)

// JobStatus is the state of a job run.
type JobStatus string

// Job run statuses.
const (
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
	// JobWarning is a run that succeeded and warns about what it found
	// (a quality threshold crossed): see JobRun.Warnings.
	JobWarning JobStatus = "warning"
)

// JobRun is one recorded run of a scheduled or hand-started job.
type JobRun struct {
	ID         int64     `json:"id"`
	Job        string    `json:"job"`
	Status     JobStatus `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// HeartbeatAt is the last time the run proved it was alive (start,
	// every checkpoint). A running run whose heartbeat is old belongs to a
	// process that died; see JobRunStore.AbandonJobRun.
	HeartbeatAt time.Time `json:"heartbeat_at"`
	// Checkpoint is the job's own resume token (e.g. the last customer id
	// done); the store keeps it as it is.
	Checkpoint string           `json:"checkpoint,omitempty"`
	Counts     map[string]int64 `json:"counts,omitempty"`
	Error      string           `json:"error,omitempty"`
	// Warnings are what a run that succeeded warns about; its status is
	// then JobWarning.
	Warnings []string `json:"warnings,omitempty"`
	// Changes says which customers a run of a job that follows changes
	// (standardize, verify-emails) examined; zero for other jobs.
	Changes ChangeWindow `json:"changes,omitzero"`
}

// ChangeWindow is the part of the customers a run of an incremental job
// examines: all of them (Full), or those written since the mark the last
// successful run took (Since); and the mark this run took when it started
// (Mark), which the job's next run starts from once this one succeeded.
type ChangeWindow struct {
	Full  bool  `json:"full,omitempty"`
	Since int64 `json:"since,omitempty"`
	Mark  int64 `json:"mark,omitempty"`
}

// JobRunStore records job runs and guarantees, in the database itself, that
// a job never has two running runs at once, even across processes and
// machines.
//
// Resuming after a crash: a run left "running" by a process that died keeps
// its last checkpoint and an old HeartbeatAt. A new process calls
// LastJobRun; if that run is running with a heartbeat older than the job's
// staleness limit, it calls AbandonJobRun(job, now minus the limit), which
// marks it failed (an operator who knows the process is gone passes now
// itself), then StartJobRun, and continues from the abandoned run's
// Checkpoint. A failed run's checkpoint can be resumed the same way. Two
// processes racing to take over cannot both win: the abandon and the start
// are each guarded in the database.
type JobRunStore interface {
	// StartJobRun records a new running run of job and returns it, or
	// returns ECONFLICT while another run of the same job is running.
	StartJobRun(ctx context.Context, job string) (*JobRun, error)
	// SaveCheckpoint stores the run's checkpoint and counts and refreshes
	// its heartbeat. It returns ECONFLICT when the run is no longer running
	// (it was finished or abandoned), so a process that lost its run stops.
	SaveCheckpoint(ctx context.Context, runID int64, checkpoint string, counts map[string]int64) error
	// FinishJobRun stores run's final status (succeeded or failed), error,
	// checkpoint and counts and sets run.FinishedAt. ECONFLICT when the run
	// is not running any more.
	FinishJobRun(ctx context.Context, run *JobRun) error
	// AbandonJobRun marks the running run of job as failed when its
	// heartbeat is older than staleBefore, and returns it (with its last
	// checkpoint). ENOTFOUND when no run of job is running; ECONFLICT when
	// the running one is still fresh.
	AbandonJobRun(ctx context.Context, job string, staleBefore time.Time) (*JobRun, error)
	// SetJobRunChanges stores which customers the running run examines,
	// so that a run resumed after a crash examines the same ones.
	// ECONFLICT when the run is no longer running.
	SetJobRunChanges(ctx context.Context, runID int64, w ChangeWindow) error
	// JobRun returns one run by id, or ENOTFOUND.
	JobRun(ctx context.Context, id int64) (*JobRun, error)
	// LastJobRun returns the most recently started run of job, or
	// ENOTFOUND if it never ran.
	LastJobRun(ctx context.Context, job string) (*JobRun, error)
	// JobRuns returns the runs matching f, the most recently started
	// first.
	JobRuns(ctx context.Context, f JobRunFilter) ([]*JobRun, error)
}

// JobRunFilter selects job runs, newest first.
type JobRunFilter struct {
	// Job keeps the runs of one job; "" keeps all.
	Job string
	// Before keeps runs with an id below it, to page on; 0 starts with
	// the newest.
	Before int64
	// Limit caps the number returned; 0 means no limit.
	Limit int
	// Succeeded keeps the runs that succeeded (warnings included).
	Succeeded bool
}

// ValidJobRunEnd reports whether run may be stored by FinishJobRun: a final
// status and a job name. Stores call it so that every backend refuses the
// same things.
func ValidJobRunEnd(run *JobRun) error {
	if run.Status != JobSucceeded && run.Status != JobFailed && run.Status != JobWarning {
		return Errorf(EINVALID, "A job run ends as %s, %s or %s, not %q.", JobSucceeded, JobWarning, JobFailed, run.Status)
	}
	if (run.Status == JobWarning) != (len(run.Warnings) > 0) {
		return Errorf(EINVALID, "A job run ends as %s exactly when it has warnings.", JobWarning)
	}
	return nil
}

// Abandon marks a running run whose process died as failed at now, when
// its heartbeat is older than staleBefore; a run that is still alive is
// ECONFLICT and is left as it is. Stores call it inside the transaction
// that then writes the run, so that every backend decides alike.
func (r *JobRun) Abandon(staleBefore, now time.Time) error {
	if !r.HeartbeatAt.Before(staleBefore) {
		return Errorf(ECONFLICT, "Run %d of job %s is alive (last heartbeat %s).",
			r.ID, r.Job, r.HeartbeatAt.Format(time.RFC3339))
	}
	r.Status, r.FinishedAt = JobFailed, now
	r.Error = "abandoned: no heartbeat since " + r.HeartbeatAt.Format(time.RFC3339)
	return nil
}

// Job names, shared by "steward run", the scheduler and the rules file's
// schedules. The job registry (internal/jobs) builds each one.
const (
	JobSuppress     = "suppress"
	JobStandardize  = "standardize"
	JobVerifyEmails = "verify-emails"
	JobDedupe       = "dedupe"
	JobSnapshot     = "snapshot"
)

// JobNames lists every job name in the order a night runs them: bounces
// and unsubscribes first (so that nothing is verified or merged for an
// address already suppressed), the snapshot last.
func JobNames() []string {
	return []string{JobSuppress, JobStandardize, JobVerifyEmails, JobDedupe, JobSnapshot}
}

// StoredStatus returns the status stores keep for a run: a run with
// warnings is kept as succeeded, with its warnings beside.
func (r *JobRun) StoredStatus() JobStatus {
	if r.Status == JobWarning {
		return JobSucceeded
	}
	return r.Status
}

// LoadedStatus sets r.Status from a stored status and r.Warnings: a
// succeeded run with warnings is JobWarning.
func (r *JobRun) LoadedStatus(stored JobStatus) {
	r.Status = stored
	if stored == JobSucceeded && len(r.Warnings) > 0 {
		r.Status = JobWarning
	}
}
