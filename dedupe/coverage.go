package dedupe

import (
	"cmp"
	"math"
	"slices"

	"github.com/steward-crm/steward"
)

// BlockingCoverage tells how well blocking covers pairs known to be the
// same customer (a ground truth, or stewards' merge decisions): how many
// of them were compared, and what each blocking key contributed. Pairs
// blocking never compares can never be found, however good the model.
type BlockingCoverage struct {
	// Pairs counts the pairs asked about; Compared those blocking made
	// candidate pairs, compared by Run (or by Match for an incoming
	// record); Recall is Compared / Pairs (0 without pairs).
	Pairs    int     `json:"pairs"`
	Compared int     `json:"compared"`
	Recall   float64 `json:"recall"`
	// Keys has an entry per blocking key, in Config.Blocking order.
	Keys []KeyCoverage `json:"keys"`
}

// KeyCoverage is one blocking key's part of a BlockingCoverage.
type KeyCoverage struct {
	Key BlockingKey `json:"key"`
	// Pairs counts the pairs asked about that share a block or a
	// sorted-neighbourhood window of this key (SharedKeys), compared or
	// not; Only those compared that no other key brought together.
	Pairs int `json:"pairs"`
	Only  int `json:"only"`
}

// PairWith is a record from outside an index and an indexed record, as
// Match meets them.
type PairWith struct {
	Record *steward.Record
	Index  int
}

// BlockingCoverage measures blocking on pairs of indexed records (i, j)
// known to be one customer: whether Run compared them, and under which
// keys. Pairs of a record with itself or with a position outside the
// index are not counted. It must not run concurrently with Add or Remove.
func (ix *Index) BlockingCoverage(pairs [][2]int) BlockingCoverage {
	ix.positions()
	cov := newCoverage(ix)
	// The pairs by their lower record, whose candidates hold the higher.
	sorted := make([][2]int32, 0, len(pairs))
	for _, p := range pairs {
		i, j := min(p[0], p[1]), max(p[0], p[1])
		if i < 0 || i == j || j >= len(ix.recs) {
			continue
		}
		sorted = append(sorted, [2]int32{int32(i), int32(j)})
	}
	slices.SortFunc(sorted, func(a, b [2]int32) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	var sc candScratch
	var cands []int32
	last := int32(-1)
	for _, p := range sorted {
		if p[0] != last {
			cands = ix.candidates(int(p[0]), &sc, true)
			last = p[0]
		}
		_, compared := slices.BinarySearch(cands, p[1])
		cov.add(compared, ix.SharedKeys(int(p[0]), int(p[1])))
	}
	return cov.done()
}

// BlockingCoverageOf measures blocking on pairs of an outside record and
// an indexed one known to be one customer (a merged customer's record
// before the merge and the customer it was merged into): whether Match
// compares them, and under which keys. Pairs whose index is outside the
// index are not counted.
func (ix *Index) BlockingCoverageOf(pairs []PairWith) BlockingCoverage {
	cov := newCoverage(ix)
	scratch := new(matchScratch)
	for _, p := range pairs {
		if p.Index < 0 || p.Index >= len(ix.recs) || p.Record == nil {
			continue
		}
		q := ix.prepareQuery(p.Record)
		cands, _ := ix.matchCandidates(&q, math.MaxInt32, scratch)
		_, compared := slices.BinarySearch(cands, int32(p.Index))
		cov.add(compared, ix.sharedKeysOf(&q, p.Index))
	}
	return cov.done()
}

// coverage adds up a BlockingCoverage.
type coverage struct {
	BlockingCoverage
	pos map[BlockingKey]int
}

func newCoverage(ix *Index) *coverage {
	c := &coverage{pos: make(map[BlockingKey]int)}
	for k, kb := range ix.blocks {
		c.Keys = append(c.Keys, KeyCoverage{Key: kb.key})
		c.pos[kb.key] = k
	}
	return c
}

func (c *coverage) add(compared bool, keys []BlockingKey) {
	c.Pairs++
	if compared {
		c.Compared++
	}
	for _, k := range keys {
		c.Keys[c.pos[k]].Pairs++
	}
	if compared && len(keys) == 1 {
		c.Keys[c.pos[keys[0]]].Only++
	}
}

func (c *coverage) done() BlockingCoverage {
	if c.Pairs > 0 {
		c.Recall = float64(c.Compared) / float64(c.Pairs)
	}
	return c.BlockingCoverage
}
