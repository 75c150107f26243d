package importer

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/suppress"
)

// The source of an import given none whose rows named several systems,
// or none: in its summary and the imports history.
const (
	SourceSeveral = "(several)"
	SourceNone    = "(none)"
)

// ErrNoSourceColumn refuses a file that has no source column in an
// import given no source (Options.Source): nothing would identify its
// rows. Nothing is imported.
var ErrNoSourceColumn = steward.Errorf(steward.EINVALID, "The file has no source column, and the import was given no source: name the system the file comes from (with each row's id it identifies the row). Nothing was imported.")

// Options configure an import.
type Options struct {
	// Source names the system the file comes from; with each row's id it
	// identifies the row across re-imports. Rows whose mapping or source
	// column gives a source keep theirs. Without it, a row without a
	// source is rejected (CodeSourceMissing).
	Source string
	// FileOptions say how to read the file: its name, format, encoding,
	// mapping and limits.
	records.FileOptions

	// Policy says how rows are standardized and validated, and what
	// becomes of invalid rows and suspected duplicates: the one policy of
	// every admission (package gate). Its ReviewThreshold, when 0, is
	// Matching.Threshold.
	gate.Policy

	// Matching configures the duplicate index; a zero value (no blocking
	// keys) is dedupe.DefaultConfig().
	Matching dedupe.Config
	// Model scores candidate pairs; nil is matchindex.DefaultModel(). Pass
	// the database's current model (matchindex.CurrentModel), so that the
	// import scores as the nightly job does.
	Model *dedupe.Model
	// ModelID is the stored model Model is, which suggestions' evidence
	// names; 0 for the built-in one.
	ModelID int64
	// IndexCache is a file that keeps the duplicate index of the
	// database's customers between imports, so that an import reads it
	// instead of building it from every customer; "" builds it every time.
	// The file records which state of the customers it reflects (see
	// steward.Generation) and is rebuilt when they changed otherwise than
	// through the import that wrote it.
	IndexCache string

	// SpillDir is where the rows wait, once read and checked, until they
	// are written: a temporary file, removed as soon as it is created, so
	// that it never outlives the import. "" is the system's temporary
	// directory ($TMPDIR). It needs about the size of the file.
	SpillDir string

	// DryRun runs everything, reports, and leaves the database as it was.
	DryRun bool
	// Rejects, when not nil, receives the rejects report: CSV with the
	// file's columns as read, then row (1 = first data row), field, code
	// and message; one line per finding of every row not stored.
	Rejects io.Writer
	// Annotated, when not nil, receives a copy of the input as CSV with
	// status (the Outcome), code, message and matched_id columns added.
	Annotated io.Writer
	// The reports are written as the rows are decided, inside the
	// import's transaction: an import that fails may leave part of them
	// written, to be discarded.
	//
	// ReportsWritten, when not nil, is called once the reports are
	// written, before the import commits: it makes them durable (flushes
	// and syncs their files). If it fails, nothing is imported, so an
	// import is never in the database without its reports.
	ReportsWritten func() error
	// Findings, when not nil, receives every finding of every row, one
	// line per finding (see findingsReport).
	Findings io.Writer
	// RawReports writes the reports' values exactly as read; by default a
	// value a spreadsheet would run as a formula gets a leading
	// apostrophe (records.SpreadsheetSafe).
	RawReports bool

	// SuppressionKeys, when set, hash the accepted rows' addresses to
	// count those that are suppressed (Summary.Suppressed).
	SuppressionKeys *suppress.Keys

	// Actor is recorded on every change; "" is "import".
	Actor string
	// Progress, when not nil, counts rows as they are written.
	Progress *progress.Bar
	// Logger receives stage timings; nil discards them.
	Logger *slog.Logger

	// rebuildAbove, when not 0, is how many written customers make the
	// cache be built again from the database rather than updated (tests).
	rebuildAbove int
	// keysInMemory is how many checked rows' match keys are kept in
	// memory for the file's duplicate index; a file with more has its
	// index built from the rows read back from the spill. 0 is
	// defaultKeysInMemory, a negative number none (tests).
	keysInMemory int
	// fileIndexInMemory is how many rows matched against the file (new
	// rows and updates) its duplicate index holds in memory; a file with
	// more has it on disk (dedupe.ExternalIndex). 0 is
	// defaultFileIndexInMemory, a negative number none (tests).
	fileIndexInMemory int
	// refHashBits, when not 0, keeps only so many bits of the hash that
	// finds repeated ids, so that pairs share hashes (tests).
	refHashBits int
}

