package dedupe

import (
	"cmp"
	"context"
	"errors"
	"math"
	"math/bits"
	"slices"
	"sync/atomic"

	"github.com/steward-crm/steward"
)

// Pair is a scored candidate pair: records A < B (indexes into the records
// given to Run or NewIndex), the match probability and the total log2
// match weight (prior included).
type Pair struct {
	A, B        int32
	Probability float64
	Weight      float64
	levels      pattern
}

// Candidate is a loaded record that looks like a record given to
// Index.Match.
type Candidate struct {
	// Index is the record's position in the index.
	Index int `json:"index"`
	// ID is the record's source id.
	ID          string        `json:"id"`
	Probability float64       `json:"probability"`
	Weight      float64       `json:"weight"`
	Explanation []FieldWeight `json:"explanation"`
}

// termWeights holds, per comparison, the term-frequency adjustment an
// agreement on one record's value (termAgrees) earns (0 where the
// comparison has none): computed once per record, not once per pair.
type termWeights [numComparisons]float64

// termWeightsOf returns the term-frequency adjustments of p's values.
func (ix *Index) termWeightsOf(p *prepared) (tw termWeights) {
	tf := ix.tfOf(p)
	m := ix.model
	for c := range numComparisons {
		if t := m.tfIndex[c]; t >= 0 {
			tw[c] = tfAdjustment(ix.tfChance(c, t), tf[t], ix.tfTotalOf(t))
		}
	}
	return tw
}

// tfChance returns how often two records with a value agree on it by
// chance for term-frequency comparison t (of comparison c), the u from
// which a value's own frequency moves its weight: for a name, its exact
// level's u, from random pairs; for the city, which no level stands for
// alone, the share of pairs that agree on it, from the counts (ix's and
// the base's together).
func (ix *Index) tfChance(c, t int) float64 {
	if c != cmpContact {
		return ix.model.Comparisons[c].Levels[1].U
	}
	sq := ix.tfSquares[t]
	if ix.tfBase != nil {
		sq += ix.tfBase.tfSquares[t] + 2*ix.tfCross[t]
	}
	total := float64(ix.tfTotalOf(t))
	if total <= 0 {
		return 0
	}
	return float64(sq) / (total * total)
}

// weight returns the log2 match weight of a pattern; tw holds the
// adjustments of agreements on one side's values (termAgrees).
func (ix *Index) weight(p pattern, tw *termWeights) float64 {
	m := ix.model
	w := m.prior
	for c := range numComparisons {
		l := p.level(c)
		w += m.weights[c][l]
		if termAgrees(p, c) {
			w += tw[c]
		}
	}
	return w
}

// explain lists the weight of every field present on both sides of a
// and b, whose comparison gave p, with the values compared.
func (ix *Index) explain(p pattern, tw *termWeights, a, b *prepared) []FieldWeight {
	m := ix.model
	out := make([]FieldWeight, 0, numComparisons)
	for c := range numComparisons {
		l := p.level(c)
		if l == 0 {
			continue
		}
		w := m.weights[c][l]
		if termAgrees(p, c) {
			w += tw[c]
		}
		va, vb := comparedValues(c, p, a, b)
		out = append(out, FieldWeight{Field: m.Comparisons[c].Field, Level: m.Comparisons[c].Levels[l].Name, Weight: w, A: va, B: vb})
	}
	return out
}

// tfOf returns how many indexed records (with those of the base set by
// CountTermsWith) share each term-frequency value of p.
func (ix *Index) tfOf(p *prepared) (tf [len(tfComparisons)]int32) {
	for t, c := range tfComparisons {
		if h := valueHash(c, tfValue(p, c)); h != 0 {
			tf[t] = ix.tfCount[t][h]
			if ix.tfBase != nil {
				tf[t] += ix.tfBase.tfCount[t][h]
			}
		}
	}
	return tf
}

// tfTotalOf returns how many records have a value for term-frequency
// comparison t, the base's included.
func (ix *Index) tfTotalOf(t int) int32 {
	if ix.tfBase != nil {
		return ix.tfTotal[t] + ix.tfBase.tfTotal[t]
	}
	return ix.tfTotal[t]
}

