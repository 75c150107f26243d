package dedupe

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"sync"

	"github.com/steward-crm/steward"
)

// tfComparisons lists the comparisons whose agreement on a value
// (termAgrees) is adjusted by how common the shared value is: the names,
// and the city of the address and phone comparison, since a small town
// shared says more than a capital shared.
var tfComparisons = [...]int{cmpFirstName, cmpLastName, cmpContact}

// Index holds prepared records and their blocking keys so that candidate
// pairs can be generated for every record (Run) or for one incoming record
// (Match). It is safe for concurrent Match calls (and WriteTo); Add and
// Remove must not run concurrently with anything else. WriteTo and
// ReadIndex keep it in a file.
type Index struct {
	cfg   Config
	model *Model
	// recs holds the records' fixed fields and where their text is;
	// text holds the text, in chunks whose written bytes never change,
	// as strings that rec hands out point into them.
	recs []stored
	text [][]byte
	// sortKeys holds each record's sort key in every order (sortKeysOf),
	// which orders an oversized block, apart from the records so that a
	// search for a place in such a block reads eight bytes per step.
	sortKeys [numOrders][]uint64
	blocks   []keyBlocks

	// tfCount counts records per value hash for each term-frequency
	// comparison; tfTotal counts records with a value, tfSquares sums
	// the squares of the counts (how many ordered pairs of records, each
	// with itself too, agree on a value).
	tfCount   [len(tfComparisons)]map[uint64]int32
	tfTotal   [len(tfComparisons)]int32
	tfSquares [len(tfComparisons)]int64
	// tfBase, when set, is another index whose records count as well
	// (CountTermsWith); tfCross sums, over the values, ix's count times
	// the base's, so that the squares of the two together are known.
	tfBase  *Index
	tfCross [len(tfComparisons)]int64

	// removed is a bitset of the records taken out by Remove; words past
	// its end are records never removed.
	removed []uint64

	// placeholders holds the values found to be placeholders when the
	// index was built (placeholder.go).
	placeholders placeholderSet

	// matchBufs holds the *matchScratch of Match calls.
	matchBufs sync.Pool
}

// keyBlocks is one blocking key's blocks: every keyed record's (hash,
// index) in sorted order, each record's position in it, and records added
// since the last sort.
type keyBlocks struct {
	key  BlockingKey
	kind int
	// order is the order of an oversized block (keyOrder).
	order  int
	sorted []blockEntry
	// pos holds each record's position in sorted, -1 for none or
	// pending; nil until a batch run needs it (positions), as Match does
	// not.
	pos []int32
	// multi has bit i set when record i's block holds other records
	// too; built with pos, so that a record alone in its block costs no
	// read of the block.
	multi   []uint64
	pending map[uint64][]int32
	// pendingHash holds the hash of records added since the last sort.
	pendingHash map[int32]uint64
	npend       int
	// dir indexes sorted by the top bits of the hash: the entries whose
	// hash starts with s are sorted[dir[s]:dir[s+1]], a few per s, so that
	// finding a block costs two memory reads instead of a binary search
	// over every entry. Built with sorted (buildDir), never stored.
	dir      []int32
	dirShift uint
}

// blockEntry is one record in a block. Entries are sorted by hash, then
// by the record's name sort key (which orders an oversized block), then by
// index. The hash is split in halves so that an entry takes twelve bytes,
// not sixteen; on a little-endian machine an entry's memory is the hash
// and the index in little-endian order, as index files store them.
type blockEntry struct {
	lo, hi uint32
	idx    int32
}

func entryOf(h uint64, idx int32) blockEntry { return blockEntry{uint32(h), uint32(h >> 32), idx} }

// hash returns the entry's hash.
func (e blockEntry) hash() uint64 { return uint64(e.hi)<<32 | uint64(e.lo) }