// defaultFileIndexInMemory is Options.fileIndexInMemory's default. The
// file's index in memory takes about 460 bytes a new row; on disk, twelve
// and a few passes over temporary files of about 1.5 KB a row.
const defaultFileIndexInMemory = 1_000_000

// defaultKeysInMemory is Options.keysInMemory's default: below it the
// file's match keys, computed while the file is read, are kept for its
// duplicate index (about 0.5 KB a row); above it they are computed again
// from the spill when the index is built, so that they never all stay in
// memory at once.
const defaultKeysInMemory = 100_000

// Summary counts what an import did. Accepted + Rejected + Blocked always
// equals Rows; Accepted is Created + Updated + Unchanged + Merged.
type Summary struct {
	// ImportID is the import's id in the imports history (0 for a dry
	// run, or when it could not be kept).
	ImportID int64  `json:"import_id,omitempty"`
	File     string `json:"file,omitempty"`
	Source   string `json:"source"`
	// Sources are the source systems the rows named, sorted, in an import
	// given no source (Options.Source), the first maxSourceNames of them;
	// MoreSources says there were others. Source is then the one they
	// named, or SourceSeveral, or SourceNone.
	Sources     []string         `json:"sources,omitempty"`
	MoreSources bool             `json:"more_sources,omitempty"`
	Format      records.Format   `json:"format"`
	Encoding    records.Encoding `json:"encoding"`
	// EncodingReason says why the encoding was chosen; Samples are a few
	// decoded values with non-ASCII letters, to catch a wrong guess.
	EncodingReason string   `json:"encoding_reason,omitempty"`
	Samples        []string `json:"samples,omitempty"`
	// Columns says how the file's columns were matched to canonical ones
	// when they were inferred (FileOptions.Infer); nil otherwise.
	Columns *records.Inference `json:"columns,omitempty"`
	DryRun  bool               `json:"dry_run"`

	Rows     int `json:"rows"`
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
	// Blocked counts suspected duplicates kept out by steward.DuplicateBlock.
	Blocked int `json:"blocked"`
	// Held counts suspected duplicates stored held by steward.DuplicateHold:
	// in the database, not active, until a steward decides.
	Held int `json:"held"`
	// OnDuplicate is what was done with the rows that looked like a
	// customer (the policy's action).
	OnDuplicate steward.DuplicateAction `json:"on_duplicate"`
	// Duplicates counts rows that looked like a customer, whatever was
	// done with them (suggested, blocked or merged).
	Duplicates int `json:"duplicates"`
	Created    int `json:"created"`
	Updated    int `json:"updated"`
	Unchanged  int `json:"unchanged"`
	Merged     int `json:"merged"`
	// Suggestions counts the merge suggestions the import stored or
	// refreshed.
	Suggestions int `json:"suggestions"`
	// Warnings counts accepted rows with findings (OnInvalid warn).
	Warnings int `json:"warnings"`
	// Dropped counts, by field, the invalid values left out of accepted
	// rows (the rules' on_invalid: drop_field); each has a warning.
	Dropped map[string]int `json:"dropped,omitempty"`
	// Suppressed counts accepted rows whose email address is suppressed:
	// the rows are in, and their addresses stay suppressed (an import
	// never subscribes anyone again).
	Suppressed int `json:"suppressed"`
	// Codes counts the findings of rejected and blocked rows by code.
	Codes map[string]int `json:"codes,omitempty"`
	// RejectedBy counts the rejected rows by the code of their first error
	// (each row once, so the counts add up to Rejected).
	RejectedBy map[string]int `json:"rejected_by,omitempty"`
	// FirstRejected are the first rows not stored (rejected or blocked),
	// with why, for a summary that shows some without a rejects file.
	FirstRejected []RejectedRow `json:"first_rejected,omitempty"`
	// Index says where the duplicate index of the database's customers
	// came from: "cache" (Options.IndexCache) or "database".
	Index string `json:"index"`
	// Elapsed is the wall time of the import; Read, Load and Write are
	// its stages: reading, standardizing and validating the file; loading
	// the customers into the duplicate index; matching and writing.
	Elapsed time.Duration `json:"elapsed_ns"`
	Read    time.Duration `json:"read_ns"`
	Load    time.Duration `json:"load_ns"`
	Write   time.Duration `json:"write_ns"`
}

