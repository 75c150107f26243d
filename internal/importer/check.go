package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/records"
)

// CodeRepeatedID is the finding of a row whose id appeared earlier in the
// file.
const CodeRepeatedID = "repeated_id"

// table is the input file, read, and its rows.
type table struct {
	records.File
	rows []*row
	// keys are the match keys of the rows that passed the check, in file
	// order (row.fpos), computed while the file is read; startMatching
	// keeps those of the new rows, in place, for the file's duplicate
	// index. nil for a file with more than Options.keysInMemory such
	// rows: the index then reads the rows back from the spill and
	// prepares them again (spilledKeys).
	keys []dedupe.Prepared
}

// row is one data row of the input and what became of it. Once checked,
// the row as read (rowData) waits in the import's spill file, and the
// writer reads it back when it comes to the row; meanwhile memory keeps
// only what deciding the rows needs, in as few bytes as it can: a file
// of ten million rows holds ten million rows.
type row struct {
	// rowData is the row as read and checked, and what the writer
	// decides of it; nil while it is in the spill.
	*rowData
	// Num is Row.Num, kept while Row is in the spill.
	Num int
	// off is where the row is in the spill.
	off int64
	// ref is the row's source record (Record.Source and SourceID, which
	// the check leaves as they are); unset for a row rejected as read.
	ref     steward.SourceRef
	outcome steward.Outcome
	// customer is the customer the row created, updated or merged into;
	// once the row's reports are written only its id stays (id).
	customer *steward.Customer
	id       int64
	// cands are the customers the row looks like, most probable first.
	cands []candidate
	// fpos is the row's position among the file's new rows (which are
	// matched), -1 for the others; until they are known, the position of
	// its match keys in table.keys.
	fpos int32
	// qpos is the row's position among the rows matched against the
	// file (its new rows and updates), -1 for the others.
	qpos int32
}

// rowData is what a row holds only while it is read and checked, and
// again from when the writer reads it back until its reports are
// written.
type rowData struct {
	*records.Row
	// dropped are the fields the check left out (steward.FieldDrop).
	dropped []steward.FieldChange
	// match is the customer the row looks like, with the probability.
	match       *steward.Customer
	probability float64
}

// loaded reports whether the row's data is in memory.
func (r *row) loaded() bool { return r.rowData != nil }

// customerID returns the id of the row's customer.
func (r *row) customerID() int64 {
	if r.customer != nil {
		return r.customer.ID
	}
	return r.id
}

// release lets the row's data go once its reports are written: it stays
// in the spill.
func (r *row) release() {
	if r.customer != nil {
		r.id = r.customer.ID
	}
	r.rowData, r.customer, r.cands = nil, nil, nil
}

// checker gives the rows their source and id and rejects repeated ids, in
// file order as the rows are read, and meanwhile standardizes and
// validates them on all CPUs, chunk by chunk; then spills them, in file
// order.
type checker struct {
	ctx    context.Context
	cancel context.CancelFunc
	opts   *Options
	// first finds the row where each (source, id) appeared: by a hash of
	// the pair, the row's position in todo; pairs whose hash an other
	// pair took first are in firstMore, by the pair, with their row.
	// Ten million pairs as strings took about half a gigabyte.
	first     map[uint64]int32
	firstMore map[sourceKey]int
	seed      maphash.Seed
	// sources interns the rows' sources.
	sources map[string]string
	todo    []*row          // the rows to check, in file order
	cur     *checkChunkRows // the rows read since the last chunk went out
	chunks  chan *checkChunkRows
	// order has the chunks in file order, for the spiller.
	order   chan *checkChunkRows
	spill   *spill
	spilled chan error
	// keys are the match keys of the rows checked, in file order (see
	// table.keys); passed counts those rows. Once more than keepKeys rows
	// passed, keys are let go and no more are computed (dropKeys).
	keys     []dedupe.Prepared
	passed   int
	keepKeys int
	dropKeys atomic.Bool
	wg       sync.WaitGroup
}

// checkChunkRows is a chunk of consecutive rows; done is closed when they
// are checked.
type checkChunkRows struct {
	rows []*row
	// keys[i] are the match keys of rows[i] when it passed the check.
	keys []dedupe.Prepared
	done chan struct{}
}

type sourceKey struct{ source, id string }

// checkChunk is how many rows a checker worker takes at once.
const checkChunk = 256

func startChecking(ctx context.Context, opts *Options, sp *spill) *checker {
	ctx, cancel := context.WithCancel(ctx)
	n := runtime.GOMAXPROCS(0)
	c := &checker{ctx: ctx, cancel: cancel, opts: opts, first: make(map[uint64]int32), firstMore: make(map[sourceKey]int), seed: maphash.MakeSeed(), sources: make(map[string]string), chunks: make(chan *checkChunkRows, 2*n),
		order: make(chan *checkChunkRows, 4*n), spill: sp, spilled: make(chan error, 1), keepKeys: opts.keysInMemory}
	for range n {
		c.wg.Add(1)
		go c.work()
	}
	go c.spillRows()
	return c
}

