package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/metrics"
	"github.com/steward-crm/steward/internal/quality"
	"github.com/steward-crm/steward/internal/riverjobs"
	"github.com/steward-crm/steward/internal/schedule"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/rules"
)

// rulesSchedules returns the rules file's schedules, by name, each run
// once a day across daylight-saving changes (schedule.DaylightSaving).
func rulesSchedules(r *rules.Rules) []schedule.Schedule {
	out := make([]schedule.Schedule, 0, len(r.Schedules))
	for _, name := range slices.Sorted(maps.Keys(r.Schedules)) {
		s := r.Schedules[name]
		out = append(out, schedule.Schedule{Name: name, Cron: s.Cron, Spec: schedule.DaylightSaving(s.Spec), Jobs: s.Jobs, CatchUp: s.CatchUp, Full: s.Full})
	}
	return out
}

// scheduleEngine makes the engine of the rules' schedules: their jobs
// are those of "steward run", built from the same registry and recorded
// by the same runner, over st. observe, when set, sees every job run as
// it ends (for metrics). offline and dnsServer are verify-emails' (see
// steward run). sharing, when set (River on PostgreSQL), splits the jobs
// that can be split into shares every instance works on; it is given the
// registry and runner here.
func scheduleEngine(env *Env, st steward.Store, r *rules.Rules, dsn, cache string, offline bool, dnsServer string, observe func(*steward.JobRun), sharing *riverjobs.Sharing) *schedule.Engine {
	reg := jobRegistry(env, func() steward.Store { return st }, r, offline, dnsServer, cache)
	registerSuppressJob(reg, env, func() steward.Store { return st }, r, dsn, offline, dnsServer)
	runner := &jobs.Runner{Store: st, Logger: envLogger(env), StaleAfter: staleRunAfter, Heartbeat: heartbeatEvery}
	if sharing != nil {
		sharing.Runner = runner
		sharing.Build = func(ctx context.Context, name string) (jobs.Job, error) {
			j, err := reg.Build(ctx, name)
			if b, ok := j.(*barJob); ok {
				return b.Job, err // a share reports in the logs, not on a bar of its own
			}
			return j, err
		}
	}
	return &schedule.Engine{
		Store:     st,
		Schedules: rulesSchedules(r),
		Run:       scheduleJobs(reg, runner, observe, sharing),
		Logger:    envLogger(env),
		Instance:  instanceName(env),
	}
}

// scheduleJobs runs a schedule's jobs in order as recorded job runs (see
// runJobsInOrder: a job that fails does not stop the others; the schedule's run
// fails with it). A job sharing splits runs as shares on every instance,
// recorded under its own name too.
func scheduleJobs(reg *jobs.Registry, runner *jobs.Runner, observe func(*steward.JobRun), sharing *riverjobs.Sharing) schedule.JobFunc {
	return func(ctx context.Context, s schedule.Schedule, done func(steward.ScheduleJob)) error {
		split := func(j jobs.Job) jobs.Job {
			if b, ok := j.(*barJob); ok {
				if split := sharing.Wrap(b.Job); split != b.Job {
					return split
				}
			}
			return j
		}
		return runJobsInOrder(ctx, reg, runner, s.Jobs, jobs.Options{Full: s.Full}, split, func(name string, rec *steward.JobRun) {
			done(steward.ScheduleJob{Job: name, RunID: rec.ID, Status: rec.Status, Counts: rec.Counts})
			if observe != nil {
				observe(rec)
			}
		})
	}
}