func cmpU64(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// NewIndex prepares records with cfg's keys and blocking, to be matched
// with model (which may be nil until SetModel). The records' match keys are
// computed once here, in parallel.
func NewIndex(ctx context.Context, records []steward.Record, cfg Config, model *Model) (*Index, error) {
	return newIndex(ctx, len(records), cfg, model, func(i int) (prepared, string) {
		return prepare(&records[i]), records[i].SourceID
	})
}

// Prepared is a record with its match keys computed (see Prepare), for an
// index built later by NewIndexPrepared: a caller that holds the records
// while it has CPU to spare (the import gate, while it reads the file) can
// compute them then.
type Prepared struct {
	p  prepared
	id string
}

// Prepare computes r's match keys.
func Prepare(r *steward.Record) Prepared {
	return Prepared{prepare(r), r.SourceID}
}

// NewIndexPrepared is NewIndex for records already prepared: the index is
// the one NewIndex builds from the same records, in the same order.
func NewIndexPrepared(ctx context.Context, records []Prepared, cfg Config, model *Model) (*Index, error) {
	return newIndex(ctx, len(records), cfg, model, func(i int) (prepared, string) {
		return records[i].p, records[i].id
	})
}

// newIndex builds an index of n records, record i's match keys and id
// given by rec, called in parallel.
func newIndex(ctx context.Context, n int, cfg Config, model *Model, rec func(i int) (prepared, string)) (*Index, error) {
	ix, err := emptyIndex(cfg, model)
	if err != nil {
		return nil, err
	}
	if n > 1<<31-1 {
		return nil, fmt.Errorf("dedupe: %d records: too many for one index", n)
	}
	ix.recs = make([]stored, n, growRoom(n))
	adviseHugePagesOf(ix.recs[:cap(ix.recs)])
	for o := range ix.sortKeys {
		ix.sortKeys[o] = make([]uint64, n, growRoom(n))
		adviseHugePagesOf(ix.sortKeys[o][:cap(ix.sortKeys[o])])
	}
	if err := ix.fill(ctx, 0, rec); err != nil {
		return nil, err
	}
	if err := ix.finish(ctx); err != nil {
		return nil, err
	}
	return ix, nil
}

// emptyIndex returns an index of no records, after checking cfg and model.
func emptyIndex(cfg Config, model *Model) (*Index, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("dedupe config: %w", err)
	}
	if model != nil {
		if err := model.compile(); err != nil {
			return nil, fmt.Errorf("dedupe model: %w", err)
		}
	}
	return &Index{cfg: cfg, model: model}, nil
}

// finish makes an index of filled records ready: it finds the
// placeholders, sorts every key's blocks and counts the terms.
func (ix *Index) finish(ctx context.Context) error {
	if err := ix.findPlaceholders(ctx); err != nil {
		return err
	}
	ix.blocks = make([]keyBlocks, len(ix.cfg.Blocking))
	wait := ix.forEachKey(func(k int) { ix.blocks[k] = ix.buildBlocks(ix.cfg.Blocking[k], k) })
	for t := range tfComparisons {
		ix.tfCount[t] = make(map[uint64]int32)
		ix.tfTotal[t], ix.tfSquares[t], ix.tfCross[t] = 0, 0, 0
	}
	var p prepared
	for i := range ix.recs {
		ix.rec(int32(i), &p)
		ix.countTerms(&p, 1)
	}
	wait()
	return ctx.Err()
}

