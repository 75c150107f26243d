package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/rules"
)

const runUsage = `JOB [--db PATH|URL] [--rules FILE] [--full] [--restart] [--offline] [--dns HOST:PORT] [--json]

Runs a job against the database as a recorded run. JOB is one of:
  suppress       ingest the rules' suppression.inbox and import suppression.esp_dir
  standardize    bring every active customer's fields into standard form
  verify-emails  check addresses not checked within the rules' window
  dedupe         find duplicate customers and queue merge suggestions
  nightly        every job above, in that order (the night's work for cron);
                 a job that fails does not stop the ones after it

A job never runs twice at once (exit 4 while one runs). A run that was
interrupted (Ctrl-C, a crash, kill -9) is resumed from its last checkpoint
by the next start; --restart starts from the beginning instead. A run whose
process died is taken over once its heartbeat is older than two minutes.

standardize and verify-emails are incremental: a run examines only the
customers written since the last successful run of the job started (and
verify-emails the addresses whose check is past the window); --full
examines every customer, as does the first run.`

// staleRunAfter is how long a running run may be silent before a new start
// takes it over as crashed; runs send a heartbeat every heartbeatEvery.
const (
	staleRunAfter  = 2 * time.Minute
	heartbeatEvery = 20 * time.Second
)

// runJob is "steward run JOB".
func runJob(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "run", runUsage)
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	restart := fs.Bool("restart", false, "ignore the checkpoint of an interrupted run and start from the beginning")
	full := fs.Bool("full", false, "standardize, verify-emails, dedupe: examine every customer, not only those changed since the last successful run")
	offline := fs.Bool("offline", false, "verify-emails: check syntax and lists only, ask no DNS server")
	dnsServer := fs.String("dns", "", "verify-emails: DNS server HOST:PORT (default: the rules file's, else /etc/resolv.conf)")
	indexCache := fs.String("index-cache", "", indexCacheUsage+"; dedupe writes the index it built there for the next import")
	asJSON := fs.Bool("json", false, `print one JSON object: {"runs": [the finished runs]}`)
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return usagef("steward run standardize | verify-emails | dedupe | nightly", "name the job to run")
	}
	name := args[0]
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("flags go after the job name", "unexpected argument %q", fs.Arg(0))
	}
	r, err := loadRules(env, *rulesPath)
	if err != nil {
		return err
	}
	var st steward.Store // opened once the job is known to exist
	reg := jobRegistry(env, func() steward.Store { return st }, r, *offline, *dnsServer, indexCachePath(env, *db, *indexCache))
	registerSuppressJob(reg, env, func() steward.Store { return st }, r, *db, *offline, *dnsServer)
	names := []string{name}
	if name == "nightly" {
		names = reg.Names()
	} else if !reg.Has(name) {
		_, err := reg.Build(ctx, name)
		return usagef("jobs: "+strings.Join(reg.Names(), ", ")+", nightly", "%s", steward.ErrorMessage(err))
	}
	if slices.Contains(names, steward.JobVerifyEmails) {
		// A DNS setting that cannot work stops "run nightly" at once, not
		// after standardize.
		if _, err := emailVerifier(r, *offline, *dnsServer); err != nil {
			return err
		}
	}
	opened, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer opened.Close()
	st = opened
	runner := &jobs.Runner{Store: st, Logger: envLogger(env), StaleAfter: staleRunAfter, Heartbeat: heartbeatEvery}
	var done []*steward.JobRun
	err = runJobsInOrder(ctx, reg, runner, names, jobs.Options{Restart: *restart, Full: *full}, nil, func(_ string, rec *steward.JobRun) {
		done = append(done, rec)
		if !*asJSON {
			printRun(env, rec)
		}
	})
	if *asJSON {
		if jerr := writeRunsJSON(env, done); err == nil {
			return jerr
		}
	}
	return err
}

