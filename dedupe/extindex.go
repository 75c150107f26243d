package dedupe

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sync"
	"unsafe"
)

// ExternalIndex matches the records of a file too large for an Index in
// memory against the records before them, keeping on disk what an Index
// keeps in memory: the records' match keys in a temporary file, read back
// by position, and the blocks as entries (key, hash, sort key, record)
// sorted on disk, whose walk gives every record's candidates. Memory
// keeps per record its place in that file and its position among the
// indexed records (twelve bytes), the term frequencies (distinct names
// and cities) and the placeholders.
//
// Records are either indexed (a later record may match them) or query
// only (matched against the indexed records, never matched with). For an
// indexed record i, Match gives what MatchIndexed(ix, i) gives on an Index
// ix of the indexed records that counts terms with base (CountTermsWith),
// and the keys SharedKeysWith(ix, i, j) gives for each candidate j; for a
// query-only record, what ix.Match gives and the keys SharedKeysOf gives.
// Records are matched in order, a range at a time (Match).
type ExternalIndex struct {
	// shell is an Index of no records that holds the configuration, the
	// model, the file's placeholders and term counts and the base, so
	// that scoring is the Index's own.
	shell *Index
	base  *Index
	recs  *os.File
	// offs holds where each record is in recs; rank its position among
	// the indexed records, -1 for a query-only record.
	offs    []int64
	rank    []int32
	indexed int

	pairs  *extSorter[extPair]
	merged *extMerge[extPair]
	// mu guards at, the first record whose pairs are not read yet;
	// turn signals that it moved.
	mu   sync.Mutex
	turn *sync.Cond
	at   int
	// errRead is the first error reading the records or the pairs back.
	errRead error
}

// ExternalCandidate is a candidate of Match with the blocking keys under
// which the two records met.
type ExternalCandidate struct {
	Candidate
	Keys []BlockingKey
}

// ExternalMatch is what Match finds for one record: the base index's
// candidates (indexed records only, as base.MatchIndexed gives them, with
// the keys base.SharedKeysWith gives) and the indexed records before it
// that it looks like.
type ExternalMatch struct {
	Base []ExternalCandidate
	File []ExternalCandidate
}

// extEntry is one record's entry in one key's blocks, as an Index's
// blocks hold it (hash, sort key, record), with the key and what the
// entry stands for: the record as indexed (extStored), as matched
// (extQuery), or both when they agree.
type extEntry struct {
	h, s uint64
	q    int32
	k    uint8
	kind uint8
}

const (
	extStored = 1 << iota
	extQuery
)

func cmpExtEntry(a, b extEntry) int {
	if c := cmp.Compare(a.k, b.k); c != 0 {
		return c
	}
	if a.h != b.h {
		return cmpU64(a.h, b.h)
	}
	if a.s != b.s {
		return cmpU64(a.s, b.s)
	}
	if a.q != b.q {
		return int(a.q) - int(b.q)
	}
	return int(a.kind) - int(b.kind)
}

// extPair says that record q met record j under key k: qj is q<<32 | j,
// tag is k<<16 | the meeting's weight (candTag)<<8 | pairCand (j is
// among q's candidates under k) | pairShared (SharedKeys names k).
type extPair struct {
	qj  uint64
	tag uint32
}

const (
	pairCand = 1 << iota
	pairShared
)

func cmpExtPair(a, b extPair) int {
	if a.qj != b.qj {
		return cmpU64(a.qj, b.qj)
	}
	return cmp.Compare(a.tag, b.tag)
}

