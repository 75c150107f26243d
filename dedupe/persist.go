package dedupe

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"unsafe"
)

// indexFormat is the version of the layout WriteTo writes. Bump it whenever
// prepare, the match keys it calls, blockHash, sortKeysOf, keyOrder, the stored
// or keyBlocks layout, or the layout below changes: a file of another
// version reads as ErrIndexMismatch, so its owner rebuilds the index
// instead of matching against stale keys.
const indexFormat = 8

// indexMagic opens every index file.
const indexMagic = "stwdidx\x00"

// ErrIndexMismatch is returned by ReadIndex for a file written by another
// format version or with settings that change the index's content; the
// caller should rebuild the index from its records.
var ErrIndexMismatch = errors.New("dedupe: index file written by another version or configuration")

// Layout of an index file, all integers little-endian:
//
//	header: magic, format u32, fingerprint (u32 length, bytes),
//	        records u64, text bytes u64,
//	        keys u32, per key (sorted u64, pending u64),
//	        per term-frequency comparison (values u64, total u32),
//	        removed words u64,
//	        placeholders: dates u32, emails u32, phones u32, days 13×u32,
//	        CRC-32C of the header u32
//	body:   records (storedSize bytes each, a stored record's memory on
//	        a little-endian machine, its chunk and offset those of
//	        textLayout),
//	        text (every record's text, keys then id, concatenated),
//	        removed bitset words (u64 each),
//	        per term-frequency comparison its (hash u64, count u32),
//	        placeholder date, email and phone hashes (u64 each, sorted),
//	        per key its sorted (hash u64, index u32), then its pending
//	        (hash u64, index u32) in index order,
//	        CRC-32C of the body u32
//
// The header carries every count and its own checksum, so a damaged
// header is caught before its counts allocate anything.

// storedSize is the size of a stored record, in memory and in a file.
const storedSize = int(unsafe.Sizeof(stored{}))

// ioChunk is the buffer size of WriteTo.
const ioChunk = 1 << 20

// textLayout places the records' text of an index file in chunks of at
// most limit bytes (a larger record alone in its chunk), so that ReadIndex
// reads the text straight into the chunks the records point into.
type textLayout struct {
	limit uint64
	// sizes holds the size of every chunk so far.
	sizes []uint64
}

// place returns the chunk and offset of the next record's text, n bytes.
func (l *textLayout) place(n uint64) (chunk, off uint32) {
	if k := len(l.sizes) - 1; k < 0 || l.sizes[k] > 0 && l.sizes[k]+n > l.limit {
		l.sizes = append(l.sizes, 0)
	}
	k := len(l.sizes) - 1
	off = uint32(l.sizes[k])
	l.sizes[k] += n
	return uint32(k), off
}

// appendStored appends s in its file layout, little-endian.
func appendStored(b []byte, s *stored) []byte {
	b = binary.LittleEndian.AppendUint32(b, s.chunk)
	b = binary.LittleEndian.AppendUint32(b, s.off)
	b = binary.LittleEndian.AppendUint32(b, s.idLen)
	for _, f := range s.firstFormal {
		b = binary.LittleEndian.AppendUint32(b, f)
	}
	for _, l := range s.lens {
		b = binary.LittleEndian.AppendUint16(b, l)
	}
	b = binary.LittleEndian.AppendUint16(b, s.dob.y)
	b = append(b, s.dob.m, s.dob.d)
	b = binary.LittleEndian.AppendUint16(b, s.emailAt1)
	return append(b, s.flags, 0)
}

// decodeStored reads a stored record from its file layout; the padding
// byte must be zero.
func decodeStored(b []byte) (stored, bool) {
	var s stored
	s.chunk = binary.LittleEndian.Uint32(b)
	s.off = binary.LittleEndian.Uint32(b[4:])
	s.idLen = binary.LittleEndian.Uint32(b[8:])
	b = b[12:]
	for k := range s.firstFormal {
		s.firstFormal[k] = binary.LittleEndian.Uint32(b[4*k:])
	}
	b = b[4*maxFormal:]
	for k := range s.lens {
		s.lens[k] = binary.LittleEndian.Uint16(b[2*k:])
	}
	b = b[2*numKeys:]
	s.dob = date{y: binary.LittleEndian.Uint16(b), m: b[2], d: b[3]}
	s.emailAt1 = binary.LittleEndian.Uint16(b[4:])
	s.flags = b[6]
	return s, b[7] == 0
}