// runJobsInOrder runs the named jobs in order, each as a recorded run, and calls
// done with every run recorded. The nightly jobs are independent (a DNS
// server that is down must not keep the duplicates from being found or
// the quality snapshot from being taken), so a job that fails does not
// stop the ones after it; the end of ctx (Ctrl-C, steward shutting down)
// does. wrap, when set, gives the job to start in place of a built one.
// The error is the failure's when one job failed; when several did it
// names them, with the first one's code (its exit status), and wraps them
// all.
func runJobsInOrder(ctx context.Context, reg *jobs.Registry, runner *jobs.Runner, names []string, opts jobs.Options, wrap func(jobs.Job) jobs.Job, done func(name string, rec *steward.JobRun)) error {
	var failed []string
	var errs []error
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			if !errors.Is(errors.Join(errs...), err) { // the job it ended says so already
				errs = append(errs, err)
			}
			break
		}
		job, err := reg.Build(ctx, name)
		if err == nil {
			run := job
			if wrap != nil {
				run = wrap(job)
			}
			var rec *steward.JobRun
			rec, err = runner.Start(ctx, run, opts)
			if b, ok := job.(*barJob); ok {
				b.end(err)
			}
			if rec != nil {
				done(name, rec)
			}
		}
		if err != nil {
			failed = append(failed, name)
			errs = append(errs, fmt.Errorf("job %s: %w", name, err))
		}
	}
	if len(failed) < 2 {
		return errors.Join(errs...)
	}
	texts := make([]string, len(errs))
	for i, e := range errs {
		texts[i] = steward.ErrorText(e)
	}
	je := &jobsError{msg: fmt.Sprintf("Jobs %s failed (the others ran): %s", strings.Join(failed, ", "), strings.Join(texts, "; ")), errs: errs}
	// The exit status is that of the first failure with a known cause.
	for _, e := range errs {
		if code := steward.ErrorCode(e); code != steward.EINTERNAL {
			je.coded = &steward.Error{Code: code, Message: je.msg}
			break
		}
	}
	return je
}

// jobsError is the failure of several jobs of one run: one message that
// names them all, the code of the first failure that has one, and every
// failure for errors.Is.
type jobsError struct {
	msg   string
	coded *steward.Error // nil when every failure is internal
	errs  []error
}

func (e *jobsError) Error() string { return e.msg }

func (e *jobsError) Unwrap() []error {
	if e.coded == nil {
		return e.errs
	}
	return append([]error{e.coded}, e.errs...)
}

// jobRegistry is the registry of the jobs this build runs, made from the
// rules: each job with a progress bar, working on the database store
// returns when it is built. verify-emails asks the DNS server
// the rules (or dnsServer) name, or none when offline; dedupe leaves the
// index it built in the cache file, when there is one.
func jobRegistry(env *Env, store func() steward.Store, r *rules.Rules, offline bool, dnsServer, cache string) *jobs.Registry {
	log := envLogger(env)
	reg := &jobs.Registry{}
	reg.Register(steward.JobStandardize, func(ctx context.Context) (jobs.Job, error) {
		total, err := store().CountCustomers(ctx, steward.StatusActive)
		if err != nil {
			return nil, fmt.Errorf("count customers: %w", err)
		}
		bar := progress.New(steward.JobStandardize, total, env.Stderr, env.Terminal, log)
		return withBar(&jobs.Standardize{Options: r.CleanseOptions(), Progress: func(n int64) { bar.Add(n - bar.Count()) }}, bar), nil
	})
	reg.Register(steward.JobVerifyEmails, func(ctx context.Context) (jobs.Job, error) {
		verifier, err := emailVerifier(r, offline, dnsServer)
		if err != nil {
			return nil, err
		}
		bar := progress.New(steward.JobVerifyEmails, 0, env.Stderr, env.Terminal, log)
		return withBar(&jobs.VerifyEmails{Verifier: verifier, Window: r.EmailVerification.Window, Progress: func(n int64) { bar.Add(n - bar.Count()) }}, bar), nil
	})
	reg.Register(steward.JobDedupe, func(ctx context.Context) (jobs.Job, error) {
		bar := progress.New(steward.JobDedupe, 0, env.Stderr, env.Terminal, log)
		j := &jobs.Dedupe{Config: r.DedupeConfig(), RetrainAfter: r.Matching.RetrainAfter, RetrainAfterDecisions: r.Matching.RetrainAfterDecisions, Progress: stageProgress(bar)}
		if cache != "" {
			j.SaveIndex = func(ix *dedupe.Index, ids []int64, g steward.Generation) {
				if err := matchindex.WriteCache(cache, g, ix, ids); err != nil {
					log.Warn("duplicate index cache not written", "file", cache, "err", err)
				}
			}
			// The index kept there lets a run with a fresh model match
			// only the customers changed since the last one.
			j.LoadIndex = func(ctx context.Context, m *dedupe.Model) (*matchindex.Index, error) {
				return matchindex.ReadCache(ctx, store(), matchindex.Options{Cache: cache, Matching: j.Config, Model: m, Logger: log})
			}
			j.Logger = log
		}
		return withBar(j, bar), nil
	})
	reg.Register(steward.JobSnapshot, func(ctx context.Context) (jobs.Job, error) {
		m, ths, err := qualityMeasurer(r)
		if err != nil {
			return nil, err
		}
		total, err := store().CountCustomers(ctx, steward.StatusActive)
		if err != nil {
			return nil, fmt.Errorf("count customers: %w", err)
		}
		mode, err := fileMode(env)
		if err != nil {
			return nil, err
		}
		bar := progress.New(steward.JobSnapshot, total, env.Stderr, env.Terminal, log)
		m.Progress = func(n int64) { bar.Add(n - bar.Count()) }
		return withBar(&jobs.Snapshot{Measurer: m, Thresholds: ths, Webhook: r.Quality.Webhook, ReportDir: r.Quality.ReportDir,
			FileMode: mode, Logger: log}, bar), nil
	})
	return reg
}

