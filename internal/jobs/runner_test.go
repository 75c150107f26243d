package jobs

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// eachStore runs test once on SQLite and once on PostgreSQL (skipped, or
// failed under CI, without TEST_DATABASE_URL); open returns a fresh,
// migrated store each time it is called.
func eachStore(t *testing.T, test func(t *testing.T, open func() steward.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, func() steward.Store { return storetest.SQLite(t) })
	})
	t.Run("postgres", func(t *testing.T) {
		storetest.PostgresURL(t)
		test(t, func() steward.Store { return storetest.Postgres(t) })
	})
}

// countJob counts from its checkpoint to n, checkpointing every step, and
// fails (or blocks) at a chosen step to play a crash.
type countJob struct {
	n       int
	failAt  int
	block   chan struct{} // when set, Run waits on it at failAt
	visited []int
}

func (j *countJob) Name() string { return "count" }

func (j *countJob) Run(ctx context.Context, run *Run) error {
	start := 0
	if cp := run.Resume(); cp != "" {
		n, err := strconv.Atoi(cp)
		if err != nil {
			return err
		}
		start = n
	}
	for i := start + 1; i <= j.n; i++ {
		if i == j.failAt {
			if j.block != nil {
				<-j.block
			}
			return errors.New("boom")
		}
		j.visited = append(j.visited, i)
		run.Count("steps", 1)
		if err := run.Checkpoint(ctx, run.Store, strconv.Itoa(i)); err != nil {
			return err
		}
	}
	return nil
}

func TestRunnerRecordsRunsAndResumesAfterFailure(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		rn := &Runner{Store: open(), StaleAfter: time.Minute}

		job := &countJob{n: 10, failAt: 6}
		rec, err := rn.Start(ctx, job, Options{})
		if err == nil || rec.Status != steward.JobFailed || rec.Checkpoint != "5" || rec.Error != "boom" {
			t.Fatalf("failed run: %+v, %v", rec, err)
		}

		job.failAt = 0
		rec, err = rn.Start(ctx, job, Options{})
		if err != nil || rec.Status != steward.JobSucceeded || rec.Counts["steps"] != 5 {
			t.Fatalf("resumed run: %+v, %v", rec, err)
		}
		want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
		if len(job.visited) != len(want) {
			t.Fatalf("steps done: %v, want each of 1..10 once", job.visited)
		}
		for i := range want {
			if job.visited[i] != want[i] {
				t.Fatalf("steps done: %v, want each of 1..10 once", job.visited)
			}
		}

		// After a success the next run starts from the beginning.
		job.visited = nil
		if _, err := rn.Start(ctx, job, Options{}); err != nil || len(job.visited) != 10 {
			t.Fatalf("fresh run after success visited %v, %v", job.visited, err)
		}
	})
}

func TestRunnerRestartIgnoresCheckpoint(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		rn := &Runner{Store: open(), StaleAfter: time.Minute}
		job := &countJob{n: 4, failAt: 3}
		rn.Start(ctx, job, Options{})
		job.failAt, job.visited = 0, nil
		if _, err := rn.Start(ctx, job, Options{Restart: true}); err != nil || len(job.visited) != 4 {
			t.Fatalf("restart visited %v, %v", job.visited, err)
		}
	})
}

func TestRunnerRefusesOverlapAndTakesOverDeadRun(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		rn := &Runner{Store: s, StaleAfter: time.Hour}

		// A process that died: a running run with a checkpoint and no finish.
		dead, err := s.StartJobRun(ctx, "count")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveCheckpoint(ctx, dead.ID, "7", map[string]int64{"steps": 7}); err != nil {
			t.Fatal(err)
		}

		job := &countJob{n: 9}
		if _, err := rn.Start(ctx, job, Options{}); steward.ErrorCode(err) != steward.ECONFLICT {
			t.Fatalf("start beside a fresh running run: %v, want ECONFLICT", err)
		}
		if len(job.visited) != 0 {
			t.Fatalf("refused run did work: %v", job.visited)
		}

		// Once its heartbeat is older than StaleAfter, the run is taken over.
		rn.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
		rec, err := rn.Start(ctx, job, Options{})
		if err != nil || rec.Status != steward.JobSucceeded {
			t.Fatalf("take over: %+v, %v", rec, err)
		}
		if len(job.visited) != 2 || job.visited[0] != 8 {
			t.Fatalf("resumed after 7: visited %v", job.visited)
		}
		old, err := s.JobRun(ctx, dead.ID)
		if err != nil || old.Status != steward.JobFailed {
			t.Fatalf("dead run after take-over: %+v, %v", old, err)
		}
	})
}

func TestRunnerRecordsCancellation(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		s := open()
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		ctx, cancel := context.WithCancel(context.Background())
		job := &cancelJob{cancel: cancel}
		rec, err := rn.Start(ctx, job, Options{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		got, err := s.JobRun(context.Background(), rec.ID)
		if err != nil || got.Status != steward.JobFailed || got.Checkpoint != "1" {
			t.Fatalf("cancelled run stored as %+v, %v", got, err)
		}
	})
}

type cancelJob struct{ cancel func() }

func (j *cancelJob) Name() string { return "cancel" }

func (j *cancelJob) Run(ctx context.Context, run *Run) error {
	if err := run.Checkpoint(ctx, run.Store, "1"); err != nil {
		return err
	}
	j.cancel()
	return ctx.Err()
}

// TestRunnerShutdownDuringStart plays a shutdown that arrives while the
// start of a run is being recorded: the store commits the run, then the
// driver reports the cancelled context. The run must end as failed, not
// stay "running" with nobody to finish it.
func TestRunnerShutdownDuringStart(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		s := &cancelAfterStart{Store: open(), cancel: cancel}
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		job := &countJob{n: 3}
		if _, err := rn.Start(ctx, job, Options{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if len(job.visited) != 0 {
			t.Errorf("the job ran after the shutdown: visited %v", job.visited)
		}
		runs, err := s.JobRuns(context.Background(), steward.JobRunFilter{Job: "count"})
		if err != nil || len(runs) != 1 || runs[0].Status != steward.JobFailed {
			t.Fatalf("runs after a shutdown during the start = %+v, %v; want one failed", runs, err)
		}
		// The next start is not refused as overlapping.
		if _, err := rn.Start(context.Background(), job, Options{}); err != nil {
			t.Fatalf("start after the shutdown: %v", err)
		}
	})
}

// cancelAfterStart records a run's start and then cancels, as a shutdown
// that arrives while the start is written; had the runner given it the
// cancelled context, it answers as a driver does whose context ended
// while it read the reply.
type cancelAfterStart struct {
	steward.Store
	cancel func()
}

func (s *cancelAfterStart) StartJobRun(ctx context.Context, job string) (*steward.JobRun, error) {
	rec, err := s.Store.StartJobRun(ctx, job)
	s.cancel()
	if err == nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return rec, err
}
