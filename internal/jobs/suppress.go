package jobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/suppress"
)

// Suppress is the nightly suppression job: it ingests the inbound mail of
// the rules' inbox (delivery reports, complaints, unsubscribe requests:
// soft bounces counted against the rules' limit as they come, an address
// over it suppressed and marked invalid) and imports the email providers'
// exports left in the ESP folder, each moved to imported/ once applied.
// Everything it applies can be applied again without changing anything,
// so a run that stopped is simply run again.
type Suppress struct {
	// Inbox is a Maildir to ingest, "" none; Ingester (with its Aside
	// folder) ingests it.
	Inbox    string
	Ingester *suppress.Ingester
	// ESPDir is a folder of provider exports, "" none; Applier imports
	// them.
	ESPDir  string
	Applier *suppress.Applier
	Logger  *slog.Logger
}

// Name implements Job.
func (j *Suppress) Name() string { return steward.JobSuppress }

// espImported is the folder of ESPDir that receives the imported exports.
const espImported = "imported"

// Run implements Job. The inbox is read in batches, each applied in one
// step of the run with its counts; the messages kept aside, and the
// exports that cannot be read, make the run a warning, for a person to
// look at.
func (j *Suppress) Run(ctx context.Context, run *Run) error {
	log := j.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if j.Inbox == "" && j.ESPDir == "" {
		log.Info("suppress: no inbox and no ESP folder in the rules (suppression.inbox, suppression.esp_dir)")
	}
	if j.Inbox != "" {
		if err := j.ingest(ctx, run); err != nil {
			return err
		}
	}
	if j.ESPDir != "" {
		if err := j.importESP(ctx, run, log); err != nil {
			return err
		}
	}
	return nil
}

func (j *Suppress) ingest(ctx context.Context, run *Run) error {
	if !suppress.IsMaildir(j.Inbox) {
		return steward.Errorf(steward.EINVALID, "The inbox %s is not a Maildir (a folder with cur/ and new/): set suppression.inbox to the Maildir your MTA delivers the bounce mailbox to.", j.Inbox)
	}
	in := *j.Ingester
	in.Store = run.Store
	in.Transact = func(ctx context.Context, results []suppress.Result, fn func(ctx context.Context, st steward.Store) error) error {
		return run.Step(ctx, func(ctx context.Context, s steward.Store, st *Step) error {
			if err := fn(ctx, s); err != nil {
				return err
			}
			var sum suppress.Summary
			for _, r := range results {
				sum.Add(r)
			}
			countIngest(st.Count, sum)
			st.Checkpoint("inbox")
			return nil
		})
	}
	var aside, deferred int64
	err := in.IngestPath(ctx, j.Inbox, func(r suppress.Result) error {
		switch {
		case r.Aside != "":
			aside++
			run.Count("kept_aside", 1)
		case r.Deferred != "":
			deferred++
			run.Count("deferred", 1)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ingest %s: %w", j.Inbox, err)
	}
	if aside > 0 {
		where := ""
		if in.Aside != nil {
			where = " in " + in.Aside.Dir
		}
		run.Warn(fmt.Sprintf("%d inbound messages could not be classified and were kept aside%s (reasons.jsonl says why)", aside, where))
	}
	if deferred > 0 {
		run.Warn(fmt.Sprintf("%d inbound messages could not be judged now (DNS) and are left in the inbox for the next run", deferred))
	}
	return nil
}

// countIngest adds an ingest summary's counts through count.
func countIngest(count func(string, int64), sum suppress.Summary) {
	count("messages", int64(sum.Messages))
	count("suppressed", int64(sum.Suppressed))
	count("already_suppressed", int64(sum.AlreadySuppressed))
	count("soft_bounces", int64(sum.SoftBounces))
	count("marked_invalid", int64(sum.Invalid))
	for _, k := range []suppress.Kind{suppress.KindDSN, suppress.KindComplaint, suppress.KindUnsubscribe, suppress.KindAutoReply} {
		count(string(k), int64(sum.Kinds[k]))
	}
}

// importESP imports every export file of ESPDir (not hidden, not in
// imported/), in name order, moving each one applied to imported/.
func (j *Suppress) importESP(ctx context.Context, run *Run, log *slog.Logger) error {
	entries, err := os.ReadDir(j.ESPDir)
	if err != nil {
		return fmt.Errorf("esp folder: %w", err)
	}
	var failed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		path := filepath.Join(j.ESPDir, e.Name())
		sum, err := j.importFile(ctx, run, path)
		if steward.ErrorCode(err) == steward.EINVALID {
			failed = append(failed, fmt.Sprintf("%s (%s)", e.Name(), steward.ErrorMessage(err)))
			log.Warn("esp export not imported", "file", path, "err", steward.ErrorMessage(err))
			continue
		} else if err != nil {
			return fmt.Errorf("import %s: %w", path, err)
		}
		run.Count("esp_files", 1)
		run.Count("esp_rows", int64(sum.Rows))
		run.Count("esp_problems", int64(len(sum.Problems)))
		run.Count("suppressed", int64(sum.Suppressed))
		run.Count("already_suppressed", int64(sum.AlreadySuppressed))
		run.Count("soft_bounces", int64(sum.SoftBounces))
		run.Count("marked_invalid", int64(sum.Invalid))
		if len(sum.Problems) > 0 {
			log.Warn("esp export rows not read", "file", path, "rows", len(sum.Problems), "first", fmt.Sprintf("line %d: %s", sum.Problems[0].Line, sum.Problems[0].Message))
		}
		if err := os.MkdirAll(filepath.Join(j.ESPDir, espImported), 0o700); err != nil {
			return fmt.Errorf("esp folder: %w", err)
		}
		if err := os.Rename(path, filepath.Join(j.ESPDir, espImported, e.Name())); err != nil {
			return fmt.Errorf("move %s to %s: %w", path, espImported, err)
		}
		if err := run.Checkpoint(ctx, run.Store, "esp:"+e.Name()); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		slices.Sort(failed)
		run.Warn(fmt.Sprintf("%d ESP exports could not be imported and were left in %s: %s", len(failed), j.ESPDir, strings.Join(failed, "; ")))
	}
	return nil
}

// importFile imports one export, its format told by its name or columns.
func (j *Suppress) importFile(ctx context.Context, run *Run, path string) (*suppress.ESPSummary, error) {
	format, err := detectFile(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return j.Applier.ImportESP(ctx, run.Store, f, format, path, "")
}

// detectFile tells a file's provider by its name or its header; EINVALID
// when neither says.
func detectFile(path string) (suppress.ESPFormat, error) {
	if f := suppress.DetectESPFormat(path, nil); f != "" {
		return f, nil
	}
	data, err := readHead(path)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	header := strings.Split(strings.TrimSpace(strings.TrimPrefix(line, "\xef\xbb\xbf")), ",")
	for i := range header {
		header[i] = strings.Trim(header[i], `"`)
	}
	if f := suppress.DetectESPFormat(path, header); f != "" {
		return f, nil
	}
	return "", steward.Errorf(steward.EINVALID, "cannot tell which provider exported it: name it mailchimp-…, sendgrid-…, mailgun-…, ses-… or plain-…")
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, steward.Errorf(steward.ENOTFOUND, "%s is gone", path)
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 4096)
	n, _ := f.Read(buf)
	return buf[:n], nil
}
