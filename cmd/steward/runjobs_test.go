package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// TestRunJobsInOrderNamesEveryFailure: two of three jobs fail; the one
// between them runs, the error names both with the first one's code, and
// both failures stay reachable for errors.Is.
func TestRunJobsInOrderNamesEveryFailure(t *testing.T) {
	st := storetest.SQLite(t)
	dnsDown := steward.Errorf(steward.EUNAVAILABLE, "The DNS server is down.")
	diskFull := errors.New("disk full")
	reg := &jobs.Registry{}
	for name, err := range map[string]error{"a": dnsDown, "b": nil, "c": diskFull} {
		reg.Register(name, func(context.Context) (jobs.Job, error) { return namedJob{name, err}, nil })
	}
	runner := &jobs.Runner{Store: st, StaleAfter: staleRunAfter}
	var ran []string
	err := runJobsInOrder(context.Background(), reg, runner, []string{"a", "b", "c"}, jobs.Options{}, nil, func(name string, rec *steward.JobRun) {
		ran = append(ran, name+" "+string(rec.Status))
	})
	if got := strings.Join(ran, ", "); got != "a failed, b succeeded, c failed" {
		t.Errorf("ran %s", got)
	}
	msg := steward.ErrorMessage(err)
	if want := "Jobs a, c failed (the others ran): job a: The DNS server is down.; job c: disk full"; steward.ErrorCode(err) != steward.EUNAVAILABLE ||
		msg != want || err.Error() != want || steward.ErrorText(err) != want || !errors.Is(err, dnsDown) || !errors.Is(err, diskFull) {
		t.Errorf("err = %v (code %s, message %q)", err, steward.ErrorCode(err), msg)
	}
	// The exit status is the first known cause's, also when an internal
	// failure came first; with none known, the message is the whole text.
	err = runJobsInOrder(context.Background(), reg, runner, []string{"c", "a"}, jobs.Options{}, nil, func(string, *steward.JobRun) {})
	if steward.ErrorCode(err) != steward.EUNAVAILABLE || steward.ErrorMessage(err) != "Jobs c, a failed (the others ran): job c: disk full; job a: The DNS server is down." {
		t.Errorf("internal first: code %s, message %q", steward.ErrorCode(err), steward.ErrorMessage(err))
	}
	err = runJobsInOrder(context.Background(), reg, runner, []string{"c", "c"}, jobs.Options{}, nil, func(string, *steward.JobRun) {})
	if steward.ErrorCode(err) != steward.EINTERNAL || err.Error() != "Jobs c, c failed (the others ran): job c: disk full; job c: disk full" {
		t.Errorf("all internal: code %s, %q", steward.ErrorCode(err), err)
	}

	// One failure is that failure, as a single job's would be.
	err = runJobsInOrder(context.Background(), reg, runner, []string{"b", "c"}, jobs.Options{}, nil, func(string, *steward.JobRun) {})
	if !errors.Is(err, diskFull) || strings.Contains(err.Error(), "Jobs") {
		t.Errorf("one failure: %v", err)
	}
	// Ctrl-C during a job stops the jobs after it, and says so once.
	ctx, cancel := context.WithCancel(context.Background())
	reg.Register("ctrl-c", func(context.Context) (jobs.Job, error) { return cancelingJob{cancel}, nil })
	ran = nil
	err = runJobsInOrder(ctx, reg, runner, []string{"ctrl-c", "b"}, jobs.Options{}, nil, func(name string, _ *steward.JobRun) { ran = append(ran, name) })
	if !errors.Is(err, context.Canceled) || strings.Join(ran, ",") != "ctrl-c" || strings.Count(err.Error(), "context canceled") != 1 {
		t.Errorf("Ctrl-C: ran %v, err %q", ran, err)
	}
	// A cancelled context stops before the next job.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	ran = nil
	err = runJobsInOrder(ctx, reg, runner, []string{"b"}, jobs.Options{}, nil, func(name string, _ *steward.JobRun) { ran = append(ran, name) })
	if !errors.Is(err, context.Canceled) || len(ran) != 0 {
		t.Errorf("cancelled: ran %v, err %v", ran, err)
	}
}

// namedJob is a job that returns err at once.
type namedJob struct {
	name string
	err  error
}

func (j namedJob) Name() string                               { return j.name }
func (j namedJob) Run(ctx context.Context, _ *jobs.Run) error { return j.err }

// cancelingJob plays Ctrl-C while it runs.
type cancelingJob struct{ cancel func() }

func (j cancelingJob) Name() string { return "ctrl-c" }
func (j cancelingJob) Run(ctx context.Context, _ *jobs.Run) error {
	j.cancel()
	return ctx.Err()
}