// fill sets the records from position from to the end, record from+i
// given by rec(i), in parallel; each range of records stages its text and
// copies it to the end of the text (place), in the order the ranges
// finish. It returns an error for an id longer than maxIDLen.
func (ix *Index) fill(ctx context.Context, from int, rec func(i int) (prepared, string)) error {
	var mu sync.Mutex
	var tooLong error
	var bufs sync.Pool
	err := parallelRange(ctx, len(ix.recs)-from, ix.cfg.workers(), func(lo, hi int) {
		bp, _ := bufs.Get().(*[]byte)
		if bp == nil {
			bp = new([]byte)
		}
		// Each record's text is staged in buf with its chunk counted
		// from 0 within the range, then copied into chunks of their
		// exact size.
		buf, starts, local := (*bp)[:0], []int{0}, uint32(0)
		for i := lo; i < hi; i++ {
			p, id := rec(i)
			if err := checkID(id); err != nil {
				mu.Lock()
				tooLong = err
				mu.Unlock()
				return
			}
			for o, k := range sortKeysOf(&p) {
				ix.sortKeys[o][from+i] = k
			}
			start := starts[len(starts)-1]
			if n := textLen(&p, id); len(buf) > start && len(buf)-start+n > maxChunk {
				starts = append(starts, len(buf))
				start = len(buf)
				local++
			}
			ix.recs[from+i] = storedOf(&p, id, local, uint32(len(buf)-start))
			buf = appendText(buf, &p, id)
		}
		starts = append(starts, len(buf))
		// Each staged segment goes where the text has room (place).
		var where [][2]uint32 // per segment: chunk, offset
		mu.Lock()
		for k := range len(starts) - 1 {
			seg := buf[starts[k]:starts[k+1]]
			c, off := ix.place(len(seg))
			ix.text[c] = append(ix.text[c], seg...)
			where = append(where, [2]uint32{c, off})
		}
		mu.Unlock()
		*bp = buf
		bufs.Put(bp)
		for i := lo; i < hi; i++ {
			s := &ix.recs[from+i]
			w := where[s.chunk]
			s.chunk, s.off = w[0], s.off+w[1]
		}
	})
	if err == nil {
		err = tooLong
	}
	return err
}

// Sizes of the text chunks fill allocates: each twice the last, from
// textChunkMin to textChunkMax, so that a small index wastes little and a
// large one is a few dozen chunks in huge pages.
const (
	textChunkMin = 1 << 20
	textChunkMax = 64 << 20
)

// place returns where n more bytes of text go: the end of the last chunk
// when it has room for them and the byte past them (textAt), else a new
// chunk. The caller appends them there.
func (ix *Index) place(n int) (chunk, off uint32) {
	if k := len(ix.text) - 1; k >= 0 {
		if c := ix.text[k]; cap(c)-len(c) > n && len(c)+n <= maxChunk {
			return uint32(k), uint32(len(c))
		}
	}
	size := textChunkMin
	if k := len(ix.text) - 1; k >= 0 {
		size = min(max(size, 2*cap(ix.text[k])), textChunkMax)
	}
	c := newChunk(max(size, n))
	adviseHugePagesOf(c[:cap(c)])
	ix.text = append(ix.text, c)
	return uint32(len(ix.text) - 1), 0
}

// forEachKey runs fn for every blocking key k, on up to Config.workers
// goroutines at once, and returns a function that waits for them.
func (ix *Index) forEachKey(fn func(k int)) (wait func()) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, ix.cfg.workers())
	for k := range ix.cfg.Blocking {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fn(k)
		}()
	}
	return wg.Wait
}

// sortIn moves the pending entries and those of records from and after
// into the sorted entries, and sorts them in.
func (kb *keyBlocks) sortIn(ix *Index, from int) {
	n := len(kb.sorted)
	for h, idx := range kb.pending {
		for _, j := range idx {
			kb.sorted = append(kb.sorted, entryOf(h, j))
		}
	}
	var p prepared
	for i := from; i < len(ix.recs); i++ {
		ix.rec(int32(i), &p)
		if h := blockHash(kb.key, kb.kind, &p); h != 0 {
			kb.sorted = append(kb.sorted, entryOf(h, int32(i)))
		}
	}
	kb.sortAfter(ix, n)
}

// growRoom is the capacity an index of n records is made with: an eighth
// more, so that Adds after building or reading it do not copy every record
// (hundreds of megabytes at a million, and on a VM every new page costs).
func growRoom(n int) int { return n + n/8 + 64 }

