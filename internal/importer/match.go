package importer

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/matchindex"
)

// snapshot is what the import knows about the database before it writes:
// the active customers in a duplicate index, the customers the file's
// source records already became, and the pairs stewards said differ.
type snapshot struct {
	db *matchindex.Index
	// known are the customers the rows' source records already became,
	// by the rows' indexes.
	known  map[int32]int64
	notDup map[steward.Pair]bool
	// rows are the file's rows.
	rows *rowTable
	// fileIx indexes the file's new rows (fileRows, their indexes in
	// rows, by position), so that a row is matched against the rows
	// before it.
	fileIx   *dedupe.Index
	fileRows []int32
	// ext, for a file of more than Options.fileIndexInMemory rows to
	// match, stands for fileIx: the file's duplicate index on disk. Its
	// records are queryRows, the rows matched against the file (the new
	// rows and the updates, in file order, each at its qpos), which are
	// matched chunk by chunk of queryRows instead of fileRows.
	ext       *dedupe.ExternalIndex
	queryRows []int32
}

// candidate is a customer a row looks like: in the database or, when
// file, created by another row of the file (row, its index).
type candidate struct {
	dedupe.Candidate
	file bool
	row  int32
	// keys are the blocking keys under which the row met the candidate,
	// when the file's index is external (snapshot.ext).
	keys []dedupe.BlockingKey
}

// matcher matches the file's new rows against the database's customers
// and the file's earlier rows on all CPUs, chunk by chunk in file order,
// while the writer stores the rows already matched.
type matcher struct {
	s      *snapshot
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// mu guards next and limit; more signals a higher limit, or the end.
	mu   sync.Mutex
	more *sync.Cond
	// next is the first chunk no worker has taken; limit the first one
	// none may take yet (reach).
	next, limit int
	// done[k] is closed when chunk k of s.fileRows is matched; err[k] is
	// then its error, and cands[k] the candidates of its rows, in order,
	// until the writer is past the chunk (release).
	done  []chan struct{}
	err   []error
	cands [][][]candidate
	// released is the first chunk whose candidates the writer may still
	// need.
	released int
	// indexed is closed when s.fileIx is built, or failed with indexErr.
	indexed  chan struct{}
	indexErr error
}

// matchChunk is how many rows a matcher worker takes at once.
const matchChunk = 256

// matchAhead is how many chunks past the writer's the matchers may match:
// a matched row's candidates, with their explanations, wait in memory
// until the writer comes to it, so that matchers left to run ahead of a
// slower writer held the candidates of most of the file (about 230 MB at
// a million rows).
const matchAhead = 64

