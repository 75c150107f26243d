package importer

import (
	"math"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/records"
)

// rowMeta is what memory keeps of one data row of the input for the
// whole import: where the row waits in the spill and what became of it.
// Everything else (the row as read, its findings, its candidates, its
// customer) is held only while the row is read and checked, matched, or
// written and reported (live). A file of ten million rows holds ten
// million of these, 32 bytes each, in slabs (rowTable).
type rowMeta struct {
	// off is where the row is in the spill.
	off int64
	// id is the customer the row created, updated or merged into, once
	// it has an id and the row is no longer live.
	id int64
	// num is the row's number (records.Row.Num).
	num int32
	// fpos is the row's position among the file's new rows (which are
	// matched), -1 for the others; until they are known, the position
	// of its match keys in table.keys, or -1 for a rejected row.
	fpos int32
	// qpos is the row's position among the rows matched against the
	// file (its new rows and updates), -1 for the others.
	qpos    int32
	outcome outcome
}

// outcome is steward.Outcome in a byte.
type outcome uint8

// Outcomes; undecided is a row no one decided yet.
const (
	undecided outcome = iota
	created
	updated
	unchanged
	merged
	rejected
	blocked
	held
)

// publicOutcomes names the outcomes as steward does; undecided is none.
var publicOutcomes = [...]steward.Outcome{created: steward.OutcomeCreated, updated: steward.OutcomeUpdated,
	unchanged: steward.OutcomeUnchanged, merged: steward.OutcomeMerged, rejected: steward.OutcomeRejected,
	blocked: steward.OutcomeBlocked, held: steward.OutcomeHeld}

// public returns the outcome as steward names it.
func (o outcome) public() steward.Outcome {
	if int(o) < len(publicOutcomes) {
		return publicOutcomes[o]
	}
	return ""
}

// rowSlab is how many rows a slab of rowTable holds: 512 KiB.
const rowSlab = 1 << 14

// maxRows is how many rows a rowTable can hold: a row's index is an
// int32.
const maxRows = math.MaxInt32

// rowTable holds the rows of the file by index (file order), in slabs
// of rowSlab: no allocation per row, and no copy of all of them when the
// table grows. Its directory of slabs is made whole with the first row
// (a megabyte), so that it never moves either: while the reader adds
// rows, other goroutines may look up those it handed them.
type rowTable struct {
	slabs []*[rowSlab]rowMeta
	n     int
}

// add appends a row numbered num and returns its index and its meta.
func (t *rowTable) add(num int) (int32, *rowMeta) {
	if t.slabs == nil {
		t.slabs = make([]*[rowSlab]rowMeta, (maxRows+rowSlab-1)/rowSlab)
	}
	i := t.n
	if i%rowSlab == 0 {
		t.slabs[i/rowSlab] = new([rowSlab]rowMeta)
	}
	t.n++
	m := &t.slabs[i/rowSlab][i%rowSlab]
	m.num, m.fpos, m.qpos = int32(num), -1, -1
	return int32(i), m
}

// len returns how many rows the table holds.
func (t *rowTable) len() int { return t.n }

// at returns row i's meta.
func (t *rowTable) at(i int32) *rowMeta { return &t.slabs[i/rowSlab][i%rowSlab] }

// live is a row while it is read and checked, or from when the writer
// reads it back from the spill until its reports are written.
type live struct {
	// i is the row's index in the table; m its meta.
	i int32
	m *rowMeta
	*records.Row
	// dropped are the fields the check left out (steward.FieldDrop).
	dropped []steward.FieldChange
	// customer is the customer the row created, updated or merged into;
	// once the row's reports are written only its id stays (rowMeta.id).
	customer *steward.Customer
	// match is the customer the row looks like, with the probability.
	match       *steward.Customer
	probability float64
	// cands are the customers the row looks like, most probable first.
	cands []candidate
}

// outcome returns what became of the row.
func (r *live) outcome() steward.Outcome { return r.m.outcome.public() }
