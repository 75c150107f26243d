package riverjobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/steward-crm/steward/internal/schedule"
)

// Config is what Serve needs.
type Config struct {
	// Pool is the PostgreSQL database's pool; River's tables are in the
	// schema of its search_path (created by "steward migrate").
	Pool *pgxpool.Pool
	// Engine runs the schedules' times; its Instance names this client.
	Engine *schedule.Engine
	Logger *slog.Logger
	// Workers is how many shares this instance runs at once; 0 means 2.
	// Schedule runs have two workers of their own.
	Workers int
	// RescueAfter is how long a job may run on an instance that stopped
	// answering before River hands it to another; 0 means three times the
	// engine's stale-run time. A rescued job whose run is still alive
	// (heartbeats) is left to it.
	RescueAfter time.Duration
	// Ready, when set, is called once River runs and the missed times were
	// caught up.
	Ready func()
	// Sharing, when set, splits the schedules' Ranged jobs into shares
	// that every instance works on; the engine's jobs must be wrapped by
	// its Wrap.
	Sharing *Sharing
}

// Serve runs the schedules through River until ctx ends, then stops River
// (runs under way are cancelled and recorded as stopped) and waits for
// the catch-up runs it began.
func Serve(ctx context.Context, cfg Config) error {
	e := cfg.Engine
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &scheduleWorker{engine: e}); err != nil {
		return fmt.Errorf("river worker: %w", err)
	}
	if cfg.Sharing != nil {
		if err := river.AddWorkerSafely(workers, &shareWorker{sharing: cfg.Sharing}); err != nil {
			return fmt.Errorf("river worker: %w", err)
		}
	}
	periodic := make([]*river.PeriodicJob, 0, len(e.Schedules))
	for _, s := range e.Schedules {
		name := s.Name
		periodic = append(periodic, river.NewPeriodicJob(s.Spec, func() (river.JobArgs, *river.InsertOpts) {
			return ScheduleArgs{Schedule: name}, nil
		}, &river.PeriodicJobOpts{ID: "schedule:" + name}))
	}
	rescue := cfg.RescueAfter
	if rescue <= 0 {
		rescue = 3 * e.StaleTime()
	}
	n := cfg.Workers
	if n <= 0 {
		n = 2
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	client, err := river.NewClient(riverpgxv5.New(cfg.Pool), &river.Config{
		ID:                   clientID(e.Instance),
		Logger:               logger.With("component", "river"),
		Queues:               map[string]river.QueueConfig{queueSchedules: {MaxWorkers: 2}, queueShares: {MaxWorkers: n}},
		Workers:              workers,
		PeriodicJobs:         periodic,
		JobTimeout:           -1,
		RescueStuckJobsAfter: rescue,
	})
	if err != nil {
		return fmt.Errorf("river client: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		return fmt.Errorf("start River's job queue for the schedules (if its tables are missing, run 'steward migrate' against this database once, then start serve again; or serve with --scheduler local): %w", err)
	}
	if cfg.Sharing != nil {
		cfg.Sharing.setClient(client)
		defer cfg.Sharing.setClient(nil)
	}
	e.CatchUp(ctx)
	reaped := make(chan struct{})
	go func() {
		defer close(reaped)
		takeOverDead(ctx, client, e, logger)
	}()
	if cfg.Ready != nil {
		cfg.Ready()
	}
	<-ctx.Done()
	<-reaped
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	err = client.StopAndCancel(stop)
	e.Wait()
	if err != nil {
		return fmt.Errorf("stop river: %w", err)
	}
	return nil
}

// clientID is River's name of this instance: the engine's, within River's
// 100 characters.
func clientID(instance string) string {
	if len(instance) > 100 {
		instance = instance[:100]
	}
	return instance
}

// takeOverDead looks for runs whose instance died, every half of the
// engine's stale-run time until ctx ends, and takes them over (see
// schedule.Engine.TakeOverDead). River does not rescue a job without a
// timeout, and a nightly run has none, so the run rows' heartbeats are
// what finds a dead instance; the dead instance's River job is cancelled
// so that River's rescuer clears it from the running jobs.
func takeOverDead(ctx context.Context, client *river.Client[pgx.Tx], e *schedule.Engine, log *slog.Logger) {
	t := time.NewTicker(e.StaleTime() / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		runs, err := e.TakeOverDead(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("schedule: look for dead runs", "error", err)
		}
		for _, r := range runs {
			if err := cancelDeadJob(ctx, client, r.Schedule, r.ScheduledAt); err != nil && ctx.Err() == nil {
				log.Warn("river: cancel a dead instance's job", "schedule", r.Schedule, "at", r.ScheduledAt, "error", err)
			}
		}
	}
}

// cancelDeadJob cancels the running River job of the time at of schedule.
func cancelDeadJob(ctx context.Context, client *river.Client[pgx.Tx], schedule string, at time.Time) error {
	res, err := client.JobList(ctx, river.NewJobListParams().Kinds(ScheduleArgs{}.Kind()).States(rivertype.JobStateRunning).First(1000))
	if err != nil {
		return err
	}
	for _, j := range res.Jobs {
		var args ScheduleArgs
		if err := json.Unmarshal(j.EncodedArgs, &args); err != nil || args.Schedule != schedule || !j.ScheduledAt.Equal(at) {
			continue
		}
		if _, err := client.JobCancel(ctx, j.ID); err != nil {
			return err
		}
	}
	return nil
}
