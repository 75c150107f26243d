package jobs

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/quality"
	"github.com/steward-crm/steward/validate"
)

// TestSnapshotJobWarns: a snapshot that crosses a threshold ends its run as
// a warning, posts the alert to the webhook and writes its report; one
// that crosses none succeeds quietly.
func TestSnapshotJobWarns(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		seedCustomers(t, s,
			steward.Record{Source: "shop", SourceID: "1", FirstName: "Ann", Email: "ann@example.org"},
			steward.Record{Source: "shop", SourceID: "2", FirstName: "Bob", Email: "bob@@example.org"},
			steward.Record{Source: "crm", SourceID: "3", FirstName: "Cy", Email: "cy@example.org"},
		)
		var posted []byte
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			posted, _ = io.ReadAll(r.Body)
		}))
		defer hook.Close()
		rules, err := validate.NewRecordRules(validate.DefaultRecordRulesConfig(""))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		job := &Snapshot{Measurer: &quality.Measurer{Rules: rules}, Webhook: hook.URL, ReportDir: dir,
			Thresholds: []quality.Threshold{{Metric: "validity.email", Source: "shop", Bound: "share_below", Value: 0.9}}}
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		rec, err := rn.Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != steward.JobWarning || len(rec.Warnings) != 1 || !strings.Contains(rec.Warnings[0], "validity of email, source shop is 50.0% (1 of 2), below 90.0%") {
			t.Fatalf("run %+v, want a warning about shop's email validity", rec)
		}
		var body struct {
			Snapshot int64           `json:"snapshot"`
			Alerts   []quality.Alert `json:"alerts"`
		}
		if err := json.Unmarshal(posted, &body); err != nil || body.Snapshot == 0 || len(body.Alerts) != 1 || body.Alerts[0].Metric.Numerator != 1 {
			t.Errorf("webhook got %s (%v)", posted, err)
		}
		reports, _ := filepath.Glob(filepath.Join(dir, "report-*.html"))
		if len(reports) != 1 {
			t.Fatalf("reports written: %v", reports)
		}
		if fi, err := os.Stat(reports[0]); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("report file: %v %v, want mode 0600", fi, err)
		}
		job.Thresholds[0].Value = 0.4
		posted = nil
		rec, err = rn.Start(ctx, job, Options{})
		if err != nil || rec.Status != steward.JobSucceeded || posted != nil {
			t.Errorf("below no threshold: %+v, %v; webhook got %s", rec, err, posted)
		}
		snaps, err := s.Snapshots(ctx, time.Time{}, 0)
		if err != nil || len(snaps) != 2 || snaps[0].RunID == 0 {
			t.Errorf("snapshots %v (%v), want 2 stored with their runs", snaps, err)
		}
	})
}