func (ix *Index) buildBlocks(key BlockingKey, kind int) keyBlocks {
	kb := keyBlocks{key: key, kind: kind, order: keyOrder(key)}
	sortKeys := ix.sortKeys[kb.order]
	es := make([]keyedEntry, 0, len(ix.recs))
	adviseHugePagesOf(es[:cap(es)])
	var p prepared
	for i := range ix.recs {
		if ix.isRemoved(int32(i)) {
			continue
		}
		ix.rec(int32(i), &p)
		if h := blockHash(key, kind, &p); h != 0 {
			es = append(es, keyedEntry{h, sortKeys[i], int32(i)})
		}
	}
	sortKeyed(es)
	kb.sorted = make([]blockEntry, len(es))
	adviseHugePagesOf(kb.sorted)
	for k, e := range es {
		kb.sorted[k] = entryOf(e.h, e.i)
	}
	kb.buildDir()
	return kb
}

// sortAfter drops the entries of removed records, orders the rest and,
// when they are kept, records every record's position. Its first n
// entries are already in order (the blocks before Add appended its
// pending records): only the rest is sorted, then merged in, which costs
// a fraction of sorting everything again.
func (kb *keyBlocks) sortAfter(ix *Index, n int) {
	keys := ix.sortKeys[kb.order]
	cmp := func(a, b blockEntry) int {
		if a.hash() != b.hash() {
			return cmpU64(a.hash(), b.hash())
		}
		if sa, sb := keys[a.idx], keys[b.idx]; sa != sb {
			return cmpU64(sa, sb)
		}
		return int(a.idx) - int(b.idx)
	}
	removed := func(e blockEntry) bool { return ix.isRemoved(e.idx) }
	if n <= 0 || n >= len(kb.sorted) {
		if len(ix.removed) > 0 {
			kb.sorted = slices.DeleteFunc(kb.sorted, removed)
		}
		slices.SortFunc(kb.sorted, cmp)
	} else {
		head, tail := kb.sorted[:n], slices.Clone(kb.sorted[n:])
		if len(ix.removed) > 0 {
			head = slices.DeleteFunc(head, removed)
			tail = slices.DeleteFunc(tail, removed)
		}
		slices.SortFunc(tail, cmp)
		merged := make([]blockEntry, 0, len(head)+len(tail))
		i, j := 0, 0
		for i < len(head) && j < len(tail) {
			if cmp(tail[j], head[i]) < 0 {
				merged = append(merged, tail[j])
				j++
			} else {
				merged = append(merged, head[i])
				i++
			}
		}
		merged = append(append(merged, head[i:]...), tail[j:]...)
		kb.sorted = merged
	}
	if kb.pos != nil {
		kb.setPositions(len(ix.recs))
	}
	kb.pending = nil
	kb.pendingHash = nil
	kb.npend = 0
	kb.buildDir()
}

// setPositions builds pos for n records.
func (kb *keyBlocks) setPositions(n int) {
	if cap(kb.pos) < n {
		kb.pos = make([]int32, n, growRoom(n))
		adviseHugePagesOf(kb.pos[:cap(kb.pos)])
	}
	kb.pos = kb.pos[:n]
	for i := range kb.pos {
		kb.pos[i] = -1
	}
	kb.multi = slices.Grow(kb.multi[:0], (n+63)/64)[:(n+63)/64]
	clear(kb.multi)
	for p, e := range kb.sorted {
		kb.pos[e.idx] = int32(p)
		if p > 0 && kb.sorted[p-1].hash() == e.hash() || p+1 < len(kb.sorted) && kb.sorted[p+1].hash() == e.hash() {
			kb.multi[e.idx>>6] |= 1 << (e.idx & 63)
		}
	}
}

