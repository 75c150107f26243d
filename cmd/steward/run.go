package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/validate"
)

const runUsage = `JOB [--db PATH|URL] [--rules FILE] [--restart] [--offline] [--dns HOST:PORT] [--json]

Runs a job against the database as a recorded run. JOB is one of:
  standardize    bring every active customer's fields into standard form
  verify-emails  check addresses not checked within the rules' window
  dedupe         find duplicate customers and queue merge suggestions
  nightly        standardize, verify-emails and dedupe, in that order

A job never runs twice at once (exit 4 while one runs). A run that was
interrupted (Ctrl-C, a crash, kill -9) is resumed from its last checkpoint
by the next start; --restart starts from the beginning instead. A run whose
process died is taken over once its heartbeat is older than two minutes.`

// staleRunAfter is how long a running run may be silent before a new start
// takes it over as crashed; runs send a heartbeat every heartbeatEvery.
const (
	staleRunAfter  = 2 * time.Minute
	heartbeatEvery = 20 * time.Second
)

// nightlyJobs is the order "steward run nightly" runs jobs in.
var nightlyJobs = []string{"standardize", "verify-emails", "dedupe"}

// runJob is "steward run JOB".
func runJob(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "run", runUsage)
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	restart := fs.Bool("restart", false, "ignore the checkpoint of an interrupted run and start from the beginning")
	offline := fs.Bool("offline", false, "verify-emails: check syntax and lists only, ask no DNS server")
	dnsServer := fs.String("dns", "", "verify-emails: DNS server HOST:PORT (default: the rules file's, else /etc/resolv.conf)")
	indexCache := fs.String("index-cache", "", indexCacheUsage+"; dedupe writes the index it built there for the next import")
	asJSON := fs.Bool("json", false, "print the finished runs as JSON")
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
	names := []string{name}
	if name == "nightly" {
		names = nightlyJobs
	} else if !slices.Contains(nightlyJobs, name) {
		return usagef("jobs: standardize, verify-emails, dedupe, nightly", "unknown job %q", name)
	}

	r, err := loadRules(env, *rulesPath)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, env, *db)
	if err != nil {
		return err
	}
	defer st.Close()

	// The verifier is built before any job runs, so that a DNS setting
	// that cannot work stops "run nightly" at once, not after standardize.
	var verifier *validate.EmailVerifier
	if slices.Contains(names, "verify-emails") {
		if verifier, err = emailVerifier(r, *offline, *dnsServer); err != nil {
			return err
		}
	}
	runner := &jobs.Runner{Store: st, Logger: envLogger(env), StaleAfter: staleRunAfter, Heartbeat: heartbeatEvery}
	var done []*steward.JobRun
	for _, n := range names {
		job, bar, err := buildJob(ctx, env, st, r, n, verifier, indexCachePath(env, *db, *indexCache))
		if err != nil {
			return err
		}
		rec, err := runner.Start(ctx, job, jobs.Options{Restart: *restart})
		bar.Done()
		if rec != nil {
			done = append(done, rec)
			if !*asJSON {
				printRun(env, rec)
			}
		}
		if err != nil {
			if *asJSON {
				writeRunsJSON(env, done)
			}
			return err
		}
	}
	if *asJSON {
		return writeRunsJSON(env, done)
	}
	return nil
}

// buildJob makes the named job from the rules, with a progress bar;
// verify-emails uses verifier.
func buildJob(ctx context.Context, env *Env, st steward.Store, r *rules.Rules, name string, verifier *validate.EmailVerifier, cache string) (jobs.Job, *progress.Bar, error) {
	log := envLogger(env)
	switch name {
	case "standardize":
		total, err := st.CountCustomers(ctx, steward.StatusActive)
		if err != nil {
			return nil, nil, fmt.Errorf("count customers: %w", err)
		}
		bar := progress.New("standardize", total, env.Stderr, env.Terminal, log)
		return &jobs.Standardize{Options: r.CleanseOptions(), Progress: func(n int64) { bar.Add(n - bar.Count()) }}, bar, nil
	case "verify-emails":
		bar := progress.New("verify-emails", 0, env.Stderr, env.Terminal, log)
		return &jobs.VerifyEmails{Verifier: verifier, Window: r.EmailVerification.Window, Progress: func(n int64) { bar.Add(n - bar.Count()) }}, bar, nil
	case "dedupe":
		bar := progress.New("dedupe", 0, env.Stderr, env.Terminal, log)
		j := &jobs.Dedupe{Config: r.DedupeConfig(), Progress: stageProgress(bar)}
		if cache != "" {
			j.SaveIndex = func(ix *dedupe.Index, ids []int64, g steward.Generation) {
				if err := matchindex.WriteCache(cache, g, ix, ids); err != nil {
					log.Warn("duplicate index cache not written", "file", cache, "err", err)
				}
			}
		}
		return j, bar, nil
	}
	return nil, nil, usagef("jobs: standardize, verify-emails, dedupe, nightly", "unknown job %q", name)
}

// stageProgress reports the matcher's comparison stage on bar.
func stageProgress(bar *progress.Bar) dedupe.ProgressFunc {
	return func(stage string, done, total int) {
		if stage != dedupe.StageCompare {
			return
		}
		bar.SetTotal(int64(total))
		bar.Add(int64(done) - bar.Count())
	}
}

func printRun(env *Env, rec *steward.JobRun) {
	took := rec.FinishedAt.Sub(rec.StartedAt).Round(time.Millisecond)
	fmt.Fprintf(env.Stdout, "%s: run %d %s in %s", rec.Job, rec.ID, rec.Status, took)
	for _, k := range slices.Sorted(maps.Keys(rec.Counts)) {
		fmt.Fprintf(env.Stdout, " %s=%d", k, rec.Counts[k])
	}
	fmt.Fprintln(env.Stdout)
	if rec.Error != "" {
		fmt.Fprintf(env.Stdout, "  error: %s (the next start resumes after checkpoint %q)\n", rec.Error, rec.Checkpoint)
	}
}

func writeRunsJSON(env *Env, runs []*steward.JobRun) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if runs == nil {
		runs = []*steward.JobRun{}
	}
	return enc.Encode(runs)
}
