package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/riverjobs"
	"github.com/steward-crm/steward/internal/schedule"
)

const jobsUsage = `list | runs | run NAME [--offline] [--dns HOST:PORT] | pause NAME | resume NAME | queue [--open]  [--db PATH|URL] [--rules FILE] [--json]

The schedules of the rules file ('schedules:'), which steward serve runs:

  list    every schedule: its cron, jobs, next time, last run, whether it
          is paused and whether it is overdue (no success for longer than
          its period plus a margin); exit 1 when one is overdue
  runs    the schedules' runs, latest scheduled time first (--schedule,
          --limit): trigger (schedule, manual, catch-up), instance, times,
          status (running, succeeded, failed, skipped, missed), counts
          per job
  run     run a schedule's jobs now, in this process, as a manual run;
          exit 4 when the schedule is already running (recorded as
          skipped), 5 when a job fails
  pause   stop a schedule: its times pass without running, on every
          instance, until resumed
  resume  run a paused schedule again (exit 3 when it is not paused)
  queue   PostgreSQL: River's jobs behind the schedules, newest first
          (--limit; --open: those not finished): a schedule's time or a
          share of a split job, its state (available, running, retryable,
          completed ...), attempts, the instances that took it, the last
          error`

// runJobs implements "steward jobs".
func runJobs(ctx context.Context, env *Env, args []string) error {
	sub, args, err := subcommand(env, "jobs", jobsUsage, "run 'steward jobs list'", args)
	if sub == "" {
		return err
	}
	fs := newFlagSet(env, "jobs "+sub, "[flags]")
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	only := fs.String("schedule", "", "only this schedule's runs (runs)")
	limit := fs.Int("limit", 20, "how many runs (runs)")
	open := fs.Bool("open", false, "only jobs not finished (queue)")
	offline := fs.Bool("offline", false, "verify-emails: check syntax and lists only, ask no DNS server (run)")
	dnsServer := fs.String("dns", "", "verify-emails: DNS server HOST:PORT (run; default: the rules file's, else /etc/resolv.conf)")
	pos, err := parsePositional(fs, args)
	if err != nil {
		return err
	}
	switch sub {
	case "list", "runs", "queue":
		if len(pos) > 0 {
			return usagef("run 'steward jobs -h'", "unexpected argument %q", pos[0])
		}
		if *limit < 1 {
			return usagef("give --limit 1 or more", "--limit %d", *limit)
		}
	case "run", "pause", "resume":
		if len(pos) != 1 {
			return usagef("name the schedule: steward jobs "+sub+" NAME (the names are in 'steward jobs list')", "jobs %s needs one schedule name", sub)
		}
	default:
		return usagef("run 'steward jobs -h'", "unknown jobs subcommand %q", sub)
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
	engine := scheduleEngine(env, st, r, *db, indexCachePath(env, *db, ""), *offline, *dnsServer, nil, nil)
	if sub == "run" || sub == "pause" || sub == "resume" {
		if _, err := engine.Schedule(pos[0]); err != nil {
			return err
		}
	}
	switch sub {
	case "queue":
		pool := riverPool(st, true)
		if pool == nil {
			return usagef("give a PostgreSQL database with --db", "jobs queue needs PostgreSQL: on SQLite the schedules run in steward serve's own process, without a queue (see 'steward jobs runs')")
		}
		queue, err := riverjobs.Queue(ctx, pool, *limit, *open)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(struct {
				Jobs []riverjobs.QueuedJob `json:"jobs"`
			}{queue})
		}
		printQueue(env, queue)
		return nil
	case "list":
		return jobsList(ctx, env, st, engine.Schedules, *asJSON)
	case "runs":
		runs, err := st.ScheduleRuns(ctx, steward.ScheduleRunFilter{Schedule: *only, Limit: *limit})
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(struct {
				Runs []*steward.ScheduleRun `json:"runs"`
			}{runs})
		}
		printScheduleRuns(env, runs)
		return nil
	case "run":
		run, err := engine.Start(ctx, pos[0], time.Now(), steward.TriggerManual)
		if err != nil {
			return err
		}
		engine.Wait()
		if run.Status == steward.ScheduleRunning {
			if run, err = st.ScheduleRun(context.WithoutCancel(ctx), run.ID); err != nil {
				return err
			}
		}
		if *asJSON {
			if err := json.NewEncoder(env.Stdout).Encode(run); err != nil {
				return err
			}
		} else {
			printScheduleRuns(env, []*steward.ScheduleRun{run})
		}
		switch run.Status {
		case steward.ScheduleSkipped:
			return steward.Errorf(steward.ECONFLICT, "Schedule %s is already running; its run was recorded as skipped. Wait for the running one ('steward jobs runs --schedule %s').", run.Schedule, run.Schedule)
		case steward.ScheduleFailed:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("schedule %s: %s", run.Schedule, run.Error)
		}
		return nil
	case "pause":
		if err := st.PauseSchedule(ctx, steward.SchedulePause{Schedule: pos[0], PausedAt: time.Now(), PausedBy: cliActor(env)}); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "schedule %s paused: its times pass without running until 'steward jobs resume %s'\n", pos[0], pos[0])
		return nil
	default: // resume
		if err := st.ResumeSchedule(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "schedule %s resumed\n", pos[0])
		return nil
	}
}