// positions builds every key's pos unless it is there, for the batch
// operations (Run, Train, Evaluate). It must not run concurrently with
// them or with Add.
func (ix *Index) positions() {
	for k := range ix.blocks {
		if kb := &ix.blocks[k]; kb.pos == nil {
			kb.setPositions(len(ix.recs))
		}
	}
}

// buildDir builds dir for the sorted entries, about four entries per slot.
func (kb *keyBlocks) buildDir() {
	n := len(kb.sorted)
	b := max(0, bits.Len(uint(n))-2)
	kb.dirShift = uint(64 - b)
	kb.dir = make([]int32, 1<<b+1)
	s := 0
	for j, e := range kb.sorted {
		for top := int(e.hash() >> kb.dirShift); s <= top; s++ {
			kb.dir[s] = int32(j)
		}
	}
	for ; s < len(kb.dir); s++ {
		kb.dir[s] = int32(n)
	}
}

// around returns the half-open range of the block of the entry at p,
// scanning outwards; once the block is known to hold more than limit
// entries it stops and returns a range of more than limit entries that
// contains [p-limit, p+limit] clipped to the block.
func (kb *keyBlocks) around(p, limit int) (lo, hi int) {
	h := kb.sorted[p].hash()
	lo, hi = p, p+1
	for lo > 0 && kb.sorted[lo-1].hash() == h && p-lo <= limit {
		lo--
	}
	for hi < len(kb.sorted) && kb.sorted[hi].hash() == h && hi-p <= limit {
		hi++
	}
	return lo, hi
}

// bounds returns the half-open range of sorted entries with hash h.
func (kb *keyBlocks) bounds(h uint64) (lo, hi int) {
	s := h >> kb.dirShift
	lo, end := int(kb.dir[s]), int(kb.dir[s+1])
	// The first entry of the slot at or above h.
	for n := end - lo; n > 0; {
		half := n / 2
		if kb.sorted[lo+half].hash() < h {
			lo += half + 1
			n -= half + 1
		} else {
			n = half
		}
	}
	hi = lo
	for hi < end && hi-lo <= 64 && kb.sorted[hi].hash() == h {
		hi++
	}
	if hi < end && kb.sorted[hi].hash() == h {
		hi = lo + sort.Search(end-lo, func(i int) bool { return kb.sorted[lo+i].hash() > h })
	}
	return lo, hi
}

// tfValue returns the value of p whose frequency term-frequency
// comparison c counts.
func tfValue(p *prepared, c int) string {
	switch c {
	case cmpFirstName:
		return p.first
	case cmpLastName:
		return p.last
	case cmpContact:
		return p.city
	}
	return ""
}

// Len returns the number of records in the index.
func (ix *Index) Len() int { return len(ix.recs) }

// ID returns the source id of record i (steward.Record.SourceID), which
// points into the index's memory.
func (ix *Index) ID(i int) string { return ix.id(int32(i)) }

// Model returns the model the index scores with.
func (ix *Index) Model() *Model { return ix.model }

// SetModel sets the model the index scores with, after checking it fits.
func (ix *Index) SetModel(m *Model) error {
	if err := m.compile(); err != nil {
		return fmt.Errorf("dedupe model: %w", err)
	}
	ix.model = m
	return nil
}

// candScratch holds the buffers of one goroutine's candidate generation.
type candScratch struct {
	raw    []uint64 // j<<32 | key<<8 | weight (candTag), per block that pairs a record with j
	ranked []uint64
	out    []int32
	// touched keeps a sum of the reads rawCandidates makes ahead of
	// use, so that they stay.
	touched uint32
}

// candidates returns the indexes of records that share a block with
// record i (for batch runs only those j > i, so each pair comes once),
// sorted without repeats and chosen as selectCandidates says. The result
// is sc's and valid until sc is used again.
func (ix *Index) candidates(i int, sc *candScratch, onlyAfter bool) []int32 {
	ix.rawCandidates(i, sc, onlyAfter)
	sc.out, sc.ranked = ix.selectCandidates(sc.raw, sc.out[:0], sc.ranked[:0])
	return sc.out
}

