package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/steward-crm/steward"
)

// Job is one kind of scheduled work.
type Job interface {
	// Name is the job's name in the store and on the command line.
	Name() string
	// Run does the work. It resumes after run.Resume() when that is not "",
	// calls run.Checkpoint as it goes, counts what it does with run.Count,
	// and returns when done, on error, or when ctx ends.
	Run(ctx context.Context, run *Run) error
}

// Runner starts jobs as recorded runs.
type Runner struct {
	Store  steward.Store
	Logger *slog.Logger
	// StaleAfter is how long a running run may go without a heartbeat
	// before a new start takes it over as crashed. Runs send a heartbeat at
	// every checkpoint and every Heartbeat interval.
	StaleAfter time.Duration
	// Heartbeat is how often a run proves it is alive while it works.
	Heartbeat time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Options adjust one start of a job.
type Options struct {
	// Restart ignores the checkpoint of an earlier interrupted run and
	// starts from the beginning.
	Restart bool
	// Progress is called with the counts after every checkpoint; may be nil.
	Progress func(counts map[string]int64)
	// Full makes a job that follows changes (FollowsChanges) examine every
	// customer instead of those changed since its last successful run. An
	// interrupted run that was not full is started afresh.
	Full bool
}

// ChangeFollower is a Job that examines only the customers written since
// its last successful run (see steward.ChangeWindow): the runner takes the
// customers' change mark when a run starts and gives the run the window
// through Run.ChangedSince. A job that never succeeded, and a run with
// Options.Full, examines every customer.
type ChangeFollower interface {
	Job
	// FollowsChanges reports whether the job examines only changed
	// customers.
	FollowsChanges() bool
}

// Wrapper is a Job that runs another as it is, a share of it or with a
// progress bar around it: the runner asks the job inside whether it
// follows changes (ChangeFollower) or asks for a full run (FullRunAsker),
// so a wrapper need not forward each of them.
type Wrapper interface {
	Unwrap() Job
}

// inner returns the first of job and the jobs it wraps that is a T.
func inner[T any](job Job) (T, bool) {
	for {
		if t, ok := job.(T); ok {
			return t, true
		}
		w, ok := job.(Wrapper)
		if !ok {
			var zero T
			return zero, false
		}
		job = w.Unwrap()
	}
}

// FullRunAsker is a ChangeFollower whose work depends on settings that
// can change between runs (a standardizer's rules): it says why the
// customers its last successful run examined must be examined again
// ("rules_changed"), or "". The runner then runs it over every customer
// and counts the reason as "full_because:REASON".
type FullRunAsker interface {
	FullRunBecause(last *steward.JobRun) string
}

// Run is the handle a Job works through: its stored run, the point to
// resume from, counts and checkpoints.
type Run struct {
	// Record is the stored run; its ID names the run in audit causes.
	Record *steward.JobRun
	// Store is the database the job works on.
	Store steward.Store

	resume   string
	changes  steward.ChangeWindow
	full     bool
	keep     bool
	all      bool
	progress func(map[string]int64)
	mu       sync.Mutex
	counts   map[string]int64
	cp       string
	warnings []string
}

// ChangedSince returns the change mark the run examines customers from
// (steward.CustomerFilter.ChangedSince), 0 when it examines every
// customer.
func (r *Run) ChangedSince() int64 {
	if r.changes.Full {
		return 0
	}
	return r.changes.Since
}

// FullRequested reports whether the run was started with Options.Full: a
// job that hands its work to others (shares) passes it on.
func (r *Run) FullRequested() bool { return r.full }

// KeepChangeMark says that the run left customers it examined due for the
// next run (an address whose check could not be done): the next run then
// starts from the same mark as this one instead of the mark this one took.
func (r *Run) KeepChangeMark() {
	r.mu.Lock()
	r.keep = true
	r.mu.Unlock()
}

// ExaminedAll says that the run examined every customer though it was
// given the customers changed since a mark (a job that found a full pass
// due, as dedupe after a retrain): the run is recorded as full, and its
// mark stays the one it took, for the next run to start from.
func (r *Run) ExaminedAll() {
	r.mu.Lock()
	r.all = true
	r.mu.Unlock()
}

// Resume returns the checkpoint to continue after, "" to start afresh.
func (r *Run) Resume() string { return r.resume }

// Cause returns the audit cause for changes made by this run,
// "job:NAME:ID".
func (r *Run) Cause() string { return fmt.Sprintf("job:%s:%d", r.Record.Job, r.Record.ID) }

// Meta returns the audit meta for changes made by this run.
func (r *Run) Meta() steward.Meta {
	return steward.Meta{Actor: "job:" + r.Record.Job, Cause: r.Cause()}
}

// Count adds n to the named count.
func (r *Run) Count(name string, n int64) {
	r.mu.Lock()
	r.counts[name] += n
	r.mu.Unlock()
}

// Warn records something the run found that a person should know (a
// quality threshold crossed): the run then ends as steward.JobWarning
// instead of succeeded.
func (r *Run) Warn(msg string) {
	r.mu.Lock()
	r.warnings = append(r.warnings, msg)
	r.mu.Unlock()
}

func (r *Run) warningList() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.warnings)
}