// RejectedRow is a row that was not stored, as a summary shows it.
type RejectedRow struct {
	// Line is where the row starts in the input (the header is line 1).
	Line    int             `json:"line"`
	ID      string          `json:"id,omitempty"`
	Outcome steward.Outcome `json:"outcome"`
	Reasons []string        `json:"reasons"`
}

// maxFirstRejected is how many rejected rows a summary shows.
const maxFirstRejected = 5

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// Import reads a whole file from r and passes every row through the gate:
// map, standardize, validate, check for duplicates against the database's
// active customers and the file's earlier rows, then write. Rows with
// findings are rejected (or, with steward.InvalidWarn, stored and reported). A row
// whose (source, id) is already known updates that customer; one without an
// id gets one derived from its content, so re-importing the same file
// changes nothing.
//
// All writes happen in one Store.Atomic transaction: an import is stored
// whole or not at all. The transaction is AllOrNothing, which only an
// outermost transaction can be, so callers pass a store outside one
// (inside one, Import is EINVALID). A file that cannot be read to its end
// (an encoding error, a damaged workbook, a runaway row) is an
// *steward.Error with code EINVALID naming the line, and nothing is
// written; so is a cancelled ctx.
// Reports go to Options.Rejects and Options.Annotated before the
// transaction commits (Options.ReportsWritten makes them durable), in dry
// runs too: a failure to write them imports nothing.
//
// Every import but a dry run is kept in the imports history
// (steward.ImportStore): committed, with its summary, or failed, with
// why. Recording it comes after the commit and cannot fail the import; a
// failure to record is logged.
func Import(ctx context.Context, st steward.Store, r io.Reader, opts Options) (*Summary, error) {
	start := time.Now()
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	sum, err := importRows(ctx, st, r, opts, start)
	if !opts.DryRun {
		recordImport(ctx, st, &opts, start, sum, err)
	}
	return sum, err
}

// recordImport keeps the import in the imports history.
func recordImport(ctx context.Context, st steward.ImportStore, opts *Options, start time.Time, sum *Summary, failure error) {
	if errors.Is(failure, ErrNoSourceColumn) {
		return // a command line to correct, not an import
	}
	source := opts.Source
	switch {
	case source == "" && sum != nil:
		source = sum.Source
	case source == "":
		source = SourceNone
	}
	im := &steward.ImportRecord{Source: source, Name: opts.Name, Actor: opts.Actor, Status: steward.ImportCommitted,
		StartedAt: start.UTC(), FinishedAt: time.Now().UTC()}
	if failure != nil {
		im.Status = steward.ImportFailed
		im.Error = steward.ErrorMessage(failure)
		if steward.ErrorCode(failure) == steward.EINTERNAL {
			im.Error = failure.Error()
		}
	} else {
		im.Rows, im.Accepted, im.Rejected = sum.Rows, sum.Accepted, sum.Rejected
		im.Created, im.Updated, im.Merged = sum.Created, sum.Updated, sum.Merged
		// Without what quotes the file's values (decoded samples, the
		// first rejected rows' reasons): the history keeps counts, and
		// outlives an erasure.
		kept := *sum
		kept.Samples, kept.FirstRejected = nil, nil
		b, err := json.Marshal(&kept)
		if err != nil {
			opts.Logger.Warn("import not kept in the history", "error", err)
			return
		}
		im.Summary = b
	}
	// An interrupted import is still kept as failed.
	if err := st.RecordImport(context.WithoutCancel(ctx), im); err != nil {
		opts.Logger.Warn("import not kept in the history", "error", err)
		return
	}
	if sum != nil {
		sum.ImportID = im.ID
	}
}