// add takes the next row read.
func (c *checker) add(r *row) {
	c.admit(r)
	if c.cur == nil {
		c.cur = &checkChunkRows{done: make(chan struct{})}
	}
	c.cur.rows = append(c.cur.rows, r)
	if len(c.cur.rows) >= checkChunk {
		c.send()
	}
}

// admit rejects a row with NUL bytes or a repeated id, and otherwise
// gives it its source and id and keeps it to check.
func (c *checker) admit(r *row) {
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
	// The row's source record outlives the row's data (in the spill), so
	// it holds copies of its own rather than the line as read.
	src, ok := c.sources[r.Record.Source]
	if !ok {
		src = strings.Clone(r.Record.Source)
		c.sources[src] = src
	}
	ref := steward.SourceRef{Source: src, ID: strings.Clone(r.Record.SourceID)}
	if n, ok := c.firstRow(ref); ok {
		msg := fmt.Sprintf("The id %q already appeared at row %d; each row needs its own id.", r.Record.SourceID, n)
		if derived {
			msg = fmt.Sprintf("This row repeats row %d exactly.", n)
		}
		r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Field: steward.ColumnID, Code: CodeRepeatedID, Message: msg})
		r.outcome = steward.OutcomeRejected
		return
	}
	r.ref = ref
	h := c.refHash(ref)
	if _, taken := c.first[h]; taken {
		c.firstMore[sourceKey{ref.Source, ref.ID}] = r.Num
	} else {
		c.first[h] = int32(len(c.todo))
	}
	c.todo = append(c.todo, r)
}

// refHash returns the hash of first's keys.
func (c *checker) refHash(ref steward.SourceRef) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(ref.Source)
	h.WriteByte(0)
	h.WriteString(ref.ID)
	return h.Sum64()
}

// firstRow returns the row where ref appeared, if it did.
func (c *checker) firstRow(ref steward.SourceRef) (int, bool) {
	if i, ok := c.first[c.refHash(ref)]; ok {
		if r := c.todo[i]; r.ref == ref {
			return r.Num, true
		}
	}
	n, ok := c.firstMore[sourceKey{ref.Source, ref.ID}]
	return n, ok
}

func (c *checker) send() {
	c.order <- c.cur
	c.chunks <- c.cur
	c.cur = nil
}

// close ends the input, or abandons the checks when failed, and returns
// the rows to check.
func (c *checker) close(failed bool) []*row {
	if failed {
		c.cancel()
	} else if c.cur != nil {
		c.send()
	}
	close(c.chunks)
	close(c.order)
	// Every row is admitted: no id is looked for any more.
	c.first, c.firstMore = nil, nil
	todo := c.todo
	c.todo = nil
	return todo
}

// wait returns when every row is checked and spilled.
func (c *checker) wait() error {
	c.wg.Wait()
	serr := <-c.spilled
	err := c.ctx.Err()
	c.cancel()
	if serr != nil {
		return serr
	}
	return err
}

func (c *checker) work() {
	defer c.wg.Done()
	for ch := range c.chunks {
		if c.ctx.Err() == nil {
			c.check(ch)
		}
		close(ch.done) // drained when cancelled, so that the reader never blocks
	}
}

func (c *checker) check(ch *checkChunkRows) {
	ch.keys = make([]dedupe.Prepared, len(ch.rows))
	for i, r := range ch.rows {
		if r.outcome == steward.OutcomeRejected {
			continue
		}
		checked := c.opts.Policy.Examine(&r.Record)
		r.Findings = append(r.Findings, checked.Findings...)
		r.dropped = checked.Dropped
		if !checked.OK {
			r.outcome = steward.OutcomeRejected
			continue
		}
		// The match keys are computed here, while the file is read,
		// rather than when the writer and the matchers are busy; unless
		// the file has too many rows to keep them all.
		if !c.dropKeys.Load() {
			ch.keys[i] = dedupe.Prepare(&r.Record)
		}
	}
}

// spillRows writes the checked rows to the spill in file order and lets
// their data go.
func (c *checker) spillRows() {
	var err error
	for ch := range c.order {
		<-ch.done
		if err != nil || c.ctx.Err() != nil {
			// The import is failing: still let the rows go, so that
			// reading on to the end does not hold the file in memory.
			for _, r := range ch.rows {
				r.rowData = nil
			}
			ch.keys = nil
			continue
		}
		for i, r := range ch.rows {
			r.fpos = -1
			if r.outcome != steward.OutcomeRejected {
				r.fpos = int32(c.passed)
				c.passed++
				if c.passed > c.keepKeys && !c.dropKeys.Load() {
					// Too many to keep: the file's index will read the
					// rows back from the spill instead.
					c.dropKeys.Store(true)
					c.keys = nil
				}
				if !c.dropKeys.Load() {
					c.keys = append(c.keys, ch.keys[i])
				}
			}
			if r.off, err = c.spill.put(r.Row, r.dropped); err != nil {
				c.cancel()
				break
			}
			r.rowData = nil
		}
		ch.keys = nil
	}
	if err == nil {
		err = c.spill.finish()
	}
	c.spilled <- err
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