// startMatching picks the file's new rows, and indexes and matches them in
// the background. The index is built from the new rows' match keys when
// the checker kept them (t.keys), else from the rows read back from the
// spill sp.
func startMatching(ctx context.Context, t *table, s *snapshot, sp *spill, opts *Options) *matcher {
	// The new rows' keys move to the front of t.keys, in place: a new
	// row's keys are never behind its new position.
	recs := t.keys
	s.rows = &t.rows
	n := t.rows.len()
	queries, news := 0, 0
	for i := range n {
		m := t.rows.at(int32(i))
		if m.outcome != rejected && m.fpos >= 0 {
			queries++
			if _, known := s.known[int32(i)]; !known {
				news++
			}
		}
	}
	s.fileRows = make([]int32, 0, news)
	external := queries > opts.fileIndexInMemory
	if external {
		// The updates are matched against the file's index too, and with
		// it on disk, in the same pass as the new rows.
		s.queryRows = make([]int32, 0, queries)
	}
	q := 0
	for i := range n {
		m := t.rows.at(int32(i))
		k := m.fpos
		m.fpos, m.qpos = -1, -1
		if m.outcome == rejected || k < 0 {
			continue
		}
		m.qpos = int32(q)
		q++
		if external {
			s.queryRows = append(s.queryRows, int32(i))
		}
		if _, known := s.known[int32(i)]; known {
			continue
		}
		m.fpos = int32(len(s.fileRows))
		if recs != nil {
			recs[m.fpos] = recs[k]
		}
		s.fileRows = append(s.fileRows, int32(i))
	}
	if external {
		recs = nil
	}
	if recs != nil {
		clear(recs[len(s.fileRows):])
		recs = recs[:len(s.fileRows)]
	}
	t.keys = nil
	build := func(ctx context.Context) (*dedupe.Index, error) {
		if external {
			x, err := externalIndex(ctx, sp, s.rows, s.queryRows, s.db.Ix, opts)
			s.ext = x
			return nil, err
		}
		if recs != nil {
			return dedupe.NewIndexPrepared(ctx, recs, opts.Matching, opts.Model)
		}
		return spilledIndex(ctx, sp, s.rows, s.fileRows, opts)
	}
	ctx, cancel := context.WithCancel(ctx)
	matched := len(s.fileRows)
	if external {
		matched = len(s.queryRows)
	}
	chunks := (matched + matchChunk - 1) / matchChunk
	m := &matcher{s: s, ctx: ctx, cancel: cancel, done: make([]chan struct{}, chunks), err: make([]error, chunks), cands: make([][][]candidate, chunks), indexed: make(chan struct{}), limit: matchAhead}
	m.more = sync.NewCond(&m.mu)
	// Workers waiting for the writer stop waiting when the matching ends.
	context.AfterFunc(ctx, func() {
		m.mu.Lock()
		m.more.Broadcast()
		m.mu.Unlock()
	})
	for k := range m.done {
		m.done[k] = make(chan struct{})
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t0 := time.Now()
		ix, err := build(ctx)
		recs = nil // the index keeps its own copy
		if err != nil {
			m.indexErr = fmt.Errorf("duplicate index of the file: %w", err)
			close(m.indexed)
			for k := range m.done {
				m.err[k] = m.indexErr
				close(m.done[k])
			}
			return
		}
		if ix != nil {
			// How common a name is, is judged among the customers the
			// rows join (the external index counts with them as built).
			ix.CountTermsWith(s.db.Ix)
			s.fileIx = ix
		}
		close(m.indexed)
		opts.Logger.Info("import indexed the file", "rows", len(s.fileRows), "external", external, "elapsed", time.Since(t0).Round(time.Millisecond))
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
				for m.take(true) {
				}
			}()
		}
	}()
	return m
}

// take matches the next chunk no one has taken, on the caller's goroutine,
// and reports whether there was one. When that chunk is too far ahead of
// the writer (reach), it waits for the writer, or with wait false takes
// nothing.
func (m *matcher) take(wait bool) bool {
	m.mu.Lock()
	for m.next >= m.limit && m.next < len(m.done) && m.ctx.Err() == nil {
		if !wait {
			m.mu.Unlock()
			return false
		}
		m.more.Wait()
	}
	k := m.next
	if k >= len(m.done) || m.ctx.Err() != nil {
		m.mu.Unlock()
		return false
	}
	m.next++
	m.mu.Unlock()
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
		return m.indexErr == nil && m.take(false)
	default:
		return false
	}
}

// reach tells the matchers that the writer came to row r: they may match
// up to matchAhead chunks past r's, and the candidates of the chunks
// before r's go.
func (m *matcher) reach(r *rowMeta) {
	at := m.s.matchPos(r)
	if at < 0 {
		return
	}
	for ; m.released < at/matchChunk; m.released++ {
		m.cands[m.released] = nil
	}
	limit := at/matchChunk + 1 + matchAhead
	m.mu.Lock()
	if limit > m.limit {
		m.limit = limit
		m.more.Broadcast()
	}
	m.mu.Unlock()
}

