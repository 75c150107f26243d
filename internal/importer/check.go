package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"sync"

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
	// dropped are the fields the check left out (steward.FieldDrop).
	dropped []steward.FieldChange
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
			checked := c.opts.Policy.Examine(&r.Record)
			r.Findings = append(r.Findings, checked.Findings...)
			r.dropped = checked.Dropped
			if !checked.OK {
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