// importRows is Import without the history.
func importRows(ctx context.Context, st steward.Store, r io.Reader, opts Options, start time.Time) (*Summary, error) {
	log := opts.Logger

	// The database's customers load into the duplicate index while the
	// file is read and checked.
	loadCtx, cancelLoad := context.WithCancel(ctx)
	defer cancelLoad()
	type loaded struct {
		snap *snapshot
		took time.Duration
		err  error
	}
	done := make(chan loaded, 1)
	go func() {
		t0 := time.Now()
		snap, err := loadSnapshot(loadCtx, st, &opts)
		done <- loaded{snap, time.Since(t0), err}
	}()
	// The rows are standardized and validated as they are read, then
	// wait in the spill file.
	sp, err := newSpill(opts.SpillDir)
	if err != nil {
		return nil, err
	}
	defer sp.close()
	t := &table{}
	chk := startChecking(ctx, &opts, sp, &t.rows)
	fo := opts.FileOptions
	if opts.Source == "" {
		// Without a source for the file, its rows must name theirs: a
		// file with no source column is refused before a row is read.
		require := fo.Require
		fo.Require = func(c *records.Columns) error {
			if !c.Maps(steward.ColumnSource) {
				return ErrNoSourceColumn
			}
			if require != nil {
				return require(c)
			}
			return nil
		}
	}
	f, err := records.ReadFile(contextReader{ctx, r}, fo, func(rr *records.Row) {
		i, m := t.rows.add(rr.Num)
		chk.add(&live{i: i, m: m, Row: rr})
	})
	if err == nil {
		t.File = *f
	}
	chk.close(err != nil)
	if cerr := chk.wait(); err == nil {
		err = cerr
	}
	t.keys = chk.keys
	if err != nil {
		cancelLoad()
		<-done
		return nil, err
	}
	read := time.Since(start)
	log.Info("import read", "file", opts.Name, "format", t.Format, "encoding", t.Encoding, "rows", t.rows.len(), "elapsed", read.Round(time.Millisecond))
	// The customers the rows' source records already became are looked
	// up, their ids read back from the spill, while the customers load.
	t0 := time.Now()
	known, err := lookupSources(loadCtx, st, sp, &t.rows)
	if err != nil {
		cancelLoad()
		<-done
		return nil, err
	}
	log.Info("import looked up the rows' ids", "known", len(known), "elapsed", time.Since(t0).Round(time.Millisecond))
	ld := <-done
	if ld.err != nil {
		return nil, ld.err
	}
	snap, load := ld.snap, ld.took
	snap.known = known
	log.Info("import loaded customers", "customers", snap.db.Ix.Len(), "from", snap.db.Source, "elapsed", load.Round(time.Millisecond))
	sum := &Summary{File: opts.Name, Source: opts.Source, Format: t.Format, Encoding: t.Encoding, EncodingReason: t.EncodingReason, Samples: t.Samples,
		Columns: t.Inference, DryRun: opts.DryRun, OnDuplicate: opts.OnDuplicate, Read: read, Load: load, Index: snap.db.Source}
	if opts.Source == "" {
		sum.Sources, sum.MoreSources = chk.sourceNames()
		switch {
		case len(sum.Sources) == 1 && !sum.MoreSources:
			sum.Source = sum.Sources[0]
		case len(sum.Sources) == 0:
			sum.Source = SourceNone
		default:
			sum.Source = SourceSeveral
		}
	}
	opts.Progress.Stage("import", int64(t.rows.len()))
	stage := time.Now()
	var touched []*steward.Customer
	tooMany := false
	var m *matcher
	defer func() {
		if m != nil {
			m.stop()
		}
	}()
	// Any failed write fails the whole import: the store need not keep a
	// savepoint per call to undo just that call. The admission lock makes
	// imports (and the API's admissions) take turns, so that each sees
	// what the others stored.
	err = st.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := catchUp(ctx, tx, snap, sp, &t.rows, sum, &opts); err != nil {
			return err
		}
		// The file's rows are indexed and matched on all CPUs while the
		// writer starts writing.
		m = startMatching(ctx, t, snap, sp, &opts)
		rep, err := newReporter(t, &opts, sum, tx)
		if err != nil {
			return err
		}
		w := &writer{tx: tx, opts: &opts, snap: snap, sum: sum, matches: m, rep: rep, rows: sp.cursor(), ahead: sp.cursor(),
			meta: steward.Meta{Actor: opts.Actor, Cause: "import:" + sum.Source + ":" + opts.Name}, origin: sum.Source + ": " + opts.Name}
		defer func() { touched, tooMany = w.touched, w.tooMany }()
		if err := w.run(ctx, t); err != nil {
			return err
		}
		// The reports are complete before the commit.
		if err := rep.finish(ctx); err != nil {
			return err
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	}, steward.AllOrNothing(), steward.Exclusive(gate.AdmissionLock))
	if err != nil && !errors.Is(err, errDryRun) {
		opts.Progress.Abort()
		return nil, err
	}
	opts.Progress.Done()
	sum.Write = time.Since(stage)
	log.Info("import wrote", "dry_run", opts.DryRun, "elapsed", sum.Write.Round(time.Millisecond))
	if opts.DryRun {
		touched = nil
	}
	// The file's index is done with (its building too, when no row needed
	// it); let the cache's update have the memory.
	m.stop()
	snap.fileIx, snap.fileRows, t.rows = nil, nil, rowTable{}
	if tooMany {
		// Bringing the cache up to date would hold every customer written
		// in memory; the next import builds it from the database instead.
		log.Info("duplicate index cache not updated: the import wrote too many customers to keep them all; the next import rebuilds it from the database", "most", maxTouched)
	} else {
		matchindex.Save(ctx, st, snap.db, touched, opts.indexOptions())
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// indexOptions are the options of the database's duplicate index.
func (o *Options) indexOptions() matchindex.Options {
	return matchindex.Options{Matching: o.Matching, Model: o.Model, Cache: o.IndexCache, Logger: o.Logger, RebuildAbove: o.rebuildAbove}
}

func (o *Options) setDefaults() error {
	p, err := o.Policy.Defaults()
	if err != nil {
		return err
	}
	o.Policy = p
	if len(o.Matching.Blocking) == 0 {
		o.Matching = dedupe.DefaultConfig()
	}
	if o.ReviewThreshold == 0 {
		o.ReviewThreshold = o.Matching.Threshold
	}
	if o.Model == nil {
		o.Model = matchindex.DefaultModel()
	}
	if o.Actor == "" {
		o.Actor = "import"
	}
	if o.fileIndexInMemory == 0 {
		o.fileIndexInMemory = defaultFileIndexInMemory
	}
	if o.keysInMemory == 0 {
		o.keysInMemory = defaultKeysInMemory
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// count counts row r's outcome into sum.
func count(sum *Summary, r *live) {
	outcome := r.outcome()
	sum.Rows++
	if outcome == steward.OutcomeRejected {
		for _, f := range r.Findings {
			if f.IsError() {
				if sum.RejectedBy == nil {
					sum.RejectedBy = make(map[string]int)
				}
				sum.RejectedBy[f.Code]++
				break
			}
		}
	}
	if !outcome.Accepted() && len(sum.FirstRejected) < maxFirstRejected {
		rr := RejectedRow{Line: r.Line, ID: r.Record.SourceID, Outcome: outcome}
		for _, f := range r.Findings {
			if f.IsError() {
				rr.Reasons = append(rr.Reasons, f.Code+": "+f.Message)
			}
		}
		sum.FirstRejected = append(sum.FirstRejected, rr)
	}
	if r.match != nil {
		sum.Duplicates++
	}
	switch outcome {
	case steward.OutcomeRejected, steward.OutcomeBlocked:
		if outcome == steward.OutcomeRejected {
			sum.Rejected++
		} else {
			sum.Blocked++
		}
		if sum.Codes == nil {
			sum.Codes = make(map[string]int)
		}
		for _, f := range r.Findings {
			sum.Codes[f.Code]++
		}
		return
	case steward.OutcomeCreated:
		sum.Created++
	case steward.OutcomeUpdated:
		sum.Updated++
	case steward.OutcomeUnchanged:
		sum.Unchanged++
	case steward.OutcomeMerged:
		sum.Merged++
	case steward.OutcomeHeld:
		sum.Held++
	}
	sum.Accepted++
	if len(r.Findings) > 0 {
		sum.Warnings++
	}
	for _, d := range r.dropped {
		if sum.Dropped == nil {
			sum.Dropped = make(map[string]int)
		}
		sum.Dropped[d.Field]++
	}
}

// contextReader stops reading the file once ctx is done: an import
// interrupted while it reads ends at the next read of the input instead
// of parsing the rest of a large file, rows it will never check.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