// NewExternalIndex builds the external index of n records, record i given
// by rec (the record prepared, and whether it is indexed), called once per
// record, in parallel, for runs of consecutive positions in increasing
// order, as NewIndexFunc calls it. Its temporary files go in dir ("" for
// the system's temporary directory), removed as soon as they are created;
// mem bounds the bytes each sort holds in memory. base, which may be nil,
// is the index whose terms and placeholders count with the records'
// (CountTermsWith), and which Match matches the indexed records against.
func NewExternalIndex(ctx context.Context, n int, cfg Config, model *Model, base *Index, dir string, mem int, rec func(i int) (Prepared, bool)) (*ExternalIndex, error) {
	shell, err := emptyIndex(cfg, model)
	if err != nil {
		return nil, err
	}
	if n > 1<<31-1 {
		return nil, fmt.Errorf("dedupe: %d records: too many for one index", n)
	}
	for t := range tfComparisons {
		shell.tfCount[t] = make(map[uint64]int32)
	}
	f, err := unlinkedTemp(dir, "steward-records-*", "records file")
	if err != nil {
		return nil, err
	}
	x := &ExternalIndex{shell: shell, base: base, recs: f, offs: make([]int64, n), rank: make([]int32, n)}
	x.turn = sync.NewCond(&x.mu)
	ok := false
	defer func() {
		if !ok {
			x.Close()
		}
	}()
	if err := x.write(ctx, rec); err != nil {
		return nil, err
	}
	workers := cfg.workers()
	set, err := findPlaceholderSet(ctx, n, workers, func(lo, hi int, fn func(p *prepared)) {
		x.readRange(lo, hi, func(i int, p *prepared) {
			if x.rank[i] >= 0 {
				fn(p)
			}
		})
	})
	if err != nil {
		return nil, err
	}
	if err := x.readErr(); err != nil {
		return nil, err
	}
	shell.placeholders = set
	shell.tfBase = base
	shell.sumTermSquares()
	sorted, entries, err := x.entries(ctx, dir, mem)
	if err != nil {
		return nil, err
	}
	defer sorted.close()
	if x.pairs, err = newExtSorter(dir, mem, cmpExtPair); err != nil {
		return nil, err
	}
	if err := x.walk(ctx, entries); err != nil {
		return nil, err
	}
	if x.merged, err = x.pairs.merge(); err != nil {
		return nil, err
	}
	ok = true
	return x, nil
}

// Len returns how many records are indexed.
func (x *ExternalIndex) Len() int { return x.indexed }

// Close lets the index's temporary files go.
func (x *ExternalIndex) Close() error {
	err := x.recs.Close()
	if x.pairs != nil {
		x.pairs.close()
	}
	return err
}

// write writes every record, its stored form and text as an Index keeps
// them, to the records file, and counts the indexed records' terms.
func (x *ExternalIndex) write(ctx context.Context, rec func(i int) (Prepared, bool)) error {
	var mu sync.Mutex
	var end int64
	var failed error
	n := len(x.offs)
	err := parallelRange(ctx, n, x.shell.cfg.workers(), func(lo, hi int) {
		var buf []byte
		starts := make([]int64, 0, hi-lo)
		var tf [len(tfComparisons)]map[uint64]int32
		var total [len(tfComparisons)]int32
		for t := range tf {
			tf[t] = make(map[uint64]int32)
		}
		for i := lo; i < hi; i++ {
			pr, indexed := rec(i)
			if err := checkID(pr.id); err != nil {
				mu.Lock()
				failed = err
				mu.Unlock()
				return
			}
			starts = append(starts, int64(len(buf)))
			s := storedOf(&pr.p, pr.id, 0, 0)
			buf = appendStored(buf, &s)
			buf = appendText(buf, &pr.p, pr.id)
			x.rank[i] = -1
			if indexed {
				x.rank[i] = 0
				for t, c := range tfComparisons {
					if h := valueHash(c, tfValue(&pr.p, c)); h != 0 {
						tf[t][h]++
						total[t]++
					}
				}
			}
		}
		mu.Lock()
		at := end
		end += int64(len(buf))
		for t := range tf {
			for h, c := range tf[t] {
				x.shell.tfCount[t][h] += c
			}
			x.shell.tfTotal[t] += total[t]
		}
		mu.Unlock()
		if _, err := x.recs.WriteAt(buf, at); err != nil {
			mu.Lock()
			failed = fmt.Errorf("write records file: %w", err)
			mu.Unlock()
			return
		}
		for k, s := range starts {
			x.offs[lo+k] = at + s
		}
	})
	if err == nil {
		err = failed
	}
	if err != nil {
		return err
	}
	for i, r := range x.rank {
		if r >= 0 {
			x.rank[i] = int32(x.indexed)
			x.indexed++
		}
	}
	return nil
}