// instanceName names this process in the runs it claims:
// $STEWARD_INSTANCE, else host:pid.
func instanceName(env *Env) string {
	if name := env.Getenv("STEWARD_INSTANCE"); name != "" {
		return name
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// serveSchedules runs engine until ctx ends or the returned stop is
// called, which waits for it to stop, runs under way recorded as stopped:
// through River over pool when there is one, else in this process.
func serveSchedules(ctx context.Context, engine *schedule.Engine, log *slog.Logger, pool *pgxpool.Pool, sharing *riverjobs.Sharing) (stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	ready := make(chan error, 1)
	go func() {
		defer close(done)
		if pool == nil {
			ready <- nil
			if err := engine.Serve(ctx); err != nil {
				log.Error("schedules not run", "error", err)
			}
			return
		}
		err := riverjobs.Serve(ctx, riverjobs.Config{Pool: pool, Engine: engine, Logger: log, Sharing: sharing, Ready: func() { ready <- nil }})
		if err != nil {
			ready <- err
			log.Error("schedules not run", "error", err)
		}
	}()
	select {
	case err := <-ready:
		if err != nil {
			cancel()
			<-done
			return nil, err
		}
	case <-done:
	}
	how := "in this process"
	if pool != nil {
		how = "through River"
	}
	log.Info("schedules running "+how, "schedules", len(engine.Schedules), "instance", engine.Instance)
	return func() { cancel(); <-done }, nil
}

// riverScheduler reports whether serve's schedules run through River:
// --scheduler as given, by default on PostgreSQL.
func riverScheduler(flag string, kind store.Kind) (bool, error) {
	switch flag {
	case "":
		return kind == store.Postgres, nil
	case "river":
		if kind != store.Postgres {
			return false, usagef("use --scheduler local, or a PostgreSQL database with --db", "--scheduler river needs PostgreSQL; the database is SQLite")
		}
		return true, nil
	case "local":
		return false, nil
	}
	return false, usagef("use --scheduler river or --scheduler local", "unknown --scheduler %q", flag)
}

// riverPool returns the PostgreSQL pool of st when on, else nil.
func riverPool(st steward.Store, on bool) *pgxpool.Pool {
	if p, ok := st.(interface{ Pool() *pgxpool.Pool }); on && ok {
		return p.Pool()
	}
	return nil
}

// riverQueue lists River's jobs over pool for the API, nil without one.
func riverQueue(pool *pgxpool.Pool) func(context.Context, int, bool) ([]riverjobs.QueuedJob, error) {
	if pool == nil {
		return nil
	}
	return func(ctx context.Context, limit int, open bool) ([]riverjobs.QueuedJob, error) {
		return riverjobs.Queue(ctx, pool, limit, open)
	}
}

// withMetricsMount adds GET /metrics to what mount mounts, when on.
func withMetricsMount(mount func(*http.ServeMux) error, m *metrics.Metrics, on bool) func(*http.ServeMux) error {
	return func(mux *http.ServeMux) error {
		if err := mount(mux); err != nil {
			return err
		}
		if on {
			mux.Handle("GET /metrics", m.Handler())
		}
		return nil
	}
}

// logFormatFlag adds --log-format to fs: text (the default) or json, one
// JSON object a line, for a log collector.
func logFormatFlag(fs *flag.FlagSet, env *Env) {
	fs.Func("log-format", "log as text (default) or json, one object a line", func(v string) error {
		opts := &slog.HandlerOptions{Level: slog.LevelInfo}
		if env.Level != nil {
			opts.Level = env.Level
		}
		switch v {
		case "text":
			env.Logger = slog.New(slog.NewTextHandler(env.Stderr, opts))
		case "json":
			env.Logger = slog.New(slog.NewJSONHandler(env.Stderr, opts))
		default:
			return fmt.Errorf("want text or json")
		}
		return nil
	})
}

// serveMetrics makes serve's metrics and has engine report its schedule
// runs to them (its job runs: scheduleEngine's observe).
// The rules' quality thresholds are reported against the latest
// snapshot.
func serveMetrics(st steward.Store, engine *schedule.Engine, thresholds []quality.Threshold, log *slog.Logger) *metrics.Metrics {
	m := metrics.New(st, func(ctx context.Context) ([]schedule.Status, error) {
		return schedule.Statuses(ctx, st, engine.Schedules, time.Now())
	}, log)
	engine.Ended = m.ScheduleRun
	if len(thresholds) > 0 {
		m.WatchQuality(func(ctx context.Context) ([]metrics.Threshold, error) {
			snaps, err := st.Snapshots(ctx, time.Time{}, 1)
			if err != nil || len(snaps) == 0 {
				return nil, err
			}
			return qualityThresholds(snaps[len(snaps)-1], thresholds), nil
		}, log)
	}
	return m
}

// qualityThresholds stands snap against each threshold; a threshold on a
// metric the snapshot lacks (a source with no customers) is left out.
func qualityThresholds(snap *steward.Snapshot, thresholds []quality.Threshold) []metrics.Threshold {
	var out []metrics.Threshold
	for _, th := range thresholds {
		mt, ok := snap.Metric(th.Key())
		if !ok {
			continue
		}
		v := mt.Share()
		if th.Bound == "count_above" {
			v = float64(mt.Numerator)
		}
		out = append(out, metrics.Threshold{Metric: th.Metric, Source: th.Source, Bound: th.Bound, Value: v,
			Crossed: len(quality.Crossed(snap, []quality.Threshold{th})) > 0})
	}
	return out
}