// jobsList prints the schedules' statuses; errFindings when one is
// overdue.
func jobsList(ctx context.Context, env *Env, st steward.ScheduleRunStore, schedules []schedule.Schedule, asJSON bool) error {
	list, err := schedule.Statuses(ctx, st, schedules, time.Now())
	if err != nil {
		return err
	}
	overdue := slices.ContainsFunc(list, func(s schedule.Status) bool { return s.Overdue })
	if asJSON {
		if err := json.NewEncoder(env.Stdout).Encode(struct {
			Schedules []schedule.Status `json:"schedules"`
		}{list}); err != nil {
			return err
		}
	} else if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "no schedules: add them to the rules file under 'schedules:'")
	} else {
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SCHEDULE\tCRON\tJOBS\tNEXT\tLAST RUN\tLAST SUCCESS\tSTATE")
		for _, s := range list {
			last := "never"
			if s.LastRun != nil {
				last = s.LastRun.ScheduledAt.Local().Format("2006-01-02 15:04:05") + " " + string(s.LastRun.Status)
			}
			ok := "never"
			if !s.LastSuccess.IsZero() {
				ok = s.LastSuccess.Local().Format("2006-01-02 15:04:05")
			}
			state := "ok"
			switch {
			case s.Paused != nil:
				state = "paused by " + s.Paused.PausedBy
			case s.Overdue:
				state = "OVERDUE"
			}
			jobList := strings.Join(s.Jobs, ",")
			if s.Full {
				jobList += " (full)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Cron, jobList,
				s.Next.Local().Format("2006-01-02 15:04:05"), last, ok, state)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if overdue {
		return errFindings
	}
	return nil
}

// newTable starts a table of n rows under header on stdout, or says
// empty and returns nil when there are none.
func newTable(env *Env, n int, empty, header string) *tabwriter.Writer {
	if n == 0 {
		fmt.Fprintln(env.Stdout, empty)
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	return tw
}

func printQueue(env *Env, queue []riverjobs.QueuedJob) {
	tw := newTable(env, len(queue), "no River jobs", "ID\tKIND\tWHAT\tSCHEDULED\tSTATE\tATTEMPT\tBY\tLAST ERROR")
	if tw == nil {
		return
	}
	for _, q := range queue {
		what := q.Schedule
		if q.Kind == "share" {
			what = q.Share
			if q.Full {
				what += " (full)"
			}
		}
		by := ""
		if n := len(q.AttemptedBy); n > 0 {
			by = q.AttemptedBy[n-1]
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", q.ID, q.Kind, what, q.ScheduledAt.Local().Format("2006-01-02 15:04:05"),
			q.State, q.Attempt, q.MaxAttempts, by, truncate(strings.Join(strings.Fields(q.LastError), " "), 80))
	}
	tw.Flush()
}

func printScheduleRuns(env *Env, runs []*steward.ScheduleRun) {
	tw := newTable(env, len(runs), "no schedule runs yet", "ID\tSCHEDULE\tSCHEDULED\tTRIGGER\tINSTANCE\tSTATUS\tTOOK\tJOBS")
	if tw == nil {
		return
	}
	for _, r := range runs {
		took := ""
		if !r.StartedAt.IsZero() && !r.FinishedAt.IsZero() {
			took = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
		}
		var jobs []string
		for _, j := range r.Jobs {
			s := j.Job + ":" + string(j.Status)
			for _, k := range slices.Sorted(maps.Keys(j.Counts)) {
				s += fmt.Sprintf(" %s=%d", k, j.Counts[k])
			}
			jobs = append(jobs, s)
		}
		detail := strings.Join(jobs, "; ")
		if r.Error != "" {
			detail = strings.TrimPrefix(detail+"; ", "; ") + "error: " + r.Error
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Schedule, r.ScheduledAt.Local().Format("2006-01-02 15:04:05"),
			r.Trigger, r.Instance, r.Status, took, detail)
	}
	_ = tw.Flush()
}