// readRange reads records lo to hi-1 in one pass and hands each to fn,
// its strings valid only during the call. A read error stops it; the
// index's readErr then returns it.
func (x *ExternalIndex) readRange(lo, hi int, fn func(i int, p *prepared)) {
	var rd *bufio.Reader
	var pos int64 = -1
	var head [storedSize]byte
	var text []byte
	var p prepared
	for i := lo; i < hi; i++ {
		if x.offs[i] != pos {
			pos = x.offs[i]
			rd = bufio.NewReaderSize(io.NewSectionReader(x.recs, pos, math.MaxInt64-pos), 64<<10)
		}
		if _, err := io.ReadFull(rd, head[:]); err != nil {
			x.failRead(err)
			return
		}
		s, ok := decodeStored(head[:])
		if !ok {
			x.failRead(errors.New("damaged record"))
			return
		}
		size := int(s.keysLen() + s.idLen)
		if cap(text) < size+1 {
			text = make([]byte, size+1)
		}
		text = text[:size]
		if _, err := io.ReadFull(rd, text); err != nil {
			x.failRead(err)
			return
		}
		pos += int64(storedSize + size)
		s.decode(unsafe.Pointer(unsafe.SliceData(text)), &p)
		fn(i, &p)
	}
}

// failRead keeps the first read error of readRange.
func (x *ExternalIndex) failRead(err error) {
	x.mu.Lock()
	if x.errRead == nil {
		x.errRead = fmt.Errorf("read records file: %w", err)
	}
	x.mu.Unlock()
}

// readErr returns the first read error of readRange.
func (x *ExternalIndex) readErr() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.errRead
}

// record reads record i into memory of its own, which the strings of p
// and id point into.
func (x *ExternalIndex) record(i int) (p prepared, id string, err error) {
	buf := make([]byte, 512)
	n, err := x.recs.ReadAt(buf, x.offs[i])
	if n < storedSize {
		return p, "", fmt.Errorf("read records file: %w", err)
	}
	s, ok := decodeStored(buf)
	if !ok {
		return p, "", errors.New("read records file: damaged record")
	}
	size := storedSize + int(s.keysLen()+s.idLen)
	if size+1 > len(buf) {
		buf = make([]byte, size+1)
		if _, err := x.recs.ReadAt(buf[:size], x.offs[i]); err != nil {
			return p, "", fmt.Errorf("read records file: %w", err)
		}
	} else if n < size {
		return p, "", fmt.Errorf("read records file: %w", err)
	}
	text := buf[storedSize:size]
	s.decode(unsafe.Pointer(unsafe.SliceData(text)), &p)
	k := int(s.keysLen())
	return p, unsafe.String(unsafe.SliceData(text[k:]), int(s.idLen)), nil
}

// asStored gives p the placeholder flags of an indexed record: the
// file's own placeholders, as an Index's records carry them (a record
// matched against the file carries those of the base too:
// markPlaceholders).
func (x *ExternalIndex) asStored(p *prepared) { p.flags |= x.shell.placeholders.flagsOf(p) }

// entries writes every record's block entries to a sorter and returns
// them sorted.
func (x *ExternalIndex) entries(ctx context.Context, dir string, mem int) (*extSorter[extEntry], *extMerge[extEntry], error) {
	es, err := newExtSorter(dir, mem, cmpExtEntry)
	if err != nil {
		return nil, nil, err
	}
	keys := x.shell.cfg.Blocking
	var mu sync.Mutex
	var failed error
	err = parallelRange(ctx, len(x.offs), x.shell.cfg.workers(), func(lo, hi int) {
		var out []extEntry
		x.readRange(lo, hi, func(i int, p *prepared) {
			q := *p
			x.shell.markPlaceholders(&q)
			qs := sortKeysOf(&q)
			indexed := x.rank[i] >= 0
			var ss [numOrders]uint64
			if indexed {
				x.asStored(p)
				ss = sortKeysOf(p)
			}
			for k, key := range keys {
				o := keyOrder(key)
				hq := blockHash(key, k, &q)
				var hs uint64
				if indexed {
					hs = blockHash(key, k, p)
				}
				if hs != 0 && hs == hq && ss[o] == qs[o] {
					out = append(out, extEntry{h: hs, s: ss[o], q: int32(i), k: uint8(k), kind: extStored | extQuery})
					continue
				}
				if hs != 0 {
					out = append(out, extEntry{h: hs, s: ss[o], q: int32(i), k: uint8(k), kind: extStored})
				}
				if hq != 0 {
					out = append(out, extEntry{h: hq, s: qs[o], q: int32(i), k: uint8(k), kind: extQuery})
				}
			}
		})
		mu.Lock()
		if err := es.add(out...); err != nil && failed == nil {
			failed = err
		}
		mu.Unlock()
	})
	if err == nil {
		err = failed
	}
	if err == nil {
		err = x.readErr()
	}
	if err != nil {
		es.close()
		return nil, nil, err
	}
	m, err := es.merge()
	if err != nil {
		es.close()
		return nil, nil, err
	}
	return es, m, nil
}