// barJob is a job whose progress bar ends with it.
type barJob struct {
	jobs.Job
	bar *progress.Bar
}

func withBar(j jobs.Job, bar *progress.Bar) *barJob { return &barJob{Job: j, bar: bar} }

// Unwrap implements jobs.Wrapper: the runner asks the job inside.
func (b *barJob) Unwrap() jobs.Job { return b.Job }

// end ends the job's progress bar, as finished or, after err, stopped.
func (b *barJob) end(err error) {
	if err != nil {
		b.bar.Abort()
		return
	}
	b.bar.Done()
}

// stageProgress reports each stage of duplicate detection (reading the
// customers, preparing, training, comparing, clustering) on bar, each with
// its own rate and ETA.
// The comparing stage reports from several goroutines, so calls are
// serialized.
func stageProgress(bar *progress.Bar) dedupe.ProgressFunc {
	var mu sync.Mutex
	var current string
	return func(stage string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if stage != current {
			current = stage
			bar.Stage("dedupe: "+stage, int64(total))
		}
		bar.Add(int64(done) - bar.Count())
	}
}

func printRun(env *Env, rec *steward.JobRun) {
	took := rec.FinishedAt.Sub(rec.StartedAt).Round(time.Millisecond)
	fmt.Fprintf(env.Stdout, "%s: run %d %s in %s", rec.Job, rec.ID, rec.Status, took)
	for _, k := range slices.Sorted(maps.Keys(rec.Counts)) {
		fmt.Fprintf(env.Stdout, " %s=%d", k, rec.Counts[k])
	}
	switch w := rec.Changes; {
	case w.Full:
		fmt.Fprint(env.Stdout, " (every customer)")
	case w.Since != 0:
		fmt.Fprint(env.Stdout, " (customers changed since the last run)")
	}
	fmt.Fprintln(env.Stdout)
	if rec.Error != "" {
		resume := "the next start begins again"
		if rec.Checkpoint != "" {
			resume = fmt.Sprintf("the next start resumes after checkpoint %q", rec.Checkpoint)
		}
		fmt.Fprintf(env.Stdout, "  error: %s (%s)\n", rec.Error, resume)
	}
}

// runsJSON is what "steward run --json" prints: one object, whose runs are
// the finished runs in the order they ran.
type runsJSON struct {
	Runs []*steward.JobRun `json:"runs"`
}

func writeRunsJSON(env *Env, runs []*steward.JobRun) error {
	if runs == nil {
		runs = []*steward.JobRun{}
	}
	return json.NewEncoder(env.Stdout).Encode(runsJSON{Runs: runs})
}