// CountTermsWith makes the index judge how common a name is by its own
// records and base's together, so that a few records (an import file's)
// are scored against the population they join rather than against
// themselves: in a file of three rows, two sharing a name would otherwise
// make that name look as common as a name can be. Records matched against
// it are also flagged by base's placeholders (a shop's noemail@ address
// the database holds hundreds of times) besides its own. base must not
// change while ix scores; nil undoes it.
func (ix *Index) CountTermsWith(base *Index) {
	ix.tfBase = base
	ix.sumTermSquares()
}

// probability compares two indexed records and returns their match
// probability.
func (ix *Index) probability(a, b int32) float64 {
	var pa, pb prepared
	ix.rec(a, &pa)
	ix.rec(b, &pb)
	tw := ix.termWeightsOf(&pa)
	return probability(ix.weight(compare(&pa, &pb), &tw))
}

// Explain returns the per-field levels and weights behind a pair's
// probability.
func (ix *Index) Explain(p Pair) []FieldWeight {
	var a, b prepared
	ix.rec(p.A, &a)
	ix.rec(p.B, &b)
	tw := ix.termWeightsOf(&a)
	return ix.explain(p.levels, &tw, &a, &b)
}

// ErrNoModel is returned when an index is asked to score without a model.
var ErrNoModel = errors.New("dedupe: index has no model")

// Match returns the loaded records that share a block with r and whose
// match probability reaches Config.ReviewThreshold, most probable first,
// each with its explanation. Removed records are never returned.
func (ix *Index) Match(r *steward.Record) ([]Candidate, error) {
	if ix.model == nil {
		return nil, ErrNoModel
	}
	q := ix.prepareQuery(r)
	return ix.match(&q, math.MaxInt32), nil
}

// MatchIndexed is Match for record i of from, without preparing the record
// again: from must be built with the same blocking keys. It may
// be ix itself, and then only the records before i are candidates: matching
// every record of an index against the ones before it finds each pair once,
// from its later record, without comparing the rest. The import gate
// matches each row of a file, already in the file's index, against the
// database's index and the file's earlier rows.
func (ix *Index) MatchIndexed(from *Index, i int) ([]Candidate, error) {
	if ix.model == nil {
		return nil, ErrNoModel
	}
	if !slices.Equal(ix.cfg.Blocking, from.cfg.Blocking) {
		return nil, errors.New("dedupe: MatchIndexed across indexes of other blocking keys")
	}
	below := int32(math.MaxInt32)
	if from == ix {
		below = int32(i)
	}
	var q prepared
	from.rec(int32(i), &q)
	ix.markPlaceholders(&q)
	return ix.match(&q, below), nil
}

// match returns the records before below that share a block with q and
// reach the review threshold, most probable first.
func (ix *Index) match(q *prepared, below int32) []Candidate {
	tw := ix.termWeightsOf(q)
	scratch, _ := ix.matchBufs.Get().(*matchScratch)
	if scratch == nil {
		scratch = new(matchScratch)
	}
	buf, touched := ix.matchCandidates(q, below, scratch)
	scratch.touched = touched + ix.touch(buf)
	cut := ix.personCut(q, &tw, log2Odds(ix.cfg.ReviewThreshold))
	var out []Candidate
	for _, j := range buf {
		p, w, ok := ix.compareAbove(q, j, &tw, cut)
		if !ok {
			continue
		}
		prob := probability(w)
		if prob < ix.cfg.ReviewThreshold {
			continue
		}
		var r prepared
		ix.rec(j, &r)
		out = append(out, Candidate{Index: int(j), ID: ix.id(j), Probability: prob, Weight: w, Explanation: ix.explain(p, &tw, q, &r)})
	}
	ix.matchBufs.Put(scratch)
	slices.SortStableFunc(out, func(a, b Candidate) int { return cmp.Compare(b.Weight, a.Weight) })
	return out
}

