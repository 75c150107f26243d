package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// changedIDs returns the ids EachCustomer keeps with f.
func changedIDs(t *testing.T, s steward.Store, f steward.CustomerFilter) []int64 {
	t.Helper()
	ids := []int64{}
	must(t, s.EachCustomer(context.Background(), f, func(c *steward.Customer) error {
		ids = append(ids, c.ID)
		return nil
	}))
	return ids
}

// createSamples stores n sample customers in one batch.
func createSamples(t *testing.T, s steward.Store, n int) []*steward.Customer {
	t.Helper()
	cs := make([]*steward.Customer, n)
	for i := range cs {
		cs[i] = sample(i)
	}
	must(t, s.CreateCustomers(context.Background(), cs, meta))
	return cs
}

// setCity moves customer id to city through s.
func setCity(ctx context.Context, s steward.Store, id int64, city string) error {
	c, err := s.Customer(ctx, id)
	if err != nil {
		return err
	}
	c.Record.City = city
	return s.UpdateCustomer(ctx, c, meta)
}

func changeMark(t *testing.T, s steward.Store) int64 {
	t.Helper()
	m, err := s.CustomerChangeMark(context.Background())
	must(t, err)
	return m
}

// testChangeMarks checks that every write of a customer, and only a
// committed one, makes it changed since a mark taken before: an
// incremental job finds exactly the customers written since its last run.
func testChangeMarks(t *testing.T, s steward.Store) {
	ctx := context.Background()
	cs := createSamples(t, s, 8)
	first := changeMark(t, s)
	if first <= 0 {
		t.Fatalf("change mark %d, want above 0", first)
	}
	if got := changedIDs(t, s, steward.CustomerFilter{ChangedSince: first}); len(got) != 0 {
		t.Errorf("changed since a mark taken after every write: %v", got)
	}
	tests := []struct {
		name  string
		write func(t *testing.T) []int64 // the ids written
	}{
		{"CreateCustomer", func(t *testing.T) []int64 { return []int64{create(t, s, sample(100)).ID} }},
		{"CreateCustomers", func(t *testing.T) []int64 {
			more := []*steward.Customer{sample(101), sample(102)}
			must(t, s.CreateCustomers(ctx, more, meta))
			return []int64{more[0].ID, more[1].ID}
		}},
		{"UpdateCustomer", func(t *testing.T) []int64 {
			must(t, setCity(ctx, s, cs[0].ID, "Shiraz"))
			return []int64{cs[0].ID}
		}},
		{"UpdateCustomer changing nothing", func(t *testing.T) []int64 {
			must(t, s.UpdateCustomer(ctx, get(t, s, cs[0].ID), meta))
			return nil
		}},
		{"merge (status and merged_into)", func(t *testing.T) []int64 {
			c := get(t, s, cs[1].ID)
			c.Status, c.MergedInto = steward.StatusMerged, cs[2].ID
			must(t, s.UpdateCustomer(ctx, c, meta))
			return []int64{c.ID}
		}},
		{"undo (back to active)", func(t *testing.T) []int64 {
			c := get(t, s, cs[1].ID)
			c.Status, c.MergedInto = steward.StatusActive, 0
			must(t, s.UpdateCustomer(ctx, c, meta))
			return []int64{c.ID}
		}},
		{"EraseCustomer", func(t *testing.T) []int64 {
			if _, err := s.EraseCustomer(ctx, cs[3].ID, meta); err != nil {
				t.Fatal(err)
			}
			return []int64{cs[3].ID}
		}},
		{"Atomic with two writers", func(t *testing.T) []int64 {
			must(t, s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
				if err := setCity(ctx, tx, cs[5].ID, "Yazd"); err != nil {
					return err
				}
				return setCity(ctx, tx, cs[4].ID, "Yazd")
			}))
			return []int64{cs[4].ID, cs[5].ID}
		}},
		{"rolled back", func(t *testing.T) []int64 {
			boom := errors.New("boom")
			err := s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
				if err := setCity(ctx, tx, cs[6].ID, "Qom"); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("Atomic returned %v", err)
			}
			return nil
		}},
		{"email check and job run (not customer writes)", func(t *testing.T) []int64 {
			must(t, s.RecordEmailCheck(ctx, cs[7].ID, cs[7].Record.Email, "valid", "", time.Now()))
			run, err := s.StartJobRun(ctx, "standardize")
			must(t, err)
			run.Status = steward.JobSucceeded
			must(t, s.FinishJobRun(ctx, run))
			return nil
		}},
	}
	prev := first
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mark := changeMark(t, s)
			if mark < prev {
				t.Errorf("mark went back from %d to %d", prev, mark)
			}
			prev = mark
			want := tt.write(t)
			slices.Sort(want)
			if want == nil {
				want = []int64{}
			}
			if got := changedIDs(t, s, steward.CustomerFilter{ChangedSince: mark}); !reflect.DeepEqual(got, want) {
				t.Errorf("changed since the mark before the write: %v, want %v", got, want)
			}
		})
	}

	// Since the first mark: everything written above, with the other
	// filters.
	all := changedIDs(t, s, steward.CustomerFilter{ChangedSince: first})
	if want := []int64{cs[0].ID, cs[1].ID, cs[3].ID, cs[4].ID, cs[5].ID, cs[7].ID + 1, cs[7].ID + 2, cs[7].ID + 3}; !reflect.DeepEqual(all, want) {
		t.Errorf("changed since the first mark: %v, want the customers written, %v", all, want)
	}
	active := changedIDs(t, s, steward.CustomerFilter{ChangedSince: first, Status: steward.StatusActive, AfterID: cs[0].ID, Limit: 2})
	if want := []int64{cs[1].ID, cs[4].ID}; !reflect.DeepEqual(active, want) {
		t.Errorf("active, after %d, 2 of them: %v, want %v", cs[0].ID, active, want)
	}
	if got, want := changedIDs(t, s, steward.CustomerFilter{ChangedSince: first, ThroughID: cs[3].ID}), []int64{cs[0].ID, cs[1].ID, cs[3].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("changed through %d: %v, want %v", cs[3].ID, got, want)
	}
	if got := changedIDs(t, s, steward.CustomerFilter{AfterID: cs[1].ID, ThroughID: cs[4].ID}); len(got) != 3 {
		t.Errorf("after %d through %d: %v, want 3 customers", cs[1].ID, cs[4].ID, got)
	}
	if got := changedIDs(t, s, steward.CustomerFilter{}); len(got) != 11 {
		t.Errorf("no mark keeps every customer, got %d", len(got))
	}
}