// walk reads the sorted entries block by block and writes every pair of
// records the blocks pair (walkBlock) to the pairs' sorter.
func (x *ExternalIndex) walk(ctx context.Context, entries *extMerge[extEntry]) error {
	var block []extEntry
	var sc walkScratch
	for n := 0; ; n++ {
		if n%(1<<16) == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		e, ok, err := entries.next()
		if err != nil {
			return err
		}
		if len(block) > 0 && (!ok || e.k != block[0].k || e.h != block[0].h) {
			if err := x.walkBlock(block, &sc); err != nil {
				return err
			}
			block = block[:0]
		}
		if !ok {
			return nil
		}
		block = append(block, e)
	}
}

// walkScratch holds walkBlock's buffers.
type walkScratch struct {
	pos   []int
	q     []int32
	s     []uint64
	pairs []extPair
}

// walkBlock writes the pairs of one block (the entries of one key and
// hash, in sorted order): for each matched record, the indexed records
// its Match draws from the block (windowFor: the whole block, or the
// sorted neighbourhood around its sort key when the block is oversized),
// those before it when it is indexed itself; for each indexed record, the
// indexed records before it that SharedKeys finds it paired with
// (windowAt: the whole block, or the Window entries either side).
func (x *ExternalIndex) walkBlock(block []extEntry, sc *walkScratch) error {
	cfg := &x.shell.cfg
	k := int(block[0].k)
	sc.pos, sc.q, sc.s = sc.pos[:0], sc.q[:0], sc.s[:0]
	for _, e := range block {
		p := -1
		if e.kind&extStored != 0 {
			p = len(sc.q)
			sc.q = append(sc.q, e.q)
			sc.s = append(sc.s, e.s)
		}
		sc.pos = append(sc.pos, p)
	}
	n := len(sc.q)
	if n == 0 {
		return nil
	}
	out := sc.pairs[:0]
	for b, e := range block {
		var clo, chi, slo, shi int
		var w uint32
		below := int32(math.MaxInt32)
		if e.kind&extQuery != 0 {
			if x.rank[e.q] >= 0 {
				below = e.q
			}
			if n <= cfg.MaxBlock {
				clo, chi = 0, n
				w = uint32(candTag(k, n, false) & 0xff)
			} else {
				p, _ := slices.BinarySearch(sc.s, e.s)
				clo, chi = max(0, p-cfg.Window), min(n, p+cfg.Window)
				w = uint32(candTag(k, chi-clo, true) & 0xff)
			}
		}
		if p := sc.pos[b]; p >= 0 {
			if n <= cfg.MaxBlock {
				slo, shi = 0, n
			} else {
				slo, shi = max(0, p-cfg.Window), min(n, p+cfg.Window+1)
			}
		}
		from, to := clo, chi
		if from == to {
			from, to = slo, shi
		} else if slo < shi {
			from, to = min(from, slo), max(to, shi)
		}
		for t := from; t < to; t++ {
			j := sc.q[t]
			var fl uint32
			if t >= clo && t < chi && j < below {
				fl |= pairCand
			}
			if t >= slo && t < shi && j < e.q {
				fl |= pairShared
			}
			if fl != 0 {
				out = append(out, extPair{qj: uint64(e.q)<<32 | uint64(uint32(j)), tag: uint32(k)<<16 | w<<8 | fl})
			}
		}
	}
	sc.pairs = out
	return x.pairs.add(out...)
}

