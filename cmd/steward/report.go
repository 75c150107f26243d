package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/quality"
)

const reportUsage = `[snapshot] [--db PATH|URL] [--since DATE] [--source S] [--field F] [--json | --csv | --html FILE]

Reports on the quality of the customer database: the latest snapshot
against the one before it, and the trend over all snapshots since --since
(default: 90 days). Each metric is a share, per field and per source:
completeness (fields filled), validity (values that pass the rules file's
checks; email also by its last verification), standardization (values
already in standard form), uniqueness (customers not awaiting a merge, and
the duplicates the pending suggestions would merge away), timeliness
(customers updated within a year, addresses verified within the window),
consent (customers one may write to, opt-outs) and the review backlog.
The rules file's quality.thresholds are checked against the latest.

"steward report snapshot" takes a snapshot now, as the nightly snapshot job
does (a recorded run; exit 0, or 1 when a threshold is crossed); the
nightly run takes one too.

--source shows one source system; --field shows one field across all
sources. --json prints the report as one object, --csv every metric of
every snapshot, --html FILE writes one self-contained page (inline SVG
charts, no script) that can be mailed.`

// runReport implements "steward report" and "steward report snapshot".
func runReport(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "snapshot" {
		return runReportSnapshot(ctx, env, args[1:])
	}
	fs := newFlagSet(env, "report", reportUsage)
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	since := fs.String("since", "", "first day of the trend, YYYY-MM-DD (default: 90 days ago)")
	source := fs.String("source", "", "report on one source system")
	field := fs.String("field", "", "report on one field, across sources")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	asCSV := fs.Bool("csv", false, "print every metric of every snapshot as CSV")
	htmlFile := fs.String("html", "", "write the report as one self-contained HTML file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run 'steward report -h' for its flags", "unexpected argument %q", fs.Arg(0))
	}
	formats := 0
	for _, on := range []bool{*asJSON, *asCSV, *htmlFile != ""} {
		if on {
			formats++
		}
	}
	if formats > 1 {
		return usagef("choose one of --json, --csv and --html", "more than one output format")
	}
	from := time.Now().AddDate(0, 0, -90)
	if *since != "" {
		d, err := time.ParseInLocation("2006-01-02", *since, time.Local)
		if err != nil {
			return usagef("write the date as YYYY-MM-DD", "--since %q is not a date", *since)
		}
		from = d
	}
	r, err := loadRules(env, *rulesPath)
	if err != nil {
		return err
	}
	_, ths, err := qualityMeasurer(r)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer st.Close()
	snaps, err := st.Snapshots(ctx, from, 0)
	if err != nil {
		return err
	}
	rep := quality.NewReport(snaps, *source, *field, ths)
	if *source != "" && len(snaps) > 0 && len(rep.Rows) == 0 {
		return steward.Errorf(steward.ENOTFOUND, "The latest snapshot has no customers of source %q.", *source)
	}
	switch {
	case *asJSON:
		return json.NewEncoder(env.Stdout).Encode(rep)
	case *asCSV:
		return rep.WriteCSV(env.Stdout)
	case *htmlFile != "":
		o, err := createOutput(env, *htmlFile)
		if err != nil {
			return err
		}
		defer o.abort()
		if err := rep.WriteHTML(o.w); err != nil {
			return fmt.Errorf("write %s: %w", *htmlFile, err)
		}
		if err := o.commit(); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "wrote the report of %s to %s\n", counted(len(snaps), "snapshot"), *htmlFile)
		return nil
	}
	return rep.WriteText(env.Stdout)
}

// runReportSnapshot implements "steward report snapshot": the snapshot
// job, run now as a recorded run.
func runReportSnapshot(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "report snapshot", "[--db PATH|URL] [--rules FILE] [--json]\n\nTakes a quality snapshot now, as the nightly snapshot job does.")
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	asJSON := fs.Bool("json", false, `print one JSON object: {"runs": [the run]}`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	r, err := loadRules(env, *rulesPath)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := jobRegistry(env, func() steward.Store { return st }, r, true, "", "")
	job, err := reg.Build(ctx, steward.JobSnapshot)
	if err != nil {
		return err
	}
	runner := &jobs.Runner{Store: st, Logger: envLogger(env), StaleAfter: staleRunAfter, Heartbeat: heartbeatEvery}
	rec, err := runner.Start(ctx, job, jobs.Options{})
	if b, ok := job.(*barJob); ok {
		b.end(err)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeRunsJSON(env, []*steward.JobRun{rec}); err != nil {
			return err
		}
	} else {
		printRun(env, rec)
		for _, w := range rec.Warnings {
			fmt.Fprintf(env.Stdout, "  warning: %s\n", w)
		}
	}
	if rec.Status == steward.JobWarning {
		return errFindings
	}
	return nil
}
