package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func testStats(t *testing.T, s steward.Store) {
	ctx := context.Background()
	st, err := s.Stats(ctx)
	must(t, err)
	if st.PendingSuggestions != 0 || len(st.Imports) != 0 || st.ImportRows != 0 || len(st.LastSuccess) != 0 || st.MaxCustomerID != 0 {
		t.Errorf("stats of an empty database = %+v", st)
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i, status := range []steward.ImportStatus{steward.ImportCommitted, steward.ImportCommitted, steward.ImportFailed} {
		im := &steward.ImportRecord{Source: "shop", Name: "f.csv", Status: status, StartedAt: at, FinishedAt: at, Rows: 10 * (i + 1), Rejected: i + 1}
		if status == steward.ImportFailed {
			im.Error = "broken"
		}
		must(t, s.RecordImport(ctx, im))
	}
	a, b := create(t, s, sample(1)), create(t, s, sample(2))
	must(t, s.UpsertSuggestion(ctx, &steward.Suggestion{CustomerIDs: []int64{a.ID, b.ID}, Probability: 0.9}))
	run, err := s.StartJobRun(ctx, steward.JobDedupe)
	must(t, err)
	run.Status = steward.JobSucceeded
	must(t, s.FinishJobRun(ctx, run))
	share, err := s.StartJobRun(ctx, "verify-emails#1-50000")
	must(t, err)
	share.Status = steward.JobSucceeded
	must(t, s.FinishJobRun(ctx, share))
	failed, err := s.StartJobRun(ctx, steward.JobStandardize)
	must(t, err)
	failed.Status, failed.Error = steward.JobFailed, "boom"
	must(t, s.FinishJobRun(ctx, failed))

	st, err = s.Stats(ctx)
	must(t, err)
	if st.PendingSuggestions != 1 || st.Imports["committed"] != 2 || st.Imports["failed"] != 1 || st.ImportRows != 60 || st.ImportRejected != 6 {
		t.Errorf("stats = %+v", st)
	}
	if got := st.LastSuccess[steward.JobDedupe]; !got.Equal(run.FinishedAt) {
		t.Errorf("last success of dedupe = %v, want %v", got, run.FinishedAt)
	}
	if _, ok := st.LastSuccess[steward.JobStandardize]; ok {
		t.Errorf("a failed job has a last success")
	}
	if len(st.LastSuccess) != 1 {
		t.Errorf("last successes %v, want dedupe's only (a share is not a job)", st.LastSuccess)
	}
	if st.MaxCustomerID != b.ID || b.ID <= a.ID {
		t.Errorf("greatest customer id = %d, want %d", st.MaxCustomerID, b.ID)
	}
}