// matchCandidates returns the records before below, not removed, that
// share a block with q, chosen as selectCandidates chooses, in scratch's
// buffers; and a sum of what it read, for touch.
func (ix *Index) matchCandidates(q *prepared, below int32, scratch *matchScratch) ([]int32, int) {
	raw := scratch.cands.raw[:0]
	hashes := slices.Grow(scratch.hashes[:0], len(ix.blocks))[:len(ix.blocks)]
	for k := range ix.blocks {
		hashes[k] = blockHash(ix.blocks[k].key, ix.blocks[k].kind, q)
	}
	// Every key's directory slot and first entry are read before any
	// block is searched, so that their cache misses overlap.
	sortKeys := sortKeysOf(q)
	touched := 0
	for k, h := range hashes {
		if kb := &ix.blocks[k]; h != 0 {
			if d := kb.dir[h>>kb.dirShift]; int(d) < len(kb.sorted) {
				touched += int(kb.sorted[d].idx)
			}
		}
	}
	// Records before below and not removed, tagged as rawCandidates
	// tags them, then chosen as selectCandidates chooses.
	add := func(j int32, tag uint64) {
		if j < below && !ix.isRemoved(j) {
			raw = append(raw, uint64(j)<<32|tag)
		}
	}
	for k, h := range hashes {
		kb := &ix.blocks[k]
		if h == 0 {
			continue
		}
		lo, hi, windowed := ix.windowFor(kb, h, sortKeys[kb.order])
		tag := candTag(k, hi-lo, windowed)
		for _, e := range kb.sorted[lo:hi] {
			add(e.idx, tag)
		}
		if kb.npend > 0 {
			if pend := kb.pending[h]; len(pend) > 0 {
				tag := candTag(k, len(pend)+hi-lo, false)
				for _, j := range pend {
					add(j, tag)
				}
			}
		}
	}
	var buf []int32
	buf, scratch.cands.ranked = ix.selectCandidates(raw, scratch.cands.out[:0], scratch.cands.ranked[:0])
	scratch.cands.raw, scratch.cands.out, scratch.hashes = raw, buf, hashes
	return buf, touched
}

// matchScratch is what one Match call needs besides its result, kept in
// Index.matchBufs between calls.
type matchScratch struct {
	cands  candScratch
	hashes []uint64 // per blocking key, the incoming record's hash
	// touched keeps the sum touch reads, so that the reads stay.
	touched int
}

// touch reads what comparing the candidates will read, their stored
// records and the start of their text, before they are compared. The
// reads of one loop do not depend on each other, so the processor
// overlaps their cache misses, which compare would take one after
// another: at a million records most of Match's time is spent waiting
// for memory.
func (ix *Index) touch(cands []int32) int {
	sum := 0
	for _, j := range cands {
		sum += int(ix.recs[j].off)
	}
	for _, j := range cands {
		s := &ix.recs[j]
		sum += int(*(*byte)(ix.textAt(s.chunk, s.off)))
	}
	return sum
}

// Add loads one more record into the index, so later Match calls and runs
// see it. Term frequencies are updated; blocks are re-sorted once enough
// records have been added. It panics for an id longer than 2 GiB, which
// no index holds (NewIndex and AddAll return an error).
func (ix *Index) Add(r *steward.Record) int {
	if err := checkID(r.SourceID); err != nil {
		panic(err)
	}
	i := len(ix.recs)
	p := ix.prepareQuery(r)
	ix.recs = append(ix.recs, ix.addText(&p, r.SourceID))
	for o, k := range sortKeysOf(&p) {
		ix.sortKeys[o] = append(ix.sortKeys[o], k)
	}
	ix.countTerms(&p, 1)
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		h := blockHash(kb.key, kb.kind, &p)
		if kb.pos != nil {
			kb.pos = append(kb.pos, -1)
			if len(kb.multi) < (len(kb.pos)+63)/64 {
				kb.multi = append(kb.multi, 0)
			}
		}
		if h == 0 {
			continue
		}
		if kb.pending == nil {
			kb.pending = make(map[uint64][]int32)
			kb.pendingHash = make(map[int32]uint64)
		}
		kb.pending[h] = append(kb.pending[h], int32(i))
		kb.pendingHash[int32(i)] = h
		kb.npend++
		if kb.npend > max(4096, len(kb.sorted)/16) {
			kb.sortIn(ix, len(ix.recs))
		}
	}
	return i
}