func (m *matcher) chunk(ctx context.Context, k int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.s.ext != nil {
		return m.s.externalChunk(ctx, k, m.cands)
	}
	lo := k * matchChunk
	rows := m.s.fileRows[lo:min(lo+matchChunk, len(m.s.fileRows))]
	out := make([][]candidate, len(rows))
	for j, i := range rows {
		var err error
		if out[j], err = m.s.indexCandidates(i, int32(lo+j), nil); err != nil {
			return fmt.Errorf("row %d: %w", m.s.rows.at(i).num, err)
		}
	}
	m.cands[k] = out
	return nil
}

// candidatesOf returns the candidates the matchers found for row r, once
// known (wait).
func (m *matcher) candidatesOf(r *rowMeta) []candidate {
	at := m.s.matchPos(r)
	if at < 0 {
		return nil
	}
	if cs := m.cands[at/matchChunk]; cs != nil {
		return cs[at%matchChunk]
	}
	return nil
}

// ready reports, without waiting, whether wait would return at once.
func (m *matcher) ready(r *rowMeta) bool {
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
func (m *matcher) awaited(r *rowMeta) (<-chan struct{}, *error) {
	at := m.s.matchPos(r)
	if at < 0 {
		return m.indexed, &m.indexErr
	}
	k := at / matchChunk
	return m.done[k], &m.err[k]
}

// wait returns when row r's candidates are known; for a row that is not
// new (matched by the writer itself), when the file's index is built.
func (m *matcher) wait(ctx context.Context, r *rowMeta) error {
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
	m.cands = nil
	if m.s.ext != nil {
		m.s.ext.Close()
		m.s.ext = nil
	}
}

// matchPos returns where row r is among the rows the matchers match:
// its position among the new rows, or among the query rows with an
// external index; -1 for a row they do not match.
func (s *snapshot) matchPos(r *rowMeta) int {
	if s.queryRows != nil {
		return int(r.qpos)
	}
	return int(r.fpos)
}

// externalChunk matches chunk k of the query rows with the external
// index, into cands[k]: a new row gets its candidates as candidates gives
// them; an update (matched by the writer, against the database, when it
// changes a customer) its candidates in the file.
func (s *snapshot) externalChunk(ctx context.Context, k int, cands [][][]candidate) error {
	lo, hi := k*matchChunk, min((k+1)*matchChunk, len(s.queryRows))
	ms, err := s.ext.Match(ctx, lo, hi)
	if err != nil {
		return err
	}
	all := make([][]candidate, hi-lo)
	for j, i := range s.queryRows[lo:hi] {
		m := ms[j]
		var out []candidate
		for _, c := range m.Base {
			out = append(out, candidate{Candidate: c.Candidate, keys: c.Keys})
		}
		for _, c := range m.File {
			if other := s.fileRows[c.Index]; other < i {
				out = append(out, candidate{Candidate: c.Candidate, file: true, row: other, keys: c.Keys})
			}
		}
		if s.rows.at(i).fpos >= 0 {
			s.sortCandidates(out)
		}
		all[j] = out
	}
	cands[k] = all
	return nil
}

// sharedKeys returns the blocking keys under which row r met candidate c,
// as candidates matched them.
func (s *snapshot) sharedKeys(r *live, c candidate) []dedupe.BlockingKey {
	if s.queryRows != nil && (c.file || r.m.fpos >= 0) {
		return c.keys
	}
	ix := s.db.Ix
	if c.file {
		ix = s.fileIx
	}
	if r.m.fpos >= 0 {
		return ix.SharedKeysWith(s.fileIx, int(r.m.fpos), c.Index)
	}
	return ix.SharedKeysOf(&r.Record, c.Index)
}

// candidates returns the database customers and the earlier rows of the
// file that r looks like, most probable first; with the file's index
// external, r.cands are its candidates in the file, found by the
// matchers.
func (s *snapshot) candidates(r *live) ([]candidate, error) {
	if s.queryRows != nil {
		return s.externalCandidates(r)
	}
	return s.indexCandidates(r.i, r.m.fpos, &r.Record)
}

// indexCandidates is candidates with the file's index in memory, for row
// i: a new row, at fpos in the file's index, or another (fpos -1), whose
// record rec is matched.
func (s *snapshot) indexCandidates(i, fpos int32, rec *steward.Record) ([]candidate, error) {
	match := func(ix *dedupe.Index) ([]dedupe.Candidate, error) {
		if fpos >= 0 {
			// The row is in the file's index already: no preparing it again.
			return ix.MatchIndexed(s.fileIx, int(fpos))
		}
		return ix.Match(rec)
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
		// MatchIndexed gives the rows before i; Match (an update's row,
		// not in the file's index) gives them all.
		if other := s.fileRows[c.Index]; other < i {
			out = append(out, candidate{Candidate: c, file: true, row: other})
		}
	}
	s.sortCandidates(out)
	return out, nil
}

// externalCandidates is candidates with the file's index external: the
// matchers found a new row's candidates, and an update's in the file;
// only an update's in the database remain to be found.
func (s *snapshot) externalCandidates(r *live) ([]candidate, error) {
	if r.m.fpos >= 0 {
		return r.cands, nil
	}
	db, err := s.db.Ix.Match(&r.Record)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	out := make([]candidate, 0, len(db)+len(r.cands))
	for _, c := range db {
		out = append(out, candidate{Candidate: c})
	}
	out = append(out, r.cands...)
	s.sortCandidates(out)
	return out, nil
}

// sortCandidates orders a row's candidates most probable first.
func (s *snapshot) sortCandidates(out []candidate) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Weight != b.Weight {
			return a.Weight > b.Weight
		}
		// Equal weights: stored customers before the file's rows, then by
		// customer id or row, so that the choice never depends on where
		// a cached index keeps a customer it updated.
		if a.file != b.file {
			return !a.file
		}
		if !a.file {
			return s.db.IDs[a.Index] < s.db.IDs[b.Index]
		}
		return a.row < b.row
	})
}