// storedBytes returns the memory of recs.
func storedBytes(recs []stored) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(recs))), len(recs)*storedSize)
}

// indexFingerprint describes the settings that change an index's content:
// the blocking keys in order (a key's position is hashed into its blocks)
// and the nickname table behind firstFormal.
func indexFingerprint(cfg *Config) string {
	var b strings.Builder
	b.WriteString("blocking=")
	for k, key := range cfg.Blocking {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(key))
	}
	fmt.Fprintf(&b, ";names=%08x", crc32.ChecksumIEEE(nicknamesCSV))
	return b.String()
}

// indexWriter buffers an index file, counts its bytes and checksums them.
type indexWriter struct {
	w   io.Writer
	tab *crc32.Table
	buf []byte
	crc uint32
	n   int64
	err error
}

func (e *indexWriter) flush() {
	if e.err == nil && len(e.buf) > 0 {
		e.crc = crc32.Update(e.crc, e.tab, e.buf)
		m, err := e.w.Write(e.buf)
		e.n += int64(m)
		e.err = err
	}
	e.buf = e.buf[:0]
}

func (e *indexWriter) room(k int) {
	if len(e.buf)+k > cap(e.buf) {
		e.flush()
	}
}

func (e *indexWriter) u32(v uint32) {
	e.room(4)
	e.buf = binary.LittleEndian.AppendUint32(e.buf, v)
}

func (e *indexWriter) u64(v uint64) {
	e.room(8)
	e.buf = binary.LittleEndian.AppendUint64(e.buf, v)
}

func (e *indexWriter) entry(h uint64, i int32) {
	e.room(12)
	e.buf = binary.LittleEndian.AppendUint64(e.buf, h)
	e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(i))
}

// entries writes (hash, index) pairs: on a little-endian machine straight
// from their memory.
func (e *indexWriter) entries(es []blockEntry) {
	if !littleEndian() {
		for _, be := range es {
			e.entry(be.hash(), be.idx)
		}
		return
	}
	b := entryBytes(es)
	e.str(unsafe.String(unsafe.SliceData(b), len(b)))
}

// littleEndian reports whether blockEntry's memory is its file layout.
func littleEndian() bool {
	return binary.NativeEndian.Uint16([]byte{1, 0}) == 1
}

// entryBytes returns the memory of es.
func entryBytes(es []blockEntry) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(es))), len(es)*int(unsafe.Sizeof(blockEntry{})))
}

func (e *indexWriter) str(s string) {
	for len(s) > 0 {
		if len(e.buf) == cap(e.buf) {
			e.flush()
		}
		k := min(len(s), cap(e.buf)-len(e.buf))
		e.buf = append(e.buf, s[:k]...)
		s = s[k:]
	}
}

// endSection writes the checksum of everything since the last one.
func (e *indexWriter) endSection() {
	e.flush()
	sum := e.crc
	e.u32(sum)
	e.flush()
	e.crc = 0
}

// WriteTo writes the index (prepared match keys, ids, blocks, term
// frequencies, removed records) in a versioned binary format with a
// checksum; it implements io.WriterTo. Records added since the blocks were
// last sorted are stored as such, so ReadIndex returns an index that
// matches exactly like this one. WriteTo may run concurrently with Match,
// not with Add or Remove.
func (ix *Index) WriteTo(w io.Writer) (int64, error) {
	return ix.writeIndex(w, maxChunk)
}

