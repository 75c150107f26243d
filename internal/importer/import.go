package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/records"
)

// Options configure an import.
type Options struct {
	// Source names the system the file comes from; with each row's id it
	// identifies the row across re-imports. Rows whose mapping or source
	// column gives a source keep theirs.
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

	// DryRun runs everything, reports, and leaves the database as it was.
	DryRun bool
	// Rejects, when not nil, receives the rejects report: CSV with the
	// file's columns as read, then row (1 = first data row), field, code
	// and message; one line per finding of every row not stored.
	Rejects io.Writer
	// Annotated, when not nil, receives a copy of the input as CSV with
	// status (the Outcome), code, message and matched_id columns added.
	Annotated io.Writer
	// ReportsWritten, when not nil, is called once the reports are
	// written, before the import commits: it makes them durable (flushes
	// and syncs their files). If it fails, nothing is imported, so an
	// import is never in the database without its reports.
	ReportsWritten func() error
	// RawReports writes the reports' values exactly as read; by default a
	// value a spreadsheet would run as a formula gets a leading
	// apostrophe (records.SpreadsheetSafe).
	RawReports bool

	// Actor is recorded on every change; "" is "import".
	Actor string
	// Progress, when not nil, counts rows as they are written.
	Progress *progress.Bar
	// Logger receives stage timings; nil discards them.
	Logger *slog.Logger

	// rebuildAbove, when not 0, is how many written customers make the
	// cache be built again from the database rather than updated (tests).
	rebuildAbove int
}

