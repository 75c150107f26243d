package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"runtime"
	"slices"
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

// CodeSourceMissing is the finding of a row that names no source system
// in an import given none (Options.Source): without one, its id cannot
// identify it when the file is imported again.
const CodeSourceMissing = "source_missing"

// table is the input file, read, and its rows.
type table struct {
	records.File
	rows rowTable
	// keys are the match keys of the rows that passed the check, in file
	// order (rowMeta.fpos), computed while the file is read;
	// startMatching keeps those of the new rows, in place, for the file's
	// duplicate index. nil for a file with more than Options.keysInMemory
	// such rows: the index then reads the rows back from the spill and
	// prepares them again (spilledKeys).
	keys []dedupe.Prepared
}

// checker gives the rows their source and id and rejects repeated ids, in
// file order as the rows are read, and meanwhile standardizes and
// validates them on all CPUs, chunk by chunk; then spills them, in file
// order.
type checker struct {
	ctx    context.Context
	cancel context.CancelFunc
	opts   *Options
	// rows are the file's rows, which the reader adds.
	rows *rowTable
	// first finds the row where each (source, id) appeared, by a hash of
	// the pair: the row's index (a map without pointers, which the
	// collector need not scan). A row whose pair's hash is there is a
	// suspect: the spiller reads the pairs back from the spill to tell a
	// repeated id from a pair that only shares the hash (settle). Ten
	// million pairs as strings took about half a gigabyte; as hashes,
	// 25 to 38 bytes a pair.
	first map[uint64]int32
	seed  maphash.Seed
	// sources are the source systems the rows name, in an import given
	// none (at most maxSourceNames; more says there were others).
	sources map[string]bool
	more    bool
	// collided are, by hash, the rows whose pair differs from the one of
	// the row first has for the hash (the spiller's).
	collided map[uint64][]int32
	cur      *checkChunkRows // the rows read since the last chunk went out
	chunks   chan *checkChunkRows
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
	rows []*live
	// suspects are the rows whose pair's hash an earlier row had, by
	// their position in rows; the check leaves them to the spiller.
	suspects map[int]suspect
	// keys[i] are the match keys of rows[i] when it passed the check.
	keys []dedupe.Prepared
	done chan struct{}
}

// suspect is a row whose (source, id) hashes as an earlier row's.
type suspect struct {
	hash uint64
	// first is the row first has for the hash.
	first int32
	// derived says the row's id was derived from its values (contentID).
	derived bool
}

// checkChunk is how many rows a checker worker takes at once.
const checkChunk = 256

func startChecking(ctx context.Context, opts *Options, sp *spill, rows *rowTable) *checker {
	ctx, cancel := context.WithCancel(ctx)
	n := runtime.GOMAXPROCS(0)
	c := &checker{ctx: ctx, cancel: cancel, opts: opts, rows: rows, first: make(map[uint64]int32), sources: make(map[string]bool), collided: make(map[uint64][]int32), seed: maphash.MakeSeed(), chunks: make(chan *checkChunkRows, 2*n),
		order: make(chan *checkChunkRows, 4*n), spill: sp, spilled: make(chan error, 1), keepKeys: opts.keysInMemory}
	for range n {
		c.wg.Add(1)
		go c.work()
	}
	go c.spillRows()
	return c
}

// maxSourceNames is how many of the source systems its rows name an
// import given none records by name (sourceNames).
const maxSourceNames = 10

// sourceNames returns the source systems the rows named, sorted, for an
// import given none, and whether there were more than maxSourceNames.
func (c *checker) sourceNames() ([]string, bool) {
	return slices.Sorted(maps.Keys(c.sources)), c.more
}

// add takes the next row read.
func (c *checker) add(r *live) {
	if c.cur == nil {
		c.cur = &checkChunkRows{done: make(chan struct{})}
	}
	if s, ok := c.admit(r); ok {
		if c.cur.suspects == nil {
			c.cur.suspects = make(map[int]suspect)
		}
		c.cur.suspects[len(c.cur.rows)] = s
	}
	c.cur.rows = append(c.cur.rows, r)
	if len(c.cur.rows) >= checkChunk {
		c.send()
	}
}