// writeIndex is WriteTo with the text laid out in chunks of chunkLimit
// bytes, which readIndex must be given too.
func (ix *Index) writeIndex(w io.Writer, chunkLimit uint64) (int64, error) {
	e := &indexWriter{w: w, tab: crc32.MakeTable(crc32.Castagnoli), buf: make([]byte, 0, ioChunk)}
	n := len(ix.recs)

	var textLen uint64
	for i := range ix.recs {
		s := &ix.recs[i]
		textLen += uint64(s.keysLen() + s.idLen)
	}
	pending := make([][]blockEntry, len(ix.blocks))
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		for _, i := range slices.Sorted(maps.Keys(kb.pendingHash)) {
			pending[k] = append(pending[k], entryOf(kb.pendingHash[i], i))
		}
	}
	var tf [len(tfComparisons)][]uint64
	for t := range tfComparisons {
		tf[t] = slices.Sorted(maps.Keys(ix.tfCount[t]))
	}

	e.str(indexMagic)
	e.u32(indexFormat)
	fp := indexFingerprint(&ix.cfg)
	e.u32(uint32(len(fp)))
	e.str(fp)
	e.u64(uint64(n))
	e.u64(textLen)
	e.u32(uint32(len(ix.blocks)))
	for k := range ix.blocks {
		e.u64(uint64(len(ix.blocks[k].sorted)))
		e.u64(uint64(len(pending[k])))
	}
	for t := range tfComparisons {
		e.u64(uint64(len(tf[t])))
		e.u32(uint32(ix.tfTotal[t]))
	}
	e.u64(uint64(len(ix.removed)))
	ph := &ix.placeholders
	phSets := [3][]uint64{slices.Sorted(maps.Keys(ph.dates)), slices.Sorted(maps.Keys(ph.emails)), slices.Sorted(maps.Keys(ph.phones))}
	for _, hs := range phSets {
		e.u32(uint32(len(hs)))
	}
	for _, d := range ph.days {
		e.u32(d)
	}
	e.endSection()

	lay := textLayout{limit: chunkLimit}
	for i := range ix.recs {
		s := ix.recs[i]
		s.chunk, s.off = lay.place(uint64(s.keysLen() + s.idLen))
		e.room(storedSize)
		e.buf = appendStored(e.buf, &s)
	}
	for i := range ix.recs {
		e.str(ix.recText(int32(i)))
	}
	for _, word := range ix.removed {
		e.u64(word)
	}
	for t := range tfComparisons {
		for _, h := range tf[t] {
			e.entry(h, ix.tfCount[t][h])
		}
	}
	for _, hs := range phSets {
		for _, h := range hs {
			e.u64(h)
		}
	}
	for k := range ix.blocks {
		e.entries(ix.blocks[k].sorted)
		e.entries(pending[k])
	}
	e.endSection()
	if e.err != nil {
		return e.n, fmt.Errorf("write index: %w", e.err)
	}
	return e.n, nil
}

// errDamaged is wrapped by every error of a file that is not a complete
// index as WriteTo wrote it.
var errDamaged = errors.New("damaged or truncated index file")

// indexReader reads an index file and checksums what it read.
type indexReader struct {
	r   *bufio.Reader
	tab *crc32.Table
	crc uint32
	b   [8]byte
	// scratch holds entries on their way from the file to their slice.
	scratch []byte
}

func (d *indexReader) full(p []byte) error {
	if _, err := io.ReadFull(d.r, p); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return errDamaged
		}
		return err
	}
	d.crc = crc32.Update(d.crc, d.tab, p)
	return nil
}

func (d *indexReader) u32() (uint32, error) {
	err := d.full(d.b[:4])
	return binary.LittleEndian.Uint32(d.b[:4]), err
}

func (d *indexReader) u64() (uint64, error) {
	err := d.full(d.b[:8])
	return binary.LittleEndian.Uint64(d.b[:8]), err
}

// readAtOnce is the most memory a count from the file allocates before
// the data it counts has arrived.
const readAtOnce = 1 << 30

