package riverjobs

import (
	"bufio"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/store/postgres"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// killWhenHolding starts this test binary as an instance serving dsn with
// env, waits for it to print "holding" and kills it (-9).
func killWhenHolding(t *testing.T, dsn string, at time.Time, env ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), helperDSN+"="+dsn, helperAt+"="+at.Format(time.RFC3339Nano)), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	holding := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "holding" {
				holding <- true
				return
			}
		}
		holding <- false
	}()
	select {
	case ok := <-holding:
		if !ok {
			t.Fatal("the instance to kill ended before it held")
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the instance to kill did not hold in 30 s")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// testLogger logs to stderr under -v, else nowhere.
func testLogger(instance string) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil)).With("instance", instance)
}

// twins are one set of messy customers in the database at dsn and the same
// in another database, standardized there by one undisturbed whole run.
type twins struct {
	st, whole *postgres.Store
	cs, wcs   []*steward.Customer
}

func newTwins(t *testing.T, n int) (*twins, string) {
	t.Helper()
	tw, dsn := twinsOf(t, messy)(n)
	if _, err := (&jobs.Runner{Store: tw.whole, StaleAfter: time.Minute}).Start(context.Background(), standardizeJob(), jobs.Options{}); err != nil {
		t.Fatal(err)
	}
	return tw, dsn
}

// twinsOf returns a maker of twins holding newCustomers(n) in both databases, in
// the same order, before any job ran.
func twinsOf(t *testing.T, newCustomers func(n int) []*steward.Customer) func(n int) (*twins, string) {
	return func(n int) (*twins, string) {
		t.Helper()
		ctx := context.Background()
		dsn := storetest.PostgresDSN(t)
		st, err := postgres.Open(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		tw := &twins{st: st, whole: storetest.Postgres(t), cs: newCustomers(n), wcs: newCustomers(n)}
		if err := tw.st.CreateCustomers(ctx, tw.cs, steward.Meta{Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		if err := tw.whole.CreateCustomers(ctx, tw.wcs, steward.Meta{Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		return tw, dsn
	}
}

// same checks that every customer ended as the whole run left its twin.
func (tw *twins) same(t *testing.T, how string) {
	t.Helper()
	ctx := context.Background()
	for i, c := range tw.cs {
		a, err := tw.st.Customer(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := tw.whole.Customer(ctx, tw.wcs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := steward.Diff(&a.Record, &b.Record); len(d) != 0 {
			t.Errorf("customer %d: %s %+v, undisturbed whole run %+v", c.ID, how, a.Record, b.Record)
		}
	}
}

// waitEnded waits up to limit for the one run of schedule to end and
// returns the runs.
func waitEnded(t *testing.T, st steward.Store, schedule string, limit time.Duration) []*steward.ScheduleRun {
	t.Helper()
	var runs []*steward.ScheduleRun
	var err error
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		runs, err = st.ScheduleRuns(context.Background(), steward.ScheduleRunFilter{Schedule: schedule})
		if err == nil && len(runs) == 1 && runs[0].Status != steward.ScheduleRunning {
			break
		}
	}
	return runs
}