// testEmailsToCheckChanged checks that with a change mark only the
// never-checked addresses of customers written since, and the checks past
// their window, are due.
func testEmailsToCheckChanged(t *testing.T, s steward.Store) {
	ctx := context.Background()
	cs := createSamples(t, s, 5)
	t0 := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	must(t, s.RecordEmailCheck(ctx, cs[0].ID, cs[0].Record.Email, "valid", "", t0.Add(-48*time.Hour)))
	must(t, s.RecordEmailCheck(ctx, cs[1].ID, cs[1].Record.Email, "valid", "", t0))
	mark := changeMark(t, s)
	c := get(t, s, cs[1].ID)
	c.Record.Email = "moved@example.org"
	must(t, s.UpdateCustomer(ctx, c, meta))
	must(t, setCity(ctx, s, cs[2].ID, "Shiraz"))

	due := func(changedSince, after int64, limit int) []int64 {
		t.Helper()
		es, err := s.EmailsToCheck(ctx, t0.Add(-time.Hour), changedSince, after, 0, limit)
		must(t, err)
		ids := []int64{}
		for _, e := range es {
			ids = append(ids, e.CustomerID)
		}
		return ids
	}
	// cs[3] and cs[4] were never checked but were not written since the
	// mark: an incremental run that took it saw them.
	if got, want := due(mark, 0, 100), []int64{cs[0].ID, cs[1].ID, cs[2].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("due since the mark: %v, want %v (stale check, new address, changed and never checked)", got, want)
	}
	if got, want := due(mark, cs[0].ID, 1), []int64{cs[1].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("due since the mark after %d, 1: %v, want %v", cs[0].ID, got, want)
	}
	if got, want := due(0, 0, 100), []int64{cs[0].ID, cs[1].ID, cs[2].ID, cs[3].ID, cs[4].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("due without a mark: %v, want %v", got, want)
	}
}

// testJobRunChanges checks that a run's change window is kept, and that
// the last successful run can be found.
func testJobRunChanges(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ok, err := s.StartJobRun(ctx, "standardize")
	must(t, err)
	w := steward.ChangeWindow{Since: 7, Mark: 12}
	must(t, s.SetJobRunChanges(ctx, ok.ID, w))
	ok.Status = steward.JobSucceeded
	must(t, s.FinishJobRun(ctx, ok))
	wantCode(t, s.SetJobRunChanges(ctx, ok.ID, w), steward.ECONFLICT)
	wantCode(t, s.SetJobRunChanges(ctx, 424242, w), steward.ENOTFOUND)
	failed, err := s.StartJobRun(ctx, "standardize")
	must(t, err)
	must(t, s.SetJobRunChanges(ctx, failed.ID, steward.ChangeWindow{Full: true, Mark: 15}))
	failed.Status, failed.Error = steward.JobFailed, "boom"
	must(t, s.FinishJobRun(ctx, failed))

	got, err := s.JobRun(ctx, failed.ID)
	must(t, err)
	if want := (steward.ChangeWindow{Full: true, Mark: 15}); got.Changes != want {
		t.Errorf("failed run's changes %+v, want %+v", got.Changes, want)
	}
	runs, err := s.JobRuns(ctx, steward.JobRunFilter{Job: "standardize", Succeeded: true, Limit: 1})
	must(t, err)
	if len(runs) != 1 || runs[0].ID != ok.ID || runs[0].Changes != w {
		t.Errorf("last successful run: %+v, want run %d with %+v", runs, ok.ID, w)
	}
}

// testChangeMarkOpenWriter checks that a mark taken while a transaction
// that wrote a customer is still open keeps that customer once it
// commits: the job that took the mark must not miss it, whatever order
// transactions began in.
func testChangeMarkOpenWriter(t *testing.T, s steward.Store) {
	ctx := context.Background()
	cs := createSamples(t, s, 2)
	written, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
			if err := setCity(ctx, tx, cs[0].ID, "Kish"); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	select {
	case <-written:
	case err := <-done:
		t.Fatalf("writer ended before the mark: %v", err)
	}
	mark := changeMark(t, s)
	close(release)
	must(t, <-done)
	if got, want := changedIDs(t, s, steward.CustomerFilter{ChangedSince: mark}), []int64{cs[0].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("changed since a mark taken while the writer was open: %v, want %v", got, want)
	}
	must(t, setCity(ctx, s, cs[1].ID, "Bam"))
	later := changeMark(t, s)
	if got := changedIDs(t, s, steward.CustomerFilter{ChangedSince: later}); len(got) != 0 {
		t.Errorf("changed since a mark taken after every commit: %v", got)
	}
}