// rawCandidates sets sc.raw to, for every block of record i, the records
// it pairs i with, as j<<32 | candTag.
func (ix *Index) rawCandidates(i int, sc *candScratch, onlyAfter bool) {
	// The record's entry in every key's blocks is read first, in a loop
	// whose reads do not depend on each other, so that their cache
	// misses (one per key, anywhere in hundreds of megabytes) overlap
	// instead of following one another.
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		if p := kb.pos[i]; p >= 0 {
			sc.touched += kb.sorted[p].lo
		}
	}
	raw := sc.raw[:0]
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		var h uint64
		var lo, hi int
		var windowed bool
		if p := kb.pos[i]; p >= 0 {
			if kb.multi[i>>6]&(1<<(i&63)) == 0 && kb.npend == 0 {
				continue // alone in its block
			}
			h = kb.sorted[p].hash()
			lo, hi, windowed = ix.windowAt(kb, int(p))
		} else {
			if h = kb.pendingHash[int32(i)]; h == 0 {
				continue
			}
			lo, hi, windowed = ix.windowFor(kb, h, ix.sortKeys[kb.order][i])
		}
		tag := candTag(k, hi-lo, windowed)
		for _, e := range kb.sorted[lo:hi] {
			if j := e.idx; int(j) != i && (!onlyAfter || int(j) > i) {
				raw = append(raw, uint64(j)<<32|tag)
			}
		}
		if pend := kb.pending[h]; len(pend) > 0 {
			tag := candTag(k, len(pend)+hi-lo, false)
			for _, j := range pend {
				if int(j) != i && (!onlyAfter || int(j) > i) {
					raw = append(raw, uint64(j)<<32|tag)
				}
			}
		}
	}
	sc.raw = raw
}

// candTag tags a candidate met under key k in a block of size records,
// paired whole or by sorted neighbourhood (windowed): k<<8 and the weight
// of the meeting, which selectCandidates ranks candidates by. A small
// block says more than a large one (two records sharing an email, more
// than eight sharing a street and a town); a sorted neighbourhood, in a
// block too large to pair whole, says least.
func candTag(k, size int, windowed bool) uint64 {
	w := uint64(1)
	if !windowed {
		w += uint64(16 / max(2, size))
	}
	return uint64(k)<<8 | w
}

// candKey returns the key index of a raw candidate entry.
func candKey(r uint64) int { return int(r & (1<<32 - 1) >> 8) }

// selectCandidates sorts raw (rawCandidates' entries) and appends to out
// the candidates it keeps, sorted: all of them when they are at most
// Config.Neighbours, else the Config.Neighbours of the highest weight
// summed over the keys that met them (candTag; on a tie, the lower index
// first). Blocks grow with
// the data and fill with namesakes, households and placeholders; the
// bound keeps the pairs per record flat however large the data grows, and
// a record of the same person, which agrees on more than one key, comes
// first. ranked is scratch space.
func (ix *Index) selectCandidates(raw []uint64, out []int32, ranked []uint64) ([]int32, []uint64) {
	slices.Sort(raw)
	for a := 0; a < len(raw); {
		j := raw[a] >> 32
		b, score := a, uint64(0)
		for ; b < len(raw) && raw[b]>>32 == j; b++ {
			score += raw[b] & 0xff
		}
		// The highest score first, then the lower index.
		ranked = append(ranked, (1<<32-1-score)<<32|j)
		a = b
	}
	if len(ranked) > ix.cfg.Neighbours {
		slices.Sort(ranked)
		ranked = ranked[:ix.cfg.Neighbours]
	}
	for _, r := range ranked {
		out = append(out, int32(r&(1<<32-1)))
	}
	slices.Sort(out)
	return out, ranked
}