// AddAll is Add for many records at once: they are prepared on all CPUs
// and every key's blocks are sorted once, with no record left pending, so
// that the blocks are those NewIndex builds from the live records in the
// index's order (a record removed and added again is at its new position).
// It returns the position of the first.
func (ix *Index) AddAll(ctx context.Context, rs []*steward.Record) (int, error) {
	first := len(ix.recs)
	if len(rs) == 0 {
		return first, nil
	}
	chunks := len(ix.text)
	ix.recs = slices.Grow(ix.recs, len(rs))[:first+len(rs)]
	for o := range ix.sortKeys {
		ix.sortKeys[o] = slices.Grow(ix.sortKeys[o], len(rs))[:first+len(rs)]
	}
	if err := ix.fill(ctx, first, func(i int) (prepared, string) { return ix.prepareQuery(rs[i]), rs[i].SourceID }); err != nil {
		ix.recs, ix.text = ix.recs[:first], ix.text[:chunks]
		for o := range ix.sortKeys {
			ix.sortKeys[o] = ix.sortKeys[o][:first]
		}
		return 0, err
	}
	wait := ix.forEachKey(func(k int) { ix.blocks[k].sortIn(ix, first) })
	var p prepared
	for i := first; i < len(ix.recs); i++ {
		ix.rec(int32(i), &p)
		ix.countTerms(&p, 1)
	}
	wait()
	return first, nil
}

// Remove takes record i out of the index: Match never returns it again
// and term frequencies no longer count it. Its position stays taken (ids of
// other records do not move), and removing twice is a no-op. Its block
// entries stay until Add next re-sorts the blocks, so until then it still
// takes its place in the window of an oversized block. Run, Train and
// Explain work on all records, removed ones included. i must be a
// position in the index.
func (ix *Index) Remove(i int) {
	var p prepared
	ix.rec(int32(i), &p)
	if ix.isRemoved(int32(i)) {
		return
	}
	if w := i >> 6; w >= len(ix.removed) {
		ix.removed = append(ix.removed, make([]uint64, w+1-len(ix.removed))...)
	}
	ix.removed[i>>6] |= 1 << (i & 63)
	ix.countTerms(&p, -1)
}

// countTerms adds delta (1 or -1) to the term-frequency counts of p's
// values; a count that reaches 0 is dropped.
func (ix *Index) countTerms(p *prepared, delta int32) {
	for t, c := range tfComparisons {
		if h := valueHash(c, tfValue(p, c)); h != 0 {
			old := ix.tfCount[t][h]
			n := old + delta
			if n > 0 {
				ix.tfCount[t][h] = n
			} else {
				delete(ix.tfCount[t], h)
			}
			ix.tfTotal[t] += delta
			ix.tfSquares[t] += int64(n)*int64(n) - int64(old)*int64(old)
			if ix.tfBase != nil {
				ix.tfCross[t] += int64(delta) * int64(ix.tfBase.tfCount[t][h])
			}
		}
	}
}

// sumTermSquares sets tfSquares and tfCross from the counts, for an
// index whose counts were read or merged rather than counted by
// countTerms, or that has just been given a base.
func (ix *Index) sumTermSquares() {
	for t := range tfComparisons {
		var sq, cross int64
		for h, n := range ix.tfCount[t] {
			sq += int64(n) * int64(n)
			if ix.tfBase != nil {
				cross += int64(n) * int64(ix.tfBase.tfCount[t][h])
			}
		}
		ix.tfSquares[t], ix.tfCross[t] = sq, cross
	}
}

// isRemoved reports whether record i was taken out by Remove.
// Removed returns how many records Remove took out; their positions stay
// taken, so Len - Removed records are still matched.
func (ix *Index) Removed() int {
	n := 0
	for _, w := range ix.removed {
		n += bits.OnesCount64(w)
	}
	return n
}

func (ix *Index) isRemoved(i int32) bool {
	w := int(i >> 6)
	return w < len(ix.removed) && ix.removed[w]&(1<<(i&63)) != 0
}