// chunk reads n bytes of text into a chunk with room for the byte past
// them (textAt). n comes from the file, so it is allocated at once up to a
// bound; beyond it the chunk grows as the data arrives, so that a forged
// length cannot allocate more than twice what the input holds.
func (d *indexReader) chunk(n uint64) ([]byte, error) {
	b := newChunk(int(min(n, readAtOnce)))
	adviseHugePagesOf(b[:cap(b)])
	for uint64(len(b)) < n {
		if len(b) == cap(b)-1 {
			nb := newChunk(int(min(n, 2*uint64(len(b)))))
			b = append(nb, b...)
		}
		k := len(b)
		b = b[:cap(b)-1]
		if err := d.full(b[k:]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// records reads n stored records, on a little-endian machine straight
// into their memory, with room to Add an eighth more without copying them
// (growRoom): a caller that reads an index often goes on to add what
// changed since. Like chunk, it allocates at once up to a bound and beyond
// it as the data arrives.
func (d *indexReader) records(n int) ([]stored, error) {
	c := growRoom(n)
	if n*storedSize > readAtOnce {
		c = readAtOnce / storedSize
	}
	recs := make([]stored, 0, c)
	adviseHugePagesOf(recs[:cap(recs)])
	for len(recs) < n {
		if len(recs) == cap(recs) {
			recs = append(make([]stored, 0, min(growRoom(n), 2*cap(recs))), recs...)
		}
		k := min(n, cap(recs))
		if err := d.stored(recs[len(recs):k]); err != nil {
			return nil, err
		}
		recs = recs[:k]
	}
	return recs, nil
}

// stored reads len(out) records into out.
func (d *indexReader) stored(out []stored) error {
	if littleEndian() {
		return d.full(storedBytes(out))
	}
	const batch = 1 << 10
	if len(d.scratch) < batch*storedSize {
		d.scratch = make([]byte, batch*storedSize)
	}
	for done := 0; done < len(out); {
		k := min(len(out)-done, batch)
		b := d.scratch[:k*storedSize]
		if err := d.full(b); err != nil {
			return err
		}
		for j := range k {
			s, ok := decodeStored(b[j*storedSize:])
			if !ok {
				return errDamaged
			}
			out[done+j] = s
		}
		done += k
	}
	return nil
}

// entries reads n (hash, index) pairs: on a little-endian machine
// straight into out's memory, with no decoding.
func (d *indexReader) entries(n int, out []blockEntry) error {
	if littleEndian() {
		return d.full(entryBytes(out[:n]))
	}
	if len(d.scratch) < 12*min(n, 1<<12) {
		d.scratch = make([]byte, 12*min(n, 1<<12))
	}
	buf := d.scratch
	for done := 0; done < n; {
		k := min(n-done, len(buf)/12)
		if err := d.full(buf[:12*k]); err != nil {
			return err
		}
		for j := range k {
			b := buf[12*j : 12*j+12]
			out[done+j] = entryOf(binary.LittleEndian.Uint64(b), int32(binary.LittleEndian.Uint32(b[8:])))
		}
		done += k
	}
	return nil
}

// checkSection reads a section's checksum and compares it with what was
// read since the last one.
func (d *indexReader) checkSection() error {
	sum := d.crc
	stored, err := d.u32()
	if err != nil {
		return err
	}
	if stored != sum {
		return errDamaged
	}
	d.crc = 0
	return nil
}

// indexHeader holds the counts of an index file's header.
type indexHeader struct {
	n, textLen      uint64
	sorted, pending []uint64
	tfValues        [len(tfComparisons)]uint64
	tfTotal         [len(tfComparisons)]uint32
	removedWords    uint64
	placeholders    [3]uint32 // dates, emails, phones
	days            [13]uint32
}

// readHeader reads and checks the header: ErrIndexMismatch for another
// format or fingerprint, errDamaged when it does not add up.
func (d *indexReader) readHeader(cfg *Config) (*indexHeader, error) {
	var magic [len(indexMagic)]byte
	if err := d.full(magic[:]); err != nil {
		return nil, err
	}
	if string(magic[:]) != indexMagic {
		return nil, fmt.Errorf("not an index file: %w", errDamaged)
	}
	format, err := d.u32()
	if err != nil {
		return nil, err
	}
	if format != indexFormat {
		return nil, fmt.Errorf("format %d, want %d: %w", format, indexFormat, ErrIndexMismatch)
	}
	fpLen, err := d.u32()
	if err != nil {
		return nil, err
	}
	if fpLen > 1<<16 {
		return nil, errDamaged
	}
	fp := make([]byte, fpLen)
	if err := d.full(fp); err != nil {
		return nil, err
	}
	var h indexHeader
	for _, v := range []*uint64{&h.n, &h.textLen} {
		if *v, err = d.u64(); err != nil {
			return nil, err
		}
	}
	nkeys, err := d.u32()
	if err != nil {
		return nil, err
	}
	if nkeys > 1<<10 {
		return nil, errDamaged
	}
	h.sorted = make([]uint64, nkeys)
	h.pending = make([]uint64, nkeys)
	for k := range nkeys {
		if h.sorted[k], err = d.u64(); err != nil {
			return nil, err
		}
		if h.pending[k], err = d.u64(); err != nil {
			return nil, err
		}
	}
	for t := range tfComparisons {
		if h.tfValues[t], err = d.u64(); err != nil {
			return nil, err
		}
		if h.tfTotal[t], err = d.u32(); err != nil {
			return nil, err
		}
	}
	if h.removedWords, err = d.u64(); err != nil {
		return nil, err
	}
	for k := range h.placeholders {
		if h.placeholders[k], err = d.u32(); err != nil {
			return nil, err
		}
	}
	for k := range h.days {
		if h.days[k], err = d.u32(); err != nil {
			return nil, err
		}
	}
	if err := d.checkSection(); err != nil {
		return nil, err
	}
	if want := indexFingerprint(cfg); string(fp) != want {
		return nil, fmt.Errorf("index of %q, want %q: %w", fp, want, ErrIndexMismatch)
	}
	if int(nkeys) != len(cfg.Blocking) {
		return nil, errDamaged
	}
	// Every count is bounded by n, and n by the bytes its records take,
	// which are read before anything is allocated for n records.
	if h.n > math.MaxInt32 || h.removedWords > (h.n+63)/64 {
		return nil, errDamaged
	}
	for k := range nkeys {
		if h.sorted[k]+h.pending[k] > h.n {
			return nil, errDamaged
		}
	}
	for t := range tfComparisons {
		if h.tfValues[t] > h.n || uint64(h.tfTotal[t]) > h.n {
			return nil, errDamaged
		}
	}
	for _, c := range h.placeholders {
		if uint64(c) > h.n {
			return nil, errDamaged
		}
	}
	return &h, nil
}

// ReadIndex reads an index written by WriteTo for use with cfg and model
// (model may be nil as for NewIndex). It returns an error wrapping
// ErrIndexMismatch when the file was written by another format version or
// with settings that change the index's content (the blocking keys, the
// nickname table), and another error for a damaged or
// truncated file. Settings that only steer matching (MaxBlock, Window,
// thresholds) may differ from the writer's.
func ReadIndex(r io.Reader, cfg Config, model *Model) (*Index, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("dedupe config: %w", err)
	}
	if model != nil {
		if err := model.compile(); err != nil {
			return nil, fmt.Errorf("dedupe model: %w", err)
		}
	}
	ix, err := readIndex(r, &cfg, maxChunk)
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	ix.model = model
	return ix, nil
}

func readIndex(r io.Reader, cfg *Config, chunkLimit uint64) (*Index, error) {
	d := &indexReader{r: bufio.NewReaderSize(r, 1<<16), tab: crc32.MakeTable(crc32.Castagnoli)}
	h, err := d.readHeader(cfg)
	if err != nil {
		return nil, err
	}
	n := int(h.n)
	ix := &Index{cfg: *cfg}
	if ix.recs, err = d.records(n); err != nil {
		return nil, err
	}
	sizes, err := textSizes(ix.recs, chunkLimit)
	if err != nil {
		return nil, err
	}
	var total uint64
	for _, size := range sizes {
		total += size
	}
	if total != h.textLen {
		return nil, errDamaged
	}
	ix.text = make([][]byte, len(sizes))
	for c, size := range sizes {
		if ix.text[c], err = d.chunk(size); err != nil {
			return nil, err
		}
	}
	for o := range ix.sortKeys {
		ix.sortKeys[o] = make([]uint64, n, growRoom(n))
		adviseHugePagesOf(ix.sortKeys[o][:cap(ix.sortKeys[o])])
	}
	// The records are checked while the rest is read.
	checked := make(chan error, 1)
	go func() { checked <- ix.checkRecords() }()
	err = ix.readRest(d, h)
	if cerr := <-checked; err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// textSizes checks that the records' chunks and offsets are those
// textLayout gives them, and their other fields what WriteTo writes as far
// as they can be checked without their text, and returns the size of
// every chunk.
func textSizes(recs []stored, chunkLimit uint64) ([]uint64, error) {
	lay := textLayout{limit: chunkLimit}
	mem := storedBytes(recs)
	for i := range recs {
		s := &recs[i]
		if s.idLen > maxIDLen || s.flags&^flagsKnown != 0 || s.emailAt1 > s.lens[keyEmail] || mem[(i+1)*storedSize-1] != 0 {
			return nil, errDamaged
		}
		if c, off := lay.place(uint64(s.keysLen() + s.idLen)); c != s.chunk || off != s.off {
			return nil, errDamaged
		}
	}
	return lay.sizes, nil
}

// readRest reads the sections after the records, checks the body's
// checksum and builds the blocks.
func (ix *Index) readRest(d *indexReader, h *indexHeader) error {
	n := int(h.n)
	if h.removedWords > 0 {
		ix.removed = make([]uint64, h.removedWords)
		for w := range ix.removed {
			v, err := d.u64()
			if err != nil {
				return err
			}
			ix.removed[w] = v
		}
	}
	var tf [len(tfComparisons)][]blockEntry
	for t := range tfComparisons {
		tf[t] = make([]blockEntry, h.tfValues[t])
		if err := d.entries(len(tf[t]), tf[t]); err != nil {
			return err
		}
	}
	ph := &ix.placeholders
	ph.days = h.days
	for k, set := range [3]*map[uint64]bool{&ph.dates, &ph.emails, &ph.phones} {
		if h.placeholders[k] == 0 {
			continue
		}
		*set = make(map[uint64]bool, h.placeholders[k])
		for range h.placeholders[k] {
			v, err := d.u64()
			if err != nil {
				return err
			}
			(*set)[v] = true
		}
	}
	ix.blocks = make([]keyBlocks, len(h.sorted))
	pending := make([][]blockEntry, len(h.sorted))
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		kb.key, kb.kind, kb.order = ix.cfg.Blocking[k], k, keyOrder(ix.cfg.Blocking[k])
		kb.sorted = make([]blockEntry, h.sorted[k])
		adviseHugePagesOf(kb.sorted)
		if err := d.entries(len(kb.sorted), kb.sorted); err != nil {
			return err
		}
		pending[k] = make([]blockEntry, h.pending[k])
		if err := d.entries(len(pending[k]), pending[k]); err != nil {
			return err
		}
	}
	if err := d.checkSection(); err != nil {
		return err
	}
	for t := range tfComparisons {
		m := make(map[uint64]int32, len(tf[t]))
		for _, e := range tf[t] {
			m[e.hash()] = e.idx
		}
		ix.tfCount[t] = m
		ix.tfTotal[t] = int32(h.tfTotal[t])
	}
	ix.sumTermSquares()
	// seen marks the records of one key, each of which may have only
	// one entry.
	seen := make([]uint64, (n+63)/64)
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		clear(seen)
		for p, e := range kb.sorted {
			if e.idx < 0 || int(e.idx) >= n || e.hash() == 0 || seen[e.idx>>6]&(1<<(e.idx&63)) != 0 ||
				p > 0 && kb.sorted[p-1].hash() > e.hash() {
				return errDamaged
			}
			seen[e.idx>>6] |= 1 << (e.idx & 63)
		}
		kb.buildDir()
		if len(pending[k]) == 0 {
			continue
		}
		kb.pending = make(map[uint64][]int32)
		kb.pendingHash = make(map[int32]uint64, len(pending[k]))
		for _, e := range pending[k] {
			if e.idx < 0 || int(e.idx) >= n || e.hash() == 0 || seen[e.idx>>6]&(1<<(e.idx&63)) != 0 {
				return errDamaged
			}
			seen[e.idx>>6] |= 1 << (e.idx & 63)
			kb.pending[e.hash()] = append(kb.pending[e.hash()], e.idx)
			kb.pendingHash[e.idx] = e.hash()
		}
		kb.npend = len(pending[k])
	}
	return nil
}

// checkRecords checks what textSizes could not, that each record's
// emailAt is that of its email, and sets the records' sort keys.
func (ix *Index) checkRecords() error {
	var p prepared
	for i := range ix.recs {
		ix.rec(int32(i), &p)
		if p.emailAt != int32(strings.LastIndexByte(p.email, '@')) {
			return errDamaged
		}
		for o, k := range sortKeysOf(&p) {
			ix.sortKeys[o][i] = k
		}
	}
	return nil
}