// Match returns what records lo to hi-1 match (see ExternalIndex). Calls
// cover consecutive ranges from record 0, in order: a call waits until
// the ranges before it are read (not scored), so that several goroutines
// may match ranges at once, each taking the next.
func (x *ExternalIndex) Match(ctx context.Context, lo, hi int) ([]ExternalMatch, error) {
	if x.shell.model == nil || (x.base != nil && x.base.model == nil) {
		return nil, ErrNoModel
	}
	if x.base != nil && !slices.Equal(x.base.cfg.Blocking, x.shell.cfg.Blocking) {
		return nil, errors.New("dedupe: MatchIndexed across indexes of other blocking keys")
	}
	stop := context.AfterFunc(ctx, func() {
		x.mu.Lock()
		x.turn.Broadcast()
		x.mu.Unlock()
	})
	defer stop()
	x.mu.Lock()
	for x.at != lo && ctx.Err() == nil && x.errRead == nil {
		x.turn.Wait()
	}
	if err := ctx.Err(); err != nil {
		x.mu.Unlock()
		return nil, err
	}
	if x.errRead != nil {
		err := x.errRead
		x.mu.Unlock()
		return nil, err
	}
	pairs := make([][]extPair, hi-lo)
	var err error
	for {
		v, ok := x.merged.peek()
		if !ok || int(v.qj>>32) >= hi {
			break
		}
		if v, _, err = x.merged.next(); err != nil {
			break
		}
		if q := int(v.qj >> 32); q >= lo {
			pairs[q-lo] = append(pairs[q-lo], v)
		}
	}
	if err != nil {
		x.errRead = err
	} else {
		x.at = hi
	}
	x.turn.Broadcast()
	x.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := make([]ExternalMatch, hi-lo)
	var sc candScratch
	for i := lo; i < hi; i++ {
		if out[i-lo], err = x.match(i, pairs[i-lo], &sc); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// match scores record i's pairs.
func (x *ExternalIndex) match(i int, pairs []extPair, sc *candScratch) (ExternalMatch, error) {
	var m ExternalMatch
	p, _, err := x.record(i)
	if err != nil {
		return m, err
	}
	indexed := x.rank[i] >= 0
	if indexed {
		x.asStored(&p)
		if x.base != nil {
			q := p
			x.base.markPlaceholders(&q)
			for _, c := range x.base.match(&q, math.MaxInt32) {
				m.Base = append(m.Base, ExternalCandidate{Candidate: c, Keys: x.base.sharedKeysOf(&q, c.Index)})
			}
		}
	}
	if len(pairs) == 0 {
		return m, nil
	}
	ix := x.shell
	q := p
	ix.markPlaceholders(&q)
	raw := sc.raw[:0]
	for _, v := range pairs {
		if v.tag&pairCand != 0 {
			raw = append(raw, v.qj<<32|uint64(v.tag>>16)<<8|uint64(v.tag>>8&0xff))
		}
	}
	sc.raw = raw
	sc.out, sc.ranked = ix.selectCandidates(raw, sc.out[:0], sc.ranked[:0])
	tw := ix.termWeightsOf(&q)
	cut := ix.personCut(&q, &tw, log2Odds(ix.cfg.ReviewThreshold))
	shared := uint32(pairShared)
	if !indexed {
		shared = pairCand
	}
	for _, j := range sc.out {
		r, id, err := x.record(int(j))
		if err != nil {
			return m, err
		}
		x.asStored(&r)
		pat, w, ok := ix.compareWith(&q, &r, &tw, cut)
		if !ok {
			continue
		}
		prob := probability(w)
		if prob < ix.cfg.ReviewThreshold {
			continue
		}
		var keys []BlockingKey
		pair := uint64(i)<<32 | uint64(uint32(j))
		for _, v := range pairs {
			if v.qj == pair && v.tag&shared != 0 {
				if key := ix.cfg.Blocking[v.tag>>16]; len(keys) == 0 || keys[len(keys)-1] != key {
					keys = append(keys, key)
				}
			}
		}
		m.File = append(m.File, ExternalCandidate{Candidate: Candidate{Index: int(x.rank[j]), ID: id, Probability: prob, Weight: w, Explanation: ix.explain(pat, &tw, &q, &r)}, Keys: keys})
	}
	slices.SortStableFunc(m.File, func(a, b ExternalCandidate) int { return cmp.Compare(b.Weight, a.Weight) })
	return m, nil
}