// scoreAll compares every candidate pair once and keeps those whose
// probability reaches Config.ReviewThreshold. progress, when not nil, is
// called with the records done so far.
func (ix *Index) scoreAll(ctx context.Context, progress func(done int)) ([]Pair, int64, error) {
	ix.positions()
	n := len(ix.recs)
	workers := ix.cfg.workers()
	type part struct {
		pairs    []Pair
		compared int64
	}
	parts := make(chan part, workers*2)
	var out []Pair
	var compared int64
	done := make(chan struct{})
	go func() {
		for p := range parts {
			out = append(out, p.pairs...)
			compared += p.compared
		}
		close(done)
	}()
	// The weight from which a pair is kept, so the loop compares weights
	// instead of computing probabilities.
	minWeight := log2Odds(ix.cfg.ReviewThreshold)
	var progressed atomic.Int64
	err := parallelRange(ctx, n, workers, func(lo, hi int) {
		var sc candScratch
		var pairs []Pair
		var cmp int64
		for i := lo; i < hi; i++ {
			buf := ix.candidates(i, &sc, true)
			sc.touched += uint32(ix.touch(buf))
			var a prepared
			ix.rec(int32(i), &a)
			var tw termWeights
			var cut float64
			twDone := false
			for _, j := range buf {
				if !twDone {
					tw = ix.termWeightsOf(&a)
					cut = ix.personCut(&a, &tw, minWeight)
					twDone = true
				}
				p, w, ok := ix.compareAbove(&a, j, &tw, cut)
				if ok && w >= minWeight {
					pairs = append(pairs, Pair{A: int32(i), B: j, Probability: probability(w), Weight: w, levels: p})
				}
			}
			cmp += int64(len(buf))
		}
		parts <- part{pairs, cmp}
		if progress != nil {
			progress(int(progressed.Add(int64(hi - lo))))
		}
	})
	close(parts)
	<-done
	if err != nil {
		return nil, 0, err
	}
	slices.SortFunc(out, func(x, y Pair) int {
		if x.A != y.A {
			return int(x.A) - int(y.A)
		}
		return int(x.B) - int(y.B)
	})
	return out, compared, nil
}

// compareAbove compares q with record j and returns the pattern and its
// weight; false, without comparing their places, when the person fields
// alone leave the pair below cut (see personCut).
func (ix *Index) compareAbove(q *prepared, j int32, tw *termWeights, cut float64) (pattern, float64, bool) {
	var r prepared
	ix.rec(j, &r)
	return ix.compareWith(q, &r, tw, cut)
}

// compareWith is compareAbove for a record r in hand.
func (ix *Index) compareWith(q, r *prepared, tw *termWeights, cut float64) (pattern, float64, bool) {
	p := comparePerson(q, r)
	w := ix.weight(p, tw)
	if p.level(cmpEmail) == emailOtherFirst {
		// comparePlace may make it an exact email again.
		m := &ix.model.weights[cmpEmail]
		w += max(0, m[emailExact]-m[emailOtherFirst])
	}
	if w < cut {
		return 0, 0, false
	}
	comparePlace(q, r, &p)
	return p, ix.weight(p, tw), true
}

// personCut returns the weight a pair with q must reach on the person
// comparisons alone (comparePerson) for the whole pair to reach minWeight:
// the place comparisons add at most their levels' highest weights (a city
// level's with q's city's adjustment tw, when that is more), and a company
// only where q has one. Below the cut a pair cannot be kept, so
// its addresses, the costliest part of compare, need not be compared. The
// margin keeps the cut from dropping a pair that reaches minWeight only by
// the rounding of another order of additions.
func (ix *Index) personCut(q *prepared, tw *termWeights, minWeight float64) float64 {
	const margin = 1e-9
	most := ix.model.most[cmpContact]
	if a := tw[cmpContact]; a > 0 {
		w := &ix.model.weights[cmpContact]
		most = max(most, max(w[conSameCity], w[conCity])+a)
	}
	if q.company != "" {
		most += ix.model.most[cmpCompany]
	}
	return minWeight - most - margin
}

// log2Odds returns log2(p/(1-p)), the weight at which a pair's probability
// is p.
func log2Odds(p float64) float64 {
	return math.Log2(p / (1 - p))
}