// Summary counts what an import did. Accepted + Rejected + Blocked always
// equals Rows; Accepted is Created + Updated + Unchanged + Merged.
type Summary struct {
	File     string           `json:"file,omitempty"`
	Source   string           `json:"source"`
	Format   records.Format   `json:"format"`
	Encoding records.Encoding `json:"encoding"`
	// EncodingReason says why the encoding was chosen; Samples are a few
	// decoded values with non-ASCII letters, to catch a wrong guess.
	EncodingReason string   `json:"encoding_reason,omitempty"`
	Samples        []string `json:"samples,omitempty"`
	DryRun         bool     `json:"dry_run"`

	Rows     int `json:"rows"`
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
	// Blocked counts suspected duplicates held back by steward.DuplicateBlock.
	Blocked int `json:"blocked"`
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
	// Codes counts the findings of rejected and blocked rows by code.
	Codes map[string]int `json:"codes,omitempty"`
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
func Import(ctx context.Context, st steward.Store, r io.Reader, opts Options) (*Summary, error) {
	start := time.Now()
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
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
	// The rows are standardized and validated as they are read.
	chk := startChecking(ctx, &opts)
	t := &table{}
	f, err := records.ReadFile(r, opts.FileOptions, func(rr *records.Row) {
		r := &row{Row: rr}
		t.rows = append(t.rows, r)
		chk.add(r)
	})
	if err == nil {
		t.File = *f
	}
	todo := chk.close(err != nil)
	var known chan lookup
	if err == nil {
		// The customers the rows' source records already became are
		// looked up while the last rows are checked.
		known = make(chan lookup, 1)
		go func() {
			ids, err := lookupSources(loadCtx, st, todo)
			known <- lookup{ids, err}
		}()
	}
	if cerr := chk.wait(); err == nil {
		err = cerr
	}
	if err != nil {
		cancelLoad()
		<-done
		if known != nil {
			<-known
		}
		return nil, err
	}
	read := time.Since(start)
	log.Info("import read", "file", opts.Name, "format", t.Format, "encoding", t.Encoding, "rows", len(t.rows), "elapsed", read.Round(time.Millisecond))
	ld, lk := <-done, <-known
	if ld.err != nil {
		return nil, ld.err
	}
	if lk.err != nil {
		return nil, lk.err
	}
	snap, load := ld.snap, ld.took
	snap.known = lk.ids
	log.Info("import loaded customers", "customers", snap.db.Ix.Len(), "from", snap.db.Source, "elapsed", load.Round(time.Millisecond))
	sum := &Summary{File: opts.Name, Source: opts.Source, Format: t.Format, Encoding: t.Encoding, EncodingReason: t.EncodingReason, Samples: t.Samples, DryRun: opts.DryRun, Read: read, Load: load, Index: snap.db.Source}
	opts.Progress.SetTotal(int64(len(t.rows)))
	stage := time.Now()
	var touched []*steward.Customer
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
		if err := catchUp(ctx, tx, snap, todo, sum, &opts); err != nil {
			return err
		}
		// The file's rows are indexed and matched on all CPUs while the
		// writer starts writing.
		m = startMatching(ctx, t, snap, &opts)
		w := &writer{tx: tx, opts: &opts, snap: snap, sum: sum, matches: m,
			meta: steward.Meta{Actor: opts.Actor, Cause: "import:" + opts.Source + ":" + opts.Name}, origin: opts.Source + ": " + opts.Name}
		defer func() { touched = w.touched }()
		if err := w.run(ctx, t); err != nil {
			return err
		}
		if err := writeReports(t, &opts); err != nil {
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
	summarize(t, sum)
	// The file's index is done with (its building too, when no row needed
	// it); let the cache's update have the memory.
	m.stop()
	snap.fileIx, snap.fileRows = nil, nil
	matchindex.Save(ctx, st, snap.db, touched, opts.indexOptions())
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// writeReports writes the rejects and annotated reports of the rows as
// they are now (written, not yet committed) and makes them durable.
func writeReports(t *table, opts *Options) error {
	if opts.Rejects != nil {
		if err := rejectsReport(opts.Rejects, t, opts.RawReports); err != nil {
			return fmt.Errorf("%w; nothing was imported", err)
		}
	}
	if opts.Annotated != nil {
		if err := annotatedReport(opts.Annotated, t, opts.RawReports); err != nil {
			return fmt.Errorf("%w; nothing was imported", err)
		}
	}
	if opts.ReportsWritten != nil {
		if err := opts.ReportsWritten(); err != nil {
			return fmt.Errorf("%w; nothing was imported", err)
		}
	}
	return nil
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
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// CodeRepeatedID is the finding of a row whose id appeared earlier in the
// file.
const CodeRepeatedID = "repeated_id"

// table is the input file, read, and its rows.
type table struct {
	records.File
	rows []*row
}

// row is one data row of the input and what became of it.
type row struct {
	*records.Row
	outcome steward.Outcome
	// customer is the customer the row created, updated or merged into.
	customer *steward.Customer
	// match is the customer the row looks like, with the probability.
	match       *steward.Customer
	probability float64
	// cands are the customers the row looks like, most probable first.
	cands []candidate
	// fpos is the row's position among the file's new rows (which are
	// matched), -1 for the others.
	fpos int
	// keys are the row's match keys, computed when it is checked, for
	// the file's duplicate index.
	keys dedupe.Prepared
}

// checker gives the rows their source and id and rejects repeated ids, in
// file order as the rows are read, and meanwhile standardizes and
// validates them on all CPUs, chunk by chunk.
type checker struct {
	ctx    context.Context
	cancel context.CancelFunc
	opts   *Options
	first  map[sourceKey]int // the row where each (source, id) appeared
	todo   []*row            // the rows to check, in file order
	sent   int               // todo[:sent] went to the workers
	chunks chan []*row
	wg     sync.WaitGroup
}

type sourceKey struct{ source, id string }

// checkChunk is how many rows a checker worker takes at once.
const checkChunk = 256

func startChecking(ctx context.Context, opts *Options) *checker {
	ctx, cancel := context.WithCancel(ctx)
	n := runtime.GOMAXPROCS(0)
	c := &checker{ctx: ctx, cancel: cancel, opts: opts, first: make(map[sourceKey]int), chunks: make(chan []*row, 2*n)}
	for range n {
		c.wg.Add(1)
		go c.work()
	}
	return c
}

// add takes the next row read.
func (c *checker) add(r *row) {
	if len(r.Findings) == 0 {
		// Before the row's source record is looked up in the database.
		r.Findings = gate.NULFindings(&r.Record)
	}
	if len(r.Findings) > 0 {
		r.outcome = steward.OutcomeRejected
		return
	}
	if r.Record.Source == "" {
		r.Record.Source = c.opts.Source
	}
	derived := r.Record.SourceID == ""
	if derived {
		r.Record.SourceID = contentID(&r.Record)
	}
	k := sourceKey{r.Record.Source, r.Record.SourceID}
	if n, ok := c.first[k]; ok {
		msg := fmt.Sprintf("The id %q already appeared at row %d; each row needs its own id.", r.Record.SourceID, n)
		if derived {
			msg = fmt.Sprintf("This row repeats row %d exactly.", n)
		}
		r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Field: steward.ColumnID, Code: CodeRepeatedID, Message: msg})
		r.outcome = steward.OutcomeRejected
		return
	}
	c.first[k] = r.Num
	c.todo = append(c.todo, r)
	if len(c.todo)-c.sent >= checkChunk {
		c.send()
	}
}

func (c *checker) send() {
	c.chunks <- c.todo[c.sent:len(c.todo):len(c.todo)]
	c.sent = len(c.todo)
}

// close ends the input, or abandons the checks when failed, and returns
// the rows to check.
func (c *checker) close(failed bool) []*row {
	if failed {
		c.cancel()
	} else if c.sent < len(c.todo) {
		c.send()
	}
	close(c.chunks)
	return c.todo
}

// wait returns when every row is checked.
func (c *checker) wait() error {
	c.wg.Wait()
	err := c.ctx.Err()
	c.cancel()
	return err
}

func (c *checker) work() {
	defer c.wg.Done()
	for rows := range c.chunks {
		if c.ctx.Err() != nil {
			continue // drained, so that the reader never blocks
		}
		for _, r := range rows {
			fs, ok := c.opts.Policy.Check(&r.Record)
			r.Findings = append(r.Findings, fs...)
			if !ok {
				r.outcome = steward.OutcomeRejected
				continue
			}
			// The match keys are computed here, while the file is read,
			// rather than when the writer and the matchers are busy.
			r.keys = dedupe.Prepare(&r.Record)
		}
	}
}

// contentID derives an id for a row without one from its values, so that
// the same row imported again is recognized.
func contentID(r *steward.Record) string {
	h := sha256.New()
	for _, f := range steward.CanonicalFields() {
		io.WriteString(h, r.Get(f))
		h.Write([]byte{0})
	}
	for _, k := range r.AttributeNames() {
		io.WriteString(h, k)
		h.Write([]byte{0})
		io.WriteString(h, r.Attributes[k])
		h.Write([]byte{0})
	}
	return "content:" + hex.EncodeToString(h.Sum(nil)[:10])
}

// snapshot is what the import knows about the database before it writes:
// the active customers in a duplicate index, the customers the file's
// source records already became, and the pairs stewards said differ.
type snapshot struct {
	db     *matchindex.Index
	known  map[steward.SourceRef]int64
	notDup map[steward.Pair]bool
	// fileIx indexes the file's new rows (fileRows, by position), so that
	// a row is matched against the rows before it.
	fileIx   *dedupe.Index
	fileRows []*row
}

// candidate is a customer a row looks like: in the database (row nil) or
// created by another row of the file.
type candidate struct {
	dedupe.Candidate
	row *row
}

// matcher matches the file's new rows against the database's customers
// and the file's earlier rows on all CPUs, chunk by chunk in file order,
// while the writer stores the rows already matched.
type matcher struct {
	s      *snapshot
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// next is the first chunk no worker has taken.
	next atomic.Int64
	// done[k] is closed when chunk k of s.fileRows is matched; err[k] is
	// then its error.
	done []chan struct{}
	err  []error
	// indexed is closed when s.fileIx is built, or failed with indexErr.
	indexed  chan struct{}
	indexErr error
}

// matchChunk is how many rows a matcher worker takes at once.
const matchChunk = 256

// startMatching picks the file's new rows, and indexes and matches them in
// the background.
func startMatching(ctx context.Context, t *table, s *snapshot, opts *Options) *matcher {
	recs := make([]dedupe.Prepared, 0, len(t.rows))
	for _, r := range t.rows {
		r.fpos = -1
		if r.outcome == steward.OutcomeRejected {
			continue
		}
		if _, known := s.known[steward.SourceRef{Source: r.Record.Source, ID: r.Record.SourceID}]; known {
			continue
		}
		r.fpos = len(s.fileRows)
		s.fileRows = append(s.fileRows, r)
		recs = append(recs, r.keys)
		r.keys = dedupe.Prepared{} // the index keeps its own copy
	}
	ctx, cancel := context.WithCancel(ctx)
	chunks := (len(s.fileRows) + matchChunk - 1) / matchChunk
	m := &matcher{s: s, ctx: ctx, cancel: cancel, done: make([]chan struct{}, chunks), err: make([]error, chunks), indexed: make(chan struct{})}
	for k := range m.done {
		m.done[k] = make(chan struct{})
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t0 := time.Now()
		ix, err := dedupe.NewIndexPrepared(ctx, recs, opts.Matching, opts.Model)
		if err != nil {
			m.indexErr = fmt.Errorf("duplicate index of the file: %w", err)
			close(m.indexed)
			for k := range m.done {
				m.err[k] = m.indexErr
				close(m.done[k])
			}
			return
		}
		// How common a name is, is judged among the customers the rows join.
		ix.CountTermsWith(s.db.Ix)
		s.fileIx = ix
		close(m.indexed)
		opts.Logger.Info("import indexed the file", "rows", len(s.fileRows), "elapsed", time.Since(t0).Round(time.Millisecond))
		// When the writer writes customers ahead of the matches
		// (steward.DuplicateSuggest), one CPU is left to it: its store calls are
		// the longest serial work of the import, and sharing its CPU with
		// one matcher too many only left it alone at the end. Otherwise it
		// waits for the matches and every CPU matches. Either way the
		// writer matches too whenever it has nothing to write (help).
		workers := runtime.GOMAXPROCS(0)
		if opts.OnDuplicate == steward.DuplicateSuggest {
			workers = max(1, workers-1)
		}
		for range workers {
			m.wg.Add(1)
			go func() {
				defer m.wg.Done()
				for m.take() {
				}
			}()
		}
	}()
	return m
}

// take matches the next chunk no one has taken, on the caller's goroutine,
// and reports whether there was one.
func (m *matcher) take() bool {
	k := int(m.next.Add(1)) - 1
	if k >= len(m.done) {
		return false
	}
	m.err[k] = m.chunk(m.ctx, k)
	close(m.done[k])
	return true
}

// help is take for the writer, which matches a chunk rather than wait for
// one: it reports false, taking nothing, while the file's index is not
// built.
func (m *matcher) help() bool {
	select {
	case <-m.indexed:
		return m.indexErr == nil && m.take()
	default:
		return false
	}
}

func (m *matcher) chunk(ctx context.Context, k int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rows := m.s.fileRows[k*matchChunk : min((k+1)*matchChunk, len(m.s.fileRows))]
	for _, r := range rows {
		var err error
		if r.cands, err = m.s.candidates(r); err != nil {
			return fmt.Errorf("row %d: %w", r.Num, err)
		}
	}
	return nil
}

// ready reports, without waiting, whether wait would return at once.
func (m *matcher) ready(r *row) bool {
	done, _ := m.awaited(r)
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// awaited returns what row r waits for: its chunk's matching, or for a row
// that is not new the file's index; and where its error will be.
func (m *matcher) awaited(r *row) (<-chan struct{}, *error) {
	if r.fpos < 0 {
		return m.indexed, &m.indexErr
	}
	k := r.fpos / matchChunk
	return m.done[k], &m.err[k]
}

// wait returns when row r's candidates are known; for a row that is not
// new (matched by the writer itself), when the file's index is built.
func (m *matcher) wait(ctx context.Context, r *row) error {
	done, err := m.awaited(r)
	select {
	case <-done:
		return *err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop ends the matching and waits for its workers.
func (m *matcher) stop() {
	m.cancel()
	m.wg.Wait()
}

// candidates returns the database customers and the earlier rows of the
// file that r looks like, most probable first.
func (s *snapshot) candidates(r *row) ([]candidate, error) {
	match := func(ix *dedupe.Index) ([]dedupe.Candidate, error) {
		if r.fpos >= 0 {
			// The row is in the file's index already: no preparing it again.
			return ix.MatchIndexed(s.fileIx, r.fpos)
		}
		return ix.Match(&r.Record)
	}
	db, err := match(s.db.Ix)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	file, err := match(s.fileIx)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	out := make([]candidate, 0, len(db)+len(file))
	for _, c := range db {
		out = append(out, candidate{Candidate: c})
	}
	for _, c := range file {
		// MatchIndexed gives the rows before r; Match (an update's row,
		// not in the file's index) gives them all.
		if other := s.fileRows[c.Index]; other.Num < r.Num {
			out = append(out, candidate{Candidate: c, row: other})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Weight != b.Weight {
			return a.Weight > b.Weight
		}
		// Equal weights: stored customers before the file's rows, then by
		// customer id or row, so that the choice never depends on where
		// a cached index keeps a customer it updated.
		if (a.row == nil) != (b.row == nil) {
			return a.row == nil
		}
		if a.row == nil {
			return s.db.IDs[a.Index] < s.db.IDs[b.Index]
		}
		return a.row.Num < b.row.Num
	})
	return out, nil
}

// catchUp brings the snapshot up to date inside the import's transaction,
// which holds the admission lock: when customers changed after it was
// loaded (another import or an API write committed meanwhile), the
// duplicate index, the not-duplicate pairs and the customers the rows'
// source records became are read again, so that what this import
// decides holds whatever committed beside it.
func catchUp(ctx context.Context, tx steward.Store, snap *snapshot, rows []*row, sum *Summary, opts *Options) error {
	g, err := tx.CustomerGeneration(ctx)
	if err != nil {
		return fmt.Errorf("customers' generation: %w", err)
	}
	if had, ok := snap.db.Generation(); ok && had == g {
		return nil
	}
	t0 := time.Now()
	fresh, err := loadSnapshot(ctx, tx, opts)
	if err != nil {
		return err
	}
	if fresh.known, err = lookupSources(ctx, tx, rows); err != nil {
		return err
	}
	*snap = *fresh
	sum.Index = snap.db.Source + ", again: customers changed during the import"
	sum.Load += time.Since(t0)
	opts.Logger.Info("import reloaded customers changed by another writer", "customers", snap.db.Ix.Len(), "elapsed", time.Since(t0).Round(time.Millisecond))
	return nil
}

func loadSnapshot(ctx context.Context, st steward.Store, opts *Options) (*snapshot, error) {
	db, err := matchindex.Load(ctx, st, opts.indexOptions())
	if err != nil {
		return nil, err
	}
	s := &snapshot{db: db}
	s.notDup, err = st.NotDuplicatePairs(ctx)
	if err != nil {
		return nil, fmt.Errorf("load not-duplicate pairs: %w", err)
	}
	return s, nil
}

// lookup is the result of lookupSources.
type lookup struct {
	ids map[steward.SourceRef]int64
	err error
}

// lookupSources finds the customers the rows' source records already
// became.
func lookupSources(ctx context.Context, st steward.Store, rows []*row) (map[steward.SourceRef]int64, error) {
	refs := make([]steward.SourceRef, len(rows))
	for i, r := range rows {
		refs[i] = steward.SourceRef{Source: r.Record.Source, ID: r.Record.SourceID}
	}
	ids, err := st.CustomerIDsBySource(ctx, refs)
	if err != nil {
		return nil, fmt.Errorf("look up source records: %w", err)
	}
	return ids, nil
}

// writer stores the accepted rows inside the import's transaction.
type writer struct {
	tx   steward.Store
	opts *Options
	snap *snapshot
	sum  *Summary
	meta steward.Meta
	// origin names the import in suggestions' evidence.
	origin string
	// matches tells when a row's candidates are known.
	matches *matcher
	batch   []*steward.Customer
	// suggestions wait until their rows' customers have ids.
	suggestions []pendingSuggestion
	// touched lists the customers the import created or changed, to bring
	// the duplicate index up to date after the commit.
	touched []*steward.Customer
	// precreated says the new rows' customers are written ahead of their
	// matches (steward.DuplicateSuggest); created counts them.
	precreated bool
	created    int
}

// pendingSuggestion pairs a row's customer with the customer it matched.
type pendingSuggestion struct {
	r      *row
	target *steward.Customer
	cand   dedupe.Candidate
}

// batchSize is how many new customers, and suggestions, go to the store
// at once: with PostgreSQL every batch costs round trips, which at 500 at
// once took a few tenths of a second per 100,000 rows.
const batchSize = 2000

func (w *writer) run(ctx context.Context, t *table) error {
	// A new row becomes a customer whatever it matches when duplicates are
	// suggested, so its customer is written ahead, while rows are still
	// being matched; the suggestions follow as the matches come.
	w.precreated = w.opts.OnDuplicate == steward.DuplicateSuggest
	seen := 0 // new rows up to this one
	for i, r := range t.rows {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if r.fpos >= 0 {
			seen++
		}
		if r.outcome != steward.OutcomeRejected {
			if w.precreated {
				if err := w.createAhead(ctx, r, seen); err != nil {
					return err
				}
			}
			// With nothing left to write until r's matches are known, the
			// writer matches later rows itself instead of waiting.
			for !w.matches.ready(r) && w.matches.help() {
			}
			if err := w.matches.wait(ctx, r); err != nil {
				return err
			}
			if err := w.row(ctx, r); err != nil {
				return fmt.Errorf("row %d: %w", r.Num, err)
			}
			r.cands = nil // decided: their explanations need not stay for the rest of the file
			if err := w.maybeFlush(ctx); err != nil {
				return err
			}
		}
		w.opts.Progress.Add(1)
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	return w.storeSuggestions(ctx, 1)
}

// createAhead writes the customers of new rows, in batches of batchSize in
// file order: while the matches of row r are not known, and at least those
// of the first seen new rows (r's own and the earlier rows it may match).
func (w *writer) createAhead(ctx context.Context, r *row, seen int) error {
	rows := w.snap.fileRows
	need := min(len(rows), (seen+batchSize-1)/batchSize*batchSize)
	for w.created < need || (w.created < len(rows) && !w.matches.ready(r)) {
		end := min(len(rows), w.created+batchSize)
		for _, nr := range rows[w.created:end] {
			nr.customer, nr.outcome = &steward.Customer{Record: nr.Record}, steward.OutcomeCreated
			w.batch = append(w.batch, nr.customer)
		}
		w.created = end
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// storeSuggestions stores the pending suggestions, in batches of batchSize
// while at least least are pending. Every pending suggestion's customers
// have ids once the batch of its row is flushed, so the suggestions go to
// the store while later rows are still being matched rather than all at
// the end, in the order of their rows.
func (w *writer) storeSuggestions(ctx context.Context, least int) error {
	for len(w.suggestions) >= max(least, 1) {
		n := min(len(w.suggestions), batchSize)
		ss := make([]*steward.Suggestion, 0, n)
		for _, p := range w.suggestions[:n] {
			pe := matchindex.PairEvidence(0, 0, p.cand, w.opts.Model)
			sg, err := gate.Suggestion(p.r.customer.ID, p.target.ID, pe, steward.EvidenceImport, w.origin, p.r.Num, w.opts.ModelID)
			if err != nil {
				return err
			}
			ss = append(ss, sg)
		}
		if err := w.tx.UpsertSuggestions(ctx, ss); err != nil {
			return fmt.Errorf("store suggestions: %w", err)
		}
		w.sum.Suggestions += n
		w.suggestions = w.suggestions[n:]
	}
	return nil
}

func (w *writer) row(ctx context.Context, r *row) error {
	if id, ok := w.snap.known[steward.SourceRef{Source: r.Record.Source, ID: r.Record.SourceID}]; ok {
		return w.update(ctx, r, id)
	}
	cand, target, err := w.match(ctx, r, 0)
	if err != nil {
		return err
	}
	if w.precreated {
		if target != nil {
			r.match, r.probability = target, cand.Probability
			w.suggestions = append(w.suggestions, pendingSuggestion{r: r, target: target, cand: cand})
		}
		return nil
	}
	c := &steward.Customer{Record: r.Record}
	r.customer = c
	if target == nil {
		r.outcome = steward.OutcomeCreated
		w.batch = append(w.batch, c)
		return nil
	}
	r.match, r.probability = target, cand.Probability
	switch w.opts.Decide(cand.Probability) {
	case gate.ActionBlock:
		if target.ID == 0 {
			// Name the earlier row's customer by its id in the message.
			if err := w.flush(ctx); err != nil {
				return err
			}
		}
		r.outcome = steward.OutcomeBlocked
		r.customer = nil
		r.Findings = append(r.Findings, gate.BlockedFinding(target, cand.Probability))
	case gate.ActionMerge:
		if target.ID == 0 {
			if err := w.flush(ctx); err != nil {
				return err
			}
		}
		r.outcome = steward.OutcomeMerged
		c.Status, c.MergedInto = steward.StatusMerged, target.ID
		if err := w.fill(ctx, target, &r.Record); err != nil {
			return err
		}
		w.batch = append(w.batch, c)
	default:
		r.outcome = steward.OutcomeCreated
		w.batch = append(w.batch, c)
		w.suggestions = append(w.suggestions, pendingSuggestion{r: r, target: target, cand: cand})
	}
	return nil
}

// match returns the most probable customer (in the database, or created by
// an earlier row) among r's candidates, other than self; nil when none
// reaches the review threshold.
func (w *writer) match(ctx context.Context, r *row, self int64) (dedupe.Candidate, *steward.Customer, error) {
	for _, cand := range r.cands {
		if cand.Probability < w.opts.ReviewThreshold {
			continue
		}
		if other := cand.row; other != nil {
			if other.outcome != steward.OutcomeCreated || (self != 0 && other.customer.ID == self) {
				continue
			}
			return cand.Candidate, other.customer, nil
		}
		id := w.snap.db.IDs[cand.Index]
		if id == self || (self != 0 && w.snap.notDup[steward.NewPair(id, self)]) {
			continue
		}
		if w.opts.OnDuplicate != steward.DuplicateBlock && w.opts.Annotated == nil {
			// Only its id is needed: a merge reads the customer itself.
			return cand.Candidate, &steward.Customer{ID: id}, nil
		}
		c, err := w.tx.Customer(ctx, id)
		if err != nil {
			return dedupe.Candidate{}, nil, fmt.Errorf("matched customer %d: %w", id, err)
		}
		return cand.Candidate, c, nil
	}
	return dedupe.Candidate{}, nil, nil
}

// update applies r to the customer its (source, id) names. Fields the row
// leaves empty keep their stored values: an import never blanks a field.
func (w *writer) update(ctx context.Context, r *row, id int64) error {
	c, err := w.tx.Customer(ctx, id)
	if err != nil {
		return fmt.Errorf("customer %d of %s/%s: %w", id, r.Record.Source, r.Record.SourceID, err)
	}
	if c.Status == steward.StatusErased {
		r.outcome = steward.OutcomeRejected
		r.Findings = append(r.Findings, gate.ErasedFinding(&r.Record, c))
		return nil
	}
	r.customer = c
	next := gate.Overlay(&c.Record, &r.Record)
	if len(steward.Diff(&c.Record, &next)) == 0 {
		r.outcome = steward.OutcomeUnchanged
		return nil
	}
	c.Record = next
	if err := w.tx.UpdateCustomer(ctx, c, w.meta); err != nil {
		return fmt.Errorf("update customer %d: %w", id, err)
	}
	w.touched = append(w.touched, c)
	r.outcome = steward.OutcomeUpdated
	if c.Status != steward.StatusActive {
		return nil
	}
	if r.cands, err = w.snap.candidates(r); err != nil {
		return err
	}
	cand, target, err := w.match(ctx, r, c.ID)
	if err != nil || target == nil {
		return err
	}
	r.match, r.probability = target, cand.Probability
	w.suggestions = append(w.suggestions, pendingSuggestion{r: r, target: target, cand: cand})
	return nil
}

// fill merges the row's record into target, keeping what the rules'
// survivorship picks.
func (w *writer) fill(ctx context.Context, target *steward.Customer, rec *steward.Record) error {
	c, changed, err := gate.Absorb(ctx, w.tx, target.ID, rec, w.opts.Survivorship, time.Now(), w.meta)
	if err != nil {
		return err
	}
	if changed {
		w.touched = append(w.touched, c)
	}
	return nil
}

func (w *writer) flush(ctx context.Context) error {
	if len(w.batch) == 0 {
		return nil
	}
	if err := w.tx.CreateCustomers(ctx, w.batch, w.meta); err != nil {
		return err // the store names what failed
	}
	w.touched = append(w.touched, w.batch...)
	w.batch = w.batch[:0]
	return w.storeSuggestions(ctx, batchSize)
}

func (w *writer) maybeFlush(ctx context.Context) error {
	if len(w.batch) >= batchSize {
		return w.flush(ctx)
	}
	if len(w.batch) == 0 {
		// Every pending suggestion's customers have ids.
		return w.storeSuggestions(ctx, batchSize)
	}
	return nil
}

// summarize counts the rows' outcomes.
func summarize(t *table, sum *Summary) {
	for _, r := range t.rows {
		sum.Rows++
		if r.match != nil {
			sum.Duplicates++
		}
		switch r.outcome {
		case steward.OutcomeRejected, steward.OutcomeBlocked:
			if r.outcome == steward.OutcomeRejected {
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
			continue
		case steward.OutcomeCreated:
			sum.Created++
		case steward.OutcomeUpdated:
			sum.Updated++
		case steward.OutcomeUnchanged:
			sum.Unchanged++
		case steward.OutcomeMerged:
			sum.Merged++
		}
		sum.Accepted++
		if len(r.Findings) > 0 {
			sum.Warnings++
		}
	}
}