// admit rejects a row with NUL bytes, and otherwise gives it its source
// and id; it returns the row as a suspect when an earlier row's pair had
// the same hash.
func (c *checker) admit(r *live) (suspect, bool) {
	if len(r.Findings) == 0 {
		// Before the row's source record is looked up in the database.
		r.Findings = gate.NULFindings(&r.Record)
	}
	if r.Record.Source == "" {
		r.Record.Source = c.opts.Source
	}
	if c.opts.Source == "" && r.Record.Source != "" && !c.sources[r.Record.Source] {
		if len(c.sources) < maxSourceNames {
			c.sources[r.Record.Source] = true
		} else {
			c.more = true
		}
	}
	if r.Record.Source == "" && len(r.Findings) == 0 {
		r.Findings = []steward.Finding{{Severity: steward.SeverityError, Field: steward.ColumnSource, Code: CodeSourceMissing,
			Message: "The row names no source system, and the import was given none: fill its source column, or import the file with --source NAME (the system it comes from)."}}
	}
	if len(r.Findings) > 0 {
		r.m.outcome = rejected
		return suspect{}, false
	}
	derived := r.Record.SourceID == ""
	if derived {
		r.Record.SourceID = contentID(&r.Record)
	}
	h := c.refHash(r.Record.Source, r.Record.SourceID)
	if c.opts.refHashBits > 0 {
		h &= 1<<c.opts.refHashBits - 1
	}
	if first, taken := c.first[h]; taken {
		return suspect{hash: h, first: first, derived: derived}, true
	}
	c.first[h] = r.i
	return suspect{}, false
}

// refHash returns the hash of first's keys.
func (c *checker) refHash(source, id string) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(source)
	h.WriteByte(0)
	h.WriteString(id)
	return h.Sum64()
}

// settle decides suspect row r, which the check left, in file order,
// before it is spilled: a row with the pair of an earlier row of the same
// hash is rejected as a repeated id; one with a pair of its own is checked
// now (its match keys in keys) and kept in collided.
func (c *checker) settle(r *live, s suspect, keys *dedupe.Prepared) error {
	// The earlier rows are in the spill: what is put is read back.
	for _, i := range append([]int32{s.first}, c.collided[s.hash]...) {
		m := c.rows.at(i)
		ref, err := c.spill.ref(m.off)
		if err != nil {
			return err
		}
		if ref.Source != r.Record.Source || ref.ID != r.Record.SourceID {
			continue
		}
		msg := fmt.Sprintf("The id %q already appeared at row %d; each row needs its own id.", r.Record.SourceID, m.num)
		if s.derived {
			msg = fmt.Sprintf("This row repeats row %d exactly.", m.num)
		}
		r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Field: steward.ColumnID, Code: CodeRepeatedID, Message: msg})
		r.m.outcome = rejected
		return nil
	}
	c.collided[s.hash] = append(c.collided[s.hash], r.i)
	*keys = c.examine(r)
	return nil
}

func (c *checker) send() {
	c.order <- c.cur
	c.chunks <- c.cur
	c.cur = nil
}

// close ends the input, or abandons the checks when failed.
func (c *checker) close(failed bool) {
	if failed {
		c.cancel()
	} else if c.cur != nil {
		c.send()
	}
	close(c.chunks)
	close(c.order)
	// Every row is admitted: no id is looked for any more.
	c.first = nil
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
		if _, ok := ch.suspects[i]; ok || r.m.outcome == rejected {
			continue
		}
		ch.keys[i] = c.examine(r)
	}
}

// examine standardizes and validates row r, and returns its match keys
// when it passed and they are still kept.
func (c *checker) examine(r *live) dedupe.Prepared {
	checked := c.opts.Policy.Examine(&r.Record)
	r.Findings = append(r.Findings, checked.Findings...)
	r.dropped = checked.Dropped
	if !checked.OK {
		r.m.outcome = rejected
		return dedupe.Prepared{}
	}
	// The match keys are computed here, while the file is read, rather
	// than when the writer and the matchers are busy; unless the file
	// has too many rows to keep them all.
	if c.dropKeys.Load() {
		return dedupe.Prepared{}
	}
	return dedupe.Prepare(&r.Record)
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
			ch.rows, ch.keys = nil, nil
			continue
		}
		for i, r := range ch.rows {
			if s, ok := ch.suspects[i]; ok {
				if err = c.settle(r, s, &ch.keys[i]); err != nil {
					c.cancel()
					break
				}
			}
			if r.m.outcome != rejected {
				r.m.fpos = int32(c.passed)
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
			if r.m.off, err = c.spill.put(r.Row, r.dropped); err != nil {
				c.cancel()
				break
			}
		}
		ch.rows, ch.keys = nil, nil
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