// keyedCandidates appends to sc.raw, for every block of record i, the
// records j > i it pairs i with among those candidates keeps, as j<<32 |
// candTag, sorted.
func (ix *Index) keyedCandidates(i int, sc *candScratch) []uint64 {
	ix.rawCandidates(i, sc, true)
	sc.out, sc.ranked = ix.selectCandidates(sc.raw, sc.out[:0], sc.ranked[:0])
	kept := sc.raw[:0]
	k := 0
	for _, r := range sc.raw {
		j := int32(r >> 32)
		for k < len(sc.out) && sc.out[k] < j {
			k++
		}
		if k < len(sc.out) && sc.out[k] == j {
			kept = append(kept, r)
		}
	}
	sc.raw = kept
	return kept
}

// windowAt returns the entries the record at position p of kb is paired
// with: its whole block, or the Window entries on either side of it when
// the block is oversized (windowed).
func (ix *Index) windowAt(kb *keyBlocks, p int) (lo, hi int, windowed bool) {
	lo, hi = kb.around(p, ix.cfg.MaxBlock)
	if hi-lo > ix.cfg.MaxBlock {
		return max(lo, p-ix.cfg.Window), min(hi, p+ix.cfg.Window+1), true
	}
	return lo, hi, false
}

// windowFor returns the entries a record with hash h and sort key s (in
// kb's order) is paired with: the whole block, or its sorted
// neighbourhood when the block is oversized (windowed).
func (ix *Index) windowFor(kb *keyBlocks, h, s uint64) (lo, hi int, windowed bool) {
	lo, hi = kb.bounds(h)
	if hi-lo <= ix.cfg.MaxBlock {
		return lo, hi, false
	}
	// The first entry at or above s: sort.Search, without its closure.
	keys := ix.sortKeys[kb.order]
	p, end := lo, hi
	for p < end {
		mid := int(uint(p+end) >> 1)
		if keys[kb.sorted[mid].idx] < s {
			p = mid + 1
		} else {
			end = mid
		}
	}
	return max(lo, p-ix.cfg.Window), min(hi, p+ix.cfg.Window), true
}

// isCandidate reports whether records i and j would be compared: the
// lower one's candidates hold the higher.
func (ix *Index) isCandidate(i, j int) bool {
	ix.positions()
	if i > j {
		i, j = j, i
	}
	var sc candScratch
	_, found := slices.BinarySearch(ix.candidates(i, &sc, true), int32(j))
	return found
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// BlockReport describes the blocks of one blocking key.
type BlockReport struct {
	Key BlockingKey `json:"key"`
	// Records is the number of records with this key.
	Records int `json:"records"`
	// Blocks is the number of blocks of two or more records.
	Blocks int `json:"blocks"`
	// Oversized is the number of blocks larger than Config.MaxBlock, which
	// were paired by sorted neighbourhood instead of all-to-all.
	Oversized int `json:"oversized"`
	// Largest is the size of the largest block.
	Largest int `json:"largest"`
}

// Blocks reports the blocks of every blocking key.
func (ix *Index) Blocks() []BlockReport {
	out := make([]BlockReport, 0, len(ix.blocks))
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		r := BlockReport{Key: kb.key, Records: len(kb.sorted)}
		for lo := 0; lo < len(kb.sorted); {
			hi := lo + 1
			for hi < len(kb.sorted) && kb.sorted[hi].hash() == kb.sorted[lo].hash() {
				hi++
			}
			if n := hi - lo; n >= 2 {
				r.Blocks++
				if n > ix.cfg.MaxBlock {
					r.Oversized++
				}
				r.Largest = max(r.Largest, n)
			}
			lo = hi
		}
		out = append(out, r)
	}
	return out
}

// parallelRange runs fn over [0, n) in chunks on workers goroutines and
// stops early when ctx is done.
func parallelRange(ctx context.Context, n, workers int, fn func(lo, hi int)) error {
	const chunk = 1024
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				lo := next
				next += chunk
				mu.Unlock()
				if lo >= n {
					return
				}
				fn(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
