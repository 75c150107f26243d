package riverjobs

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/schedule"
	"github.com/steward-crm/steward/internal/store/postgres"
)

// messy returns n customers that standardization changes: case, phone
// and email forms, country names, Persian letters typed on an Arabic
// keyboard.
func messy(n int) []*steward.Customer {
	first := []string{"JOHN", "mary", "علي", "ann", "PETER", "كريم"}
	last := []string{"o'brien", "SMITH", "كريمي", "lee", "van der berg", "رضايي"}
	country := []string{"USA", "U.S.", "ایران", "Australia", "usa", "Iran"}
	out := make([]*steward.Customer, n)
	for i := range out {
		k := i % len(first)
		out[i] = &steward.Customer{Record: steward.Record{FirstName: first[k], LastName: last[(i/3)%len(last)],
			Email: fmt.Sprintf("Person.%d@EXAMPLE.ORG", i), Phone: fmt.Sprintf("(212) 555-%04d", i%10000), Country: country[(i/2)%len(country)]}}
	}
	return out
}

func standardizeJob() *jobs.Standardize {
	return &jobs.Standardize{Options: cleanse.Options{DefaultCountry: "US"}, PageSize: 7}
}

// shareRun is the JobFunc of a sharing instance, as "steward serve" makes
// it: each job built, wrapped by the instance's Sharing, run as a job run.
func shareRun(runner *jobs.Runner, sharing *Sharing) schedule.JobFunc {
	return func(ctx context.Context, s schedule.Schedule, done func(steward.ScheduleJob)) error {
		for _, name := range s.Jobs {
			j, err := sharing.Build(ctx, name)
			if err != nil {
				return err
			}
			rec, err := runner.Start(ctx, sharing.Wrap(j), jobs.Options{Full: s.Full})
			if rec != nil {
				done(steward.ScheduleJob{Job: name, RunID: rec.ID, Status: rec.Status, Counts: rec.Counts})
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// serveInstances serves dsn from n instances that share jobs in shares of
// width ids, each building its jobs with build; first is the first
// instance's engine, stop ends them all.
func serveInstances(t *testing.T, dsn string, n int, schedules []schedule.Schedule, width int64,
	build func(context.Context, string) (jobs.Job, error)) (first *schedule.Engine, stop func()) {
	t.Helper()
	ctx := context.Background()
	var stops []func()
	for i := range n {
		st, err := postgres.Open(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		logger := testLogger(fmt.Sprint(i))
		runner := &jobs.Runner{Store: st, StaleAfter: time.Minute, Logger: logger}
		sharing := &Sharing{Runner: runner, Width: width, Build: build}
		e := &schedule.Engine{Store: st, Schedules: schedules, Run: shareRun(runner, sharing), Instance: fmt.Sprintf("instance-%d", i), Logger: logger}
		if first == nil {
			first = e
		}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- Serve(sctx, Config{Pool: st.Pool(), Engine: e, Sharing: sharing, Logger: logger}) }()
		stops = append(stops, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("instance %d: %v", i, err)
			}
		})
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		for _, s := range stops {
			s()
		}
	}
	t.Cleanup(stop) // before the stores close
	return first, stop
}

// TestSharedStandardize runs a nightly standardize from three instances
// on one PostgreSQL database, split into shares of 30 ids: the shares are
// worked by more than one instance, the job run counts every customer
// once, and the customers end exactly as one whole run leaves them.
func TestSharedStandardize(t *testing.T) {
	ctx := context.Background()
	const n = 200
	tw, dsn := newTwins(t, n)
	seed := tw.st
	at := time.Now().Add(6 * time.Second).Truncate(time.Second)
	schedules := []schedule.Schedule{{Name: "nightly", Spec: onceSpec{at}, Jobs: []string{"standardize"}, CatchUp: time.Hour},
		{Name: "weekly", Spec: onceSpec{at.Add(24 * time.Hour)}, Jobs: []string{"standardize"}, CatchUp: time.Hour, Full: true}}
	first, stop := serveInstances(t, dsn, 3, schedules, 30,
		func(context.Context, string) (jobs.Job, error) { return standardizeJob(), nil })
	runs := waitEnded(t, seed, "nightly", 40*time.Second)
	if len(runs) != 1 || runs[0].Status != steward.ScheduleSucceeded || len(runs[0].Jobs) != 1 {
		t.Fatalf("runs = %+v, want one succeeded", runs)
	}
	counts := runs[0].Jobs[0].Counts
	if counts["customers"] != n || counts["shares"] != 7 {
		t.Errorf("standardize counts %v, want %d customers in 7 shares", counts, n)
	}
	// Once the run's own writes are examined again, nothing is left to
	// examine; a full schedule started by hand then passes "full" on to
	// every share: all customers are examined again, though none changed.
	again, err := first.RunAt(ctx, "nightly", time.Now(), steward.TriggerManual)
	if err != nil || again.Status != steward.ScheduleSucceeded || len(again.Jobs) != 1 || again.Jobs[0].Counts["changed"] != 0 {
		t.Fatalf("nightly again = %+v, %v", again, err)
	}
	full, err := first.RunAt(ctx, "weekly", time.Now(), steward.TriggerManual)
	if err != nil || full.Status != steward.ScheduleSucceeded || len(full.Jobs) != 1 {
		t.Fatalf("weekly = %+v, %v", full, err)
	}
	if c := full.Jobs[0].Counts; c["customers"] != n || c["changed"] != 0 || c["shares"] != 7 {
		t.Errorf("full shared standardize counts %v, want all %d customers examined, none changed", c, n)
	}
	stop()

	// Which instances worked the shares: River records it.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT DISTINCT attempted_by[array_length(attempted_by, 1)] FROM river_job WHERE kind = 'steward_share' AND state = 'completed'`)
	if err != nil {
		t.Fatal(err)
	}
	by, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(by) < 2 {
		t.Errorf("shares worked by %v, want more than one instance", by)
	}

	tw.same(t, "shared")
	t.Logf("shares worked by %v", slices.Sorted(slices.Values(by)))
}
