package jobs

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/quality"
)

// Snapshot measures the quality of the customer database (see package
// quality), stores the snapshot, and warns about every threshold it
// crosses: the run ends as steward.JobWarning, the alert is logged, posted
// to the webhook and, with ReportDir, the snapshot's report is written as
// an HTML file.
type Snapshot struct {
	Measurer   *quality.Measurer
	Thresholds []quality.Threshold
	// Webhook, when set, receives the alerts of a snapshot that crosses a
	// threshold (quality.Post); Client posts them (nil: a default client).
	Webhook string
	Client  *http.Client
	// ReportDir, when set, receives report-DATE.html after every snapshot,
	// written with FileMode (0 is 0600).
	ReportDir string
	FileMode  fs.FileMode
	Logger    *slog.Logger
}

// Name implements Job.
func (j *Snapshot) Name() string { return steward.JobSnapshot }

// reportSnapshots is how many snapshots a written report's trend covers.
const reportSnapshots = 60

// Run implements Job. A snapshot is taken whole or not at all: an
// interrupted run stores nothing and the next start measures afresh.
func (j *Snapshot) Run(ctx context.Context, run *Run) error {
	snap, err := j.Measurer.Take(ctx, run.Store)
	if err != nil {
		return err
	}
	snap.RunID = run.Record.ID
	if err := run.Store.SaveSnapshot(ctx, snap); err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	run.Count("customers", snap.Customers)
	run.Count("metrics", int64(len(snap.Metrics)))
	run.Count("snapshot_id", snap.ID)
	alerts := quality.Crossed(snap, j.Thresholds)
	run.Count("alerts", int64(len(alerts)))
	log := j.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, a := range alerts {
		run.Warn(a.Message)
		log.Warn("quality threshold crossed", "snapshot", snap.ID, "alert", a.Message)
	}
	if len(alerts) > 0 && j.Webhook != "" {
		client := j.Client
		if client == nil {
			client = http.DefaultClient
		}
		if err := quality.Post(ctx, client, j.Webhook, snap, alerts); err != nil {
			// The snapshot is stored and the warnings recorded; a webhook
			// that is down must not fail the night.
			run.Warn(fmt.Sprintf("the alerts could not be posted: %v", err))
			log.Warn("quality webhook", "err", err)
		}
	}
	if j.ReportDir != "" {
		if err := j.writeReport(ctx, run.Store); err != nil {
			run.Warn(fmt.Sprintf("the report could not be written to %s: %v", j.ReportDir, err))
			log.Warn("quality report", "dir", j.ReportDir, "err", err)
		}
	}
	return nil
}

// writeReport writes the report of the latest snapshots to ReportDir.
func (j *Snapshot) writeReport(ctx context.Context, st steward.SnapshotStore) error {
	snaps, err := st.Snapshots(ctx, time.Time{}, reportSnapshots)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(j.ReportDir, 0o700); err != nil {
		return err
	}
	latest := snaps[len(snaps)-1]
	name := filepath.Join(j.ReportDir, "report-"+latest.TakenAt.Local().Format("2006-01-02-1504")+".html")
	f, err := os.CreateTemp(j.ReportDir, ".report-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := quality.NewReport(snaps, "", "", j.Thresholds).WriteHTML(f); err != nil {
		f.Close()
		return err
	}
	mode := j.FileMode
	if mode == 0 {
		mode = 0o600
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