// catchUp brings the snapshot up to date inside the import's transaction,
// which holds the admission lock: when customers changed after it was
// loaded (another import or an API write committed meanwhile), the
// duplicate index, the not-duplicate pairs and the customers the rows'
// source records became are read again, so that what this import
// decides holds whatever committed beside it.
func catchUp(ctx context.Context, tx steward.Store, snap *snapshot, sp *spill, rows *rowTable, sum *Summary, opts *Options) error {
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
	if fresh.known, err = lookupSources(ctx, tx, sp, rows); err != nil {
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

// lookupSources finds the customers the source records of the rows that
// passed the check already became, by the rows' indexes, reading the
// pairs back from the spill sp. It asks the store lookupChunk rows at a
// time, so that what it holds follows the customers found, not the rows
// asked about.
func lookupSources(ctx context.Context, st steward.Store, sp *spill, rows *rowTable) (map[int32]int64, error) {
	ids := make(map[int32]int64)
	refs := make([]steward.SourceRef, 0, min(rows.len(), lookupChunk))
	at := make([]int32, 0, cap(refs))
	cur := sp.cursor()
	ask := func() error {
		got, err := st.CustomerIDsBySource(ctx, refs)
		if err != nil {
			return fmt.Errorf("look up source records: %w", err)
		}
		for j, ref := range refs {
			if id, ok := got[ref]; ok {
				ids[at[j]] = id
			}
		}
		refs, at = refs[:0], at[:0]
		return nil
	}
	for i := range int32(rows.len()) {
		m := rows.at(i)
		if m.outcome == rejected {
			continue
		}
		ref, err := cur.ref(m.off)
		if err != nil {
			return nil, err
		}
		refs, at = append(refs, ref), append(at, i)
		if len(refs) == lookupChunk {
			if err := ask(); err != nil {
				return nil, err
			}
		}
	}
	if len(refs) > 0 {
		if err := ask(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// lookupChunk is how many rows lookupSources asks about at once.
const lookupChunk = 10_000
