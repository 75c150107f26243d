package riverjobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/jobs"
)

// ShareArgs is the River job of one share of a job split by customer id
// range (jobs.Share): any instance's worker runs it.
type ShareArgs struct {
	Job     string `json:"job"`
	From    int64  `json:"from"`
	Through int64  `json:"through"`
	// Full makes the share examine every customer of its range (a run
	// started with jobs.Options.Full), not those changed since its last
	// successful run.
	Full bool `json:"full,omitempty"`
}

// Kind names the job in River's tables.
func (ShareArgs) Kind() string { return "steward_share" }

// InsertOpts makes a share unique while it waits or runs, so a schedule
// run taken over after its instance died waits for the shares already
// under way rather than adding them twice; a finished share may run again
// another night.
func (ShareArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueShares, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// Defaults of Sharing.
const (
	// DefaultShareWidth is how many customer ids a share covers.
	DefaultShareWidth = 50000
	// DefaultShareTimeout is how long a share may run; River hands a share
	// whose instance died to another instance once it has passed.
	DefaultShareTimeout = 15 * time.Minute
	// sharePoll is how often a split job looks at its shares.
	sharePoll = 500 * time.Millisecond
)

// Sharing splits the jobs that can work on a range of customer ids
// (standardize, verify-emails: jobs.Ranged) into River jobs, so that every
// instance serving the database works on a large nightly run; a share
// whose instance died is retried elsewhere from its own checkpoint. Jobs
// that cannot be split (dedupe) run whole on the instance that runs the
// schedule.
type Sharing struct {
	// Build builds the job a share runs, by name ("standardize").
	Build func(ctx context.Context, name string) (jobs.Job, error)
	// Runner records each share as a job run of its own.
	Runner *jobs.Runner
	// Width is the customer ids a share covers; 0 is DefaultShareWidth.
	Width int64
	// Timeout is how long a share may run; 0 is DefaultShareTimeout.
	Timeout time.Duration

	mu     sync.Mutex
	client *river.Client[pgx.Tx]
}

func (s *Sharing) setClient(c *river.Client[pgx.Tx]) {
	s.mu.Lock()
	s.client = c
	s.mu.Unlock()
}

func (s *Sharing) riverClient() *river.Client[pgx.Tx] {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client
}

// Wrap returns j split into shares when it is a Ranged job (and s is
// set), else j as it is.
func (s *Sharing) Wrap(j jobs.Job) jobs.Job {
	if r, ok := j.(jobs.Ranged); ok && s != nil {
		return &splitJob{sharing: s, job: r}
	}
	return j
}

func (s *Sharing) width() int64 {
	if s.Width > 0 {
		return s.Width
	}
	return DefaultShareWidth
}

// splitJob runs a Ranged job as shares: it enqueues one River job a range
// of ids, waits for them all, and counts what they did. It is recorded
// under the job's own name, so its success is the job's.
type splitJob struct {
	sharing *Sharing
	job     jobs.Ranged
}

func (j *splitJob) Name() string { return j.job.Name() }

func (j *splitJob) Run(ctx context.Context, run *jobs.Run) error {
	client := j.sharing.riverClient()
	if client == nil {
		return j.job.Run(ctx, run) // River not started: run whole
	}
	stats, err := run.Store.Stats(ctx)
	if err != nil {
		return fmt.Errorf("split %s: %w", j.Name(), err)
	}
	ranges := jobs.Shares(stats.MaxCustomerID, j.sharing.width())
	run.Count("shares", int64(len(ranges)))
	if len(ranges) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(ranges))
	for i, r := range ranges {
		params[i] = river.InsertManyParams{Args: ShareArgs{Job: j.Name(), From: r.From, Through: r.Through, Full: run.FullRequested()}}
	}
	res, err := client.InsertMany(ctx, params)
	if err != nil {
		return fmt.Errorf("enqueue the shares of %s: %w", j.Name(), err)
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.Job.ID
	}
	if err := waitShares(ctx, client, j.Name(), ids); err != nil {
		return err
	}
	for _, r := range ranges {
		last, err := run.Store.LastJobRun(ctx, jobs.ShareName(j.Name(), r))
		if err != nil {
			return fmt.Errorf("counts of share %s: %w", jobs.ShareName(j.Name(), r), err)
		}
		for k, v := range last.Counts {
			run.Count(k, v)
		}
	}
	return nil
}

// waitShares waits until the River jobs ids are all completed. A share
// that failed (not one rescued from a dead instance, which is retried)
// fails the job and cancels the shares not yet done; so does ctx ending.
func waitShares(ctx context.Context, client *river.Client[pgx.Tx], job string, ids []int64) error {
	cancelAll := func() {
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		for _, id := range ids {
			_, _ = client.JobCancel(stop, id) // a finished share stays as it is
		}
	}
	pending := ids
	t := time.NewTicker(sharePoll)
	defer t.Stop()
	for {
		var still []int64
		for _, id := range pending {
			row, err := client.JobGet(ctx, id)
			if err != nil {
				if ctx.Err() != nil {
					cancelAll()
					return ctx.Err()
				}
				return fmt.Errorf("look at share %d of %s: %w", id, job, err)
			}
			switch {
			case row.State == rivertype.JobStateCompleted:
			case row.State == rivertype.JobStateCancelled, row.State == rivertype.JobStateDiscarded,
				row.State == rivertype.JobStateRetryable && !rescued(row):
				cancelAll()
				return shareFailed(job, row)
			default:
				still = append(still, id)
			}
		}
		if pending = still; len(pending) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			cancelAll()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// rescued reports whether a share's last error is River's rescue of a
// job whose instance died: it is retried, not a failure.
func rescued(row *rivertype.JobRow) bool {
	return len(row.Errors) > 0 && strings.Contains(row.Errors[len(row.Errors)-1].Error, "rescued")
}

func shareFailed(job string, row *rivertype.JobRow) error {
	var args ShareArgs
	_ = json.Unmarshal(row.EncodedArgs, &args)
	msg := string(row.State)
	if len(row.Errors) > 0 {
		msg = row.Errors[len(row.Errors)-1].Error
	}
	return fmt.Errorf("share %s of %s: %s", jobs.ShareName(job, jobs.IDRange{From: args.From, Through: args.Through}), job, msg)
}

// shareWorker runs one share as a recorded job run.
type shareWorker struct {
	river.WorkerDefaults[ShareArgs]
	sharing *Sharing
}

// Timeout bounds a share: River rescues a share whose instance died only
// after it, and hands it to another instance.
func (w *shareWorker) Timeout(*river.Job[ShareArgs]) time.Duration {
	if w.sharing.Timeout > 0 {
		return w.sharing.Timeout
	}
	return DefaultShareTimeout
}

// Work runs the share, resuming from its checkpoint when an earlier
// attempt died; a share still running elsewhere (ECONFLICT) is tried
// again later, by River's retry.
func (w *shareWorker) Work(ctx context.Context, job *river.Job[ShareArgs]) error {
	j, err := w.sharing.Build(ctx, job.Args.Job)
	if err != nil {
		return river.JobCancel(err)
	}
	r, ok := j.(jobs.Ranged)
	if !ok {
		return river.JobCancel(steward.Errorf(steward.EINVALID, "Job %s cannot be split into shares.", job.Args.Job))
	}
	_, err = w.sharing.Runner.Start(ctx, jobs.Share(r, jobs.IDRange{From: job.Args.From, Through: job.Args.Through}), jobs.Options{Full: job.Args.Full})
	return err
}