// Counts returns a copy of the counts so far.
func (r *Run) Counts() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.counts)
}

// Checkpoint stores cp as the point to resume after, with the counts so
// far. s is the store to write through: pass the transaction's store from
// inside Store.Atomic so the checkpoint commits together with the work it
// describes, which makes a resume exact. A job that works in batches uses
// Step instead, which keeps its counts exact too.
func (r *Run) Checkpoint(ctx context.Context, s steward.Store, cp string) error {
	counts := r.Counts()
	if err := s.SaveCheckpoint(ctx, r.Record.ID, cp, counts); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	r.mu.Lock()
	r.cp = cp
	r.mu.Unlock()
	if r.progress != nil {
		r.progress(counts)
	}
	return nil
}

// Step is one step of a job that works in batches: what it counts, and the
// checkpoint it reaches.
type Step struct {
	counts map[string]int64
	cp     string
	set    bool
}

// Count adds n to the named count of the step.
func (s *Step) Count(name string, n int64) { s.counts[name] += n }

// Checkpoint sets the point the step reaches: the run resumes after it.
func (s *Step) Checkpoint(cp string) { s.cp, s.set = cp, true }

// Step runs one step of the job in a transaction: fn does the work through
// the transaction's store and counts it on st. The step's checkpoint is
// stored with the run's counts including the step's, in the same
// transaction, and both become the run's only once it commits. So the
// counts a run records always describe exactly the work up to its
// checkpoint, and a run resumed after a crash adds exactly the rest.
func (r *Run) Step(ctx context.Context, fn func(ctx context.Context, s steward.Store, st *Step) error) error {
	var st *Step
	var counts map[string]int64
	err := r.Store.Atomic(ctx, func(ctx context.Context, s steward.Store) error {
		st = &Step{counts: make(map[string]int64)}
		if err := fn(ctx, s, st); err != nil {
			return err
		}
		counts = r.Counts()
		for k, n := range st.counts {
			counts[k] += n
		}
		if !st.set {
			return nil
		}
		if err := s.SaveCheckpoint(ctx, r.Record.ID, st.cp, counts); err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.counts = counts
	if st.set {
		r.cp = st.cp
	}
	r.mu.Unlock()
	if r.progress != nil {
		r.progress(maps.Clone(counts))
	}
	return nil
}

func (r *Run) checkpoint() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cp
}

func (rn *Runner) now() time.Time {
	if rn.Now != nil {
		return rn.Now()
	}
	return time.Now()
}

// Start runs job once as a recorded run and returns the finished run. It
// refuses with ECONFLICT while a live run of the same job is going on; it
// takes over a run whose process died (no heartbeat for StaleAfter) and
// resumes from the last checkpoint of an interrupted run unless
// opts.Restart. The run is recorded as failed when job.Run returns an error
// (including cancellation), with its checkpoint kept for the next start.
func (rn *Runner) Start(ctx context.Context, job Job, opts Options) (*steward.JobRun, error) {
	last, err := rn.takeOver(ctx, job.Name())
	if err != nil {
		return nil, err
	}
	resume := ""
	if last != nil {
		resume = last.Checkpoint
	}
	follows := false
	if f, ok := inner[ChangeFollower](job); ok {
		follows = f.FollowsChanges()
	}
	if opts.Restart || (follows && opts.Full && last != nil && !last.Changes.Full) {
		resume, last = "", nil
	}
	// The start is recorded even when ctx ends meanwhile: a shutdown that
	// cancelled the insert after PostgreSQL committed it would leave a run
	// "running" that nobody owns, refusing every start until it goes stale.
	startCtx, cancel := finishContext(ctx)
	rec, err := rn.Store.StartJobRun(startCtx, job.Name())
	cancel()
	if err != nil {
		return nil, err
	}
	// Until the job runs, the new run keeps the point to resume after and
	// the interrupted run's customers: a failure before then (a shutdown
	// too) must not leave a run without them as the last, or the next
	// start would examine every customer.
	rec.Checkpoint = resume
	inherited := follows && resume != "" && last.Changes.Mark != 0
	if inherited {
		finishCtx, cancel := finishContext(ctx)
		err := rn.Store.SetJobRunChanges(finishCtx, rec.ID, last.Changes)
		cancel()
		if err != nil {
			return nil, rn.fail(ctx, rec, err)
		}
		rec.Changes = last.Changes
	}
	if err := ctx.Err(); err != nil {
		return nil, rn.fail(ctx, rec, err)
	}
	var changes steward.ChangeWindow
	fullBecause := ""
	switch {
	case inherited:
		changes = rec.Changes
	case follows:
		// An interrupted run from before changes were followed resumes
		// as a full run.
		if changes, fullBecause, err = rn.changeWindow(ctx, job, opts.Full || resume != ""); err != nil {
			return nil, rn.fail(ctx, rec, err)
		}
		if err := rn.Store.SetJobRunChanges(ctx, rec.ID, changes); err != nil {
			return nil, rn.fail(ctx, rec, err)
		}
		rec.Changes = changes
	}
	log := rn.logger().With("job", job.Name(), "run", rec.ID)
	if resume != "" {
		log.Info("job resuming", "after", resume)
	} else {
		log.Info("job started")
	}
	run := &Run{Record: rec, Store: rn.Store, resume: resume, progress: opts.Progress,
		counts: make(map[string]int64), cp: resume, changes: changes, full: opts.Full}
	if fullBecause != "" {
		run.Count("full_because:"+fullBecause, 1)
	}

	stop := rn.heartbeat(ctx, run)
	runErr := job.Run(ctx, run)
	stop()

	rec.Checkpoint = run.checkpoint()
	rec.Counts = run.Counts()
	rec.Status = steward.JobSucceeded
	if rec.Warnings = run.warningList(); len(rec.Warnings) > 0 {
		rec.Status = steward.JobWarning
	}
	if runErr != nil {
		rec.Status, rec.Warnings = steward.JobFailed, nil
		rec.Error = steward.ErrorText(runErr)
	}
	// Record the end even when ctx was cancelled: the run must not stay
	// "running" because the user pressed Ctrl-C.
	finishCtx, cancel := finishContext(ctx)
	defer cancel()
	run.mu.Lock()
	all := run.all && !rec.Changes.Full
	run.mu.Unlock()
	if runErr == nil && follows && (run.keep || resume != "" || all) {
		if run.keep || resume != "" {
			// The next run starts where this one did (a full run's
			// successor is full again). A resumed run does not know what
			// the interrupted part left due, so it keeps the mark too.
			rec.Changes.Mark = run.ChangedSince()
		}
		if all {
			rec.Changes.Full, rec.Changes.Since = true, 0
		}
		if err := rn.Store.SetJobRunChanges(finishCtx, rec.ID, rec.Changes); err != nil {
			runErr = err
			rec.Status, rec.Warnings, rec.Error = steward.JobFailed, nil, steward.ErrorText(err)
		}
	}
	if err := rn.Store.FinishJobRun(finishCtx, rec); err != nil {
		return rec, errors.Join(runErr, fmt.Errorf("record end of run %d: %w", rec.ID, err))
	}
	if runErr != nil {
		log.Error("job failed", "error", runErr, "checkpoint", rec.Checkpoint, "counts", rec.Counts)
		return rec, runErr
	}
	log.Info("job finished", "counts", rec.Counts, "took", rec.FinishedAt.Sub(rec.StartedAt).Round(time.Millisecond).String())
	if p, ok := rn.Store.(ChangePruner); ok && follows {
		// The marks the jobs start from moved on: what no run reads any
		// more can go. A failure costs only room, and is retried after
		// the next run.
		if n, err := p.PruneCustomerChanges(finishCtx); err != nil {
			log.Warn("prune customer changes", "error", err)
		} else if n > 0 {
			log.Debug("pruned customer changes", "transactions", n)
		}
	}
	return rec, nil
}

// ChangePruner is a store that keeps a record of the transactions that
// wrote customers (PostgreSQL) and can forget those before every mark an
// incremental run may still start from. The runner prunes after each
// successful run of a job that follows changes.
type ChangePruner interface {
	PruneCustomerChanges(ctx context.Context) (int64, error)
}

// changeWindow takes the customers' change mark for a new run of job: the
// run examines the customers changed since the mark of the job's last
// successful run, or every customer when full or when there is none.
func (rn *Runner) changeWindow(ctx context.Context, job Job, full bool) (steward.ChangeWindow, string, error) {
	mark, err := rn.Store.CustomerChangeMark(ctx)
	if err != nil {
		return steward.ChangeWindow{}, "", err
	}
	w := steward.ChangeWindow{Full: true, Mark: mark}
	if full {
		return w, "", nil
	}
	ok, err := rn.Store.JobRuns(ctx, steward.JobRunFilter{Job: job.Name(), Succeeded: true, Limit: 1})
	if err != nil {
		return steward.ChangeWindow{}, "", fmt.Errorf("last successful run of %s: %w", job.Name(), err)
	}
	if len(ok) == 1 && ok[0].Changes.Mark != 0 {
		if a, isAsker := inner[FullRunAsker](job); isAsker {
			if why := a.FullRunBecause(ok[0]); why != "" {
				return w, why, nil
			}
		}
		w.Full, w.Since = false, ok[0].Changes.Mark
	}
	return w, "", nil
}

// fail records rec, just started, as failed with err before the job ran,
// and returns err.
func (rn *Runner) fail(ctx context.Context, rec *steward.JobRun, err error) error {
	rec.Status, rec.Error = steward.JobFailed, steward.ErrorText(err)
	finishCtx, cancel := finishContext(ctx)
	defer cancel()
	return errors.Join(err, rn.Store.FinishJobRun(finishCtx, rec))
}

// finishContext bounds the recording of a run's end, which happens even
// when ctx was cancelled: a run must not stay "running" because the user
// pressed Ctrl-C.
func finishContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

// takeOver looks at the job's last run and returns it when the next run
// resumes from its checkpoint: a failed run, or a running run whose
// process died (which it marks failed); nil when the next run starts
// afresh. A live running run is ECONFLICT.
func (rn *Runner) takeOver(ctx context.Context, job string) (*steward.JobRun, error) {
	last, err := rn.Store.LastJobRun(ctx, job)
	if steward.ErrorCode(err) == steward.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("last run of %s: %w", job, err)
	}
	switch last.Status {
	case steward.JobSucceeded, steward.JobWarning:
		return nil, nil
	case steward.JobFailed:
		return last, nil
	}
	abandoned, err := rn.Store.AbandonJobRun(ctx, job, rn.now().Add(-rn.StaleAfter))
	if steward.ErrorCode(err) == steward.ECONFLICT {
		return nil, steward.Errorf(steward.ECONFLICT,
			"Job %s is already running (run %d, started %s, last heartbeat %s); wait for it to finish. "+
				"If its process has died, a start after %s without a heartbeat takes the run over and resumes it.",
			job, last.ID, last.StartedAt.Format(time.RFC3339), last.HeartbeatAt.Format(time.RFC3339),
			last.HeartbeatAt.Add(rn.StaleAfter).Format(time.RFC3339))
	} else if steward.ErrorCode(err) == steward.ENOTFOUND {
		// It finished between the two calls.
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("take over run %d of %s: %w", last.ID, job, err)
	}
	rn.logger().Warn("took over a run whose process stopped", "job", job, "run", abandoned.ID, "checkpoint", abandoned.Checkpoint)
	return abandoned, nil
}

// heartbeat refreshes the run's heartbeat until the returned stop is
// called, so long phases without checkpoints are not taken for a crash.
func (rn *Runner) heartbeat(ctx context.Context, run *Run) (stop func()) {
	every := rn.Heartbeat
	if every <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := rn.Store.SaveCheckpoint(ctx, run.Record.ID, run.checkpoint(), run.Counts()); err != nil && ctx.Err() == nil {
					rn.logger().Warn("job heartbeat", "job", run.Record.Job, "run", run.Record.ID, "error", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

func (rn *Runner) logger() *slog.Logger {
	if rn.Logger != nil {
		return rn.Logger
	}
	return slog.New(slog.DiscardHandler)
}
