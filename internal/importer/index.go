package importer

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
)

// dbIndex is the duplicate index of the database's active customers:
// position i of ix is customer ids[i].
type dbIndex struct {
	ix  *dedupe.Index
	ids []int64
	// pos finds a customer's position; built on first use.
	pos map[int64]int
	// gen is the customers' generation the index reflects; nil when it is
	// unknown (customers changed while it was built), so it is not cached.
	gen *steward.Generation
	// source says where the index came from: "cache" or "database".
	source string
	// logged counts the customers replayed from the cache's log.
	logged int
}

// position returns customer id's position in the index, or -1.
func (d *dbIndex) position(id int64) int {
	if d.pos == nil {
		d.pos = make(map[int64]int, len(d.ids))
		for i, c := range d.ids {
			d.pos[c] = i
		}
	}
	if p, ok := d.pos[id]; ok {
		return p
	}
	return -1
}

// putAll makes the index hold the customers cs as they are now (the last
// of several entries of one customer): their old entries go, and the
// active ones are added with their current records, all at once.
func (d *dbIndex) putAll(ctx context.Context, cs []*steward.Customer) error {
	var maxID int64
	for _, id := range d.ids {
		maxID = max(maxID, id)
	}
	seen := make(map[int64]bool, len(cs))
	var add []*steward.Record
	var addIDs []int64
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		// A customer newer than every indexed one (created by the import)
		// has no entry: no need to build the position map for it.
		if c.ID <= maxID {
			if p := d.position(c.ID); p >= 0 {
				d.ix.Remove(p)
				delete(d.pos, c.ID)
			}
		}
		if c.Status == steward.StatusActive {
			add = append(add, &c.Record)
			addIDs = append(addIDs, c.ID)
		}
	}
	slices.Reverse(add)
	slices.Reverse(addIDs)
	first, err := d.ix.AddAll(ctx, add)
	if err != nil {
		return err
	}
	for k, id := range addIDs {
		if d.pos != nil {
			d.pos[id] = first + k
		}
		d.ids = append(d.ids, id)
	}
	return nil
}

// loadIndex returns the duplicate index of the database's active
// customers: from the cache file when it was written for the customers as
// they are now, otherwise built from the database.
func loadIndex(ctx context.Context, st steward.Store, opts *Options) (*dbIndex, error) {
	g0, err := st.CustomerGeneration(ctx)
	if err != nil {
		return nil, fmt.Errorf("customers' generation: %w", err)
	}
	if opts.IndexCache != "" {
		d, err := readIndexCache(opts.IndexCache, g0, opts)
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			opts.Logger.Info("duplicate index cache not used; rebuilding it from the database", "file", opts.IndexCache, "reason", err)
		}
	}
	d := &dbIndex{source: "database"}
	var recs []steward.Record
	err = st.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		recs = append(recs, c.Record)
		d.ids = append(d.ids, c.ID)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load customers: %w", err)
	}
	d.ix, err = dedupe.NewIndex(ctx, recs, opts.Matching, opts.Model)
	if err != nil {
		return nil, fmt.Errorf("duplicate index: %w", err)
	}
	g1, err := st.CustomerGeneration(ctx)
	if err != nil {
		return nil, fmt.Errorf("customers' generation: %w", err)
	}
	if g1 == g0 {
		d.gen = &g0
	}
	return d, nil
}

// saveIndex brings the duplicate index up to date with the customers the
// import wrote and writes it to the cache file, when it is known to
// reflect every customer: nothing but this import changed customers since
// the index was built. A failure to write the cache only costs the next
// import the time to rebuild it.
func saveIndex(ctx context.Context, st steward.Store, d *dbIndex, touched []*steward.Customer, opts *Options) {
	if opts.IndexCache == "" || d.gen == nil {
		return
	}
	if d.source == "cache" && len(touched) == 0 {
		return
	}
	g, err := st.CustomerGeneration(ctx)
	if err != nil {
		opts.Logger.Warn("duplicate index cache not written", "err", err)
		return
	}
	want := d.gen.N
	if len(touched) > 0 {
		want++
	}
	if g.Database != d.gen.Database || g.N != want {
		opts.Logger.Info("duplicate index cache not written: customers changed during the import", "file", opts.IndexCache)
		return
	}
	t0 := time.Now()
	if d.source == "cache" && d.logged+len(touched) <= maxLogCustomers(d.ix.Len()-d.ix.Removed()) {
		if err := appendIndexLog(opts.IndexCache, *d.gen, g, touched); err != nil {
			opts.Logger.Warn("duplicate index cache not written", "file", opts.IndexCache, "err", err)
			return
		}
		opts.Logger.Info("duplicate index cache log appended", "file", opts.IndexCache+".log", "customers", len(touched), "elapsed", time.Since(t0).Round(time.Millisecond))
		return
	}
	rebuild := opts.rebuildAbove > 0 && len(touched) > opts.rebuildAbove
	if !rebuild {
		if err := d.putAll(ctx, touched); err != nil {
			opts.Logger.Warn("duplicate index cache not written", "err", err)
			return
		}
		// An index whose updated customers left many removed records
		// behind is built afresh before it grows without end.
		rebuild = d.ix.Removed() > d.ix.Len()/5+1000
	}
	if rebuild {
		d.ix = nil
		nd, err := loadIndex(ctx, st, &Options{Matching: opts.Matching, Model: opts.Model, Logger: opts.Logger})
		if err != nil {
			opts.Logger.Warn("duplicate index cache not written", "err", err)
			return
		}
		if nd.gen == nil || *nd.gen != g {
			opts.Logger.Info("duplicate index cache not written: customers changed during the import", "file", opts.IndexCache)
			return
		}
		d = nd
	}
	if err := writeIndexCache(opts.IndexCache, g, d); err != nil {
		opts.Logger.Warn("duplicate index cache not written", "file", opts.IndexCache, "err", err)
		return
	}
	opts.Logger.Info("duplicate index cache written", "file", opts.IndexCache, "customers", d.ix.Len(), "elapsed", time.Since(t0).Round(time.Millisecond))
}

// indexCacheMagic starts a cache file; the number after it is the layout
// of what follows, before dedupe's own versioned index.
const indexCacheMagic = "steward duplicate index 2\n"

// errStaleCache says the cache was written for other customers.
var errStaleCache = errors.New("written for another state of the customers")

// readIndexCache reads the cache file at path if it was written for
// generation g.
func readIndexCache(path string, g steward.Generation, opts *Options) (*dbIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	r := io.TeeReader(br, crc)
	magic := make([]byte, len(indexCacheMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != indexCacheMagic {
		return nil, errors.New("not a steward index cache of this version")
	}
	var hdr struct {
		DBLen uint32
	}
	if err := binary.Read(r, binary.LittleEndian, &hdr); err != nil || hdr.DBLen > 1024 {
		return nil, errors.New("damaged header")
	}
	db := make([]byte, hdr.DBLen)
	var n, count int64
	if _, err := io.ReadFull(r, db); err != nil {
		return nil, errors.New("damaged header")
	}
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, errors.New("damaged header")
	}
	var tokenLen uint32
	if err := binary.Read(r, binary.LittleEndian, &tokenLen); err != nil || tokenLen > 1024 {
		return nil, errors.New("damaged header")
	}
	token := make([]byte, tokenLen)
	if _, err := io.ReadFull(r, token); err != nil {
		return nil, errors.New("damaged header")
	}
	if string(db) != g.Database || n > g.N {
		return nil, errStaleCache
	}
	base := steward.Generation{Database: string(db), N: n, Token: string(token)}
	if err := binary.Read(r, binary.LittleEndian, &count); err != nil || count < 0 || count > 1<<31 {
		return nil, errors.New("damaged header")
	}
	ids := make([]int64, count)
	buf := make([]byte, 8*min(count, 1<<16))
	for i := int64(0); i < count; {
		k := min(count-i, int64(len(buf)/8))
		if _, err := io.ReadFull(r, buf[:8*k]); err != nil {
			return nil, errors.New("truncated customer ids")
		}
		for j := range k {
			ids[i+j] = int64(binary.LittleEndian.Uint64(buf[8*j:]))
		}
		i += k
	}
	sum := crc.Sum32()
	var want uint32
	if err := binary.Read(br, binary.LittleEndian, &want); err != nil || want != sum {
		return nil, errors.New("damaged customer ids (checksum)")
	}
	ix, err := dedupe.ReadIndex(br, opts.Matching, opts.Model)
	if err != nil {
		return nil, err
	}
	if ix.Len() != len(ids) {
		return nil, fmt.Errorf("index holds %d records for %d customers", ix.Len(), len(ids))
	}
	d := &dbIndex{ix: ix, ids: ids, gen: &base, source: "cache"}
	if err := replayIndexLog(path+".log", d); err != nil {
		return nil, err
	}
	if *d.gen != g {
		return nil, errStaleCache
	}
	return d, nil
}

// The log beside a cache file (path + ".log") records what imports
// changed since the file was written, so that an import appends its
// customers instead of writing the whole index again. Each frame is
// logFrameMagic, the length of its JSON body, the body (a logFrame) and
// the body's CRC-32C. A frame applies when its From is the generation the
// cache has reached; replay stops at the first frame that does not (or is
// torn by a crash), and the cache is used only if it then reached the
// database's generation.
const logFrameMagic = "SIXL"

// logFrame is one import's changes: the customers it wrote, as they are
// after it.
type logFrame struct {
	From      steward.Generation  `json:"from"`
	To        steward.Generation  `json:"to"`
	Customers []*steward.Customer `json:"customers"`
}

// maxLogCustomers bounds the customers the log holds before the next
// import writes the whole cache again; replaying costs about as much per
// customer as matching one.
func maxLogCustomers(live int) int { return max(20_000, live/20) }

// replayIndexLog applies the frames of the log at path that follow d's
// generation; a missing log is no change.
func replayIndexLog(path string, d *dbIndex) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	table := crc32.MakeTable(crc32.Castagnoli)
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(br, hdr[:]); err != nil || string(hdr[:4]) != logFrameMagic {
			return nil
		}
		body := make([]byte, binary.LittleEndian.Uint32(hdr[4:]))
		var sum [4]byte
		if _, err := io.ReadFull(br, body); err != nil {
			return nil
		}
		if _, err := io.ReadFull(br, sum[:]); err != nil || binary.LittleEndian.Uint32(sum[:]) != crc32.Checksum(body, table) {
			return nil
		}
		var fr logFrame
		if err := json.Unmarshal(body, &fr); err != nil || fr.From != *d.gen {
			return nil
		}
		if err := d.putAll(context.Background(), fr.Customers); err != nil {
			return err
		}
		*d.gen = fr.To
		d.logged += len(fr.Customers)
	}
}

// appendIndexLog appends the customers an import wrote to the log of the
// cache at path, taking the cache from generation from to to.
func appendIndexLog(path string, from, to steward.Generation, touched []*steward.Customer) error {
	body, err := json.Marshal(logFrame{From: from, To: to, Customers: touched})
	if err != nil {
		return err
	}
	frame := make([]byte, 0, len(body)+12)
	frame = append(frame, logFrameMagic...)
	frame = binary.LittleEndian.AppendUint32(frame, uint32(len(body)))
	frame = append(frame, body...)
	frame = binary.LittleEndian.AppendUint32(frame, crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
	f, err := os.OpenFile(path+".log", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(frame); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SaveIndexCache writes ix, the duplicate index of the active customers
// (ids[i] is the customer at position i) as they were at generation g, to
// the cache file an import reads (Options.IndexCache): a job that built
// the index anyway (the nightly duplicate detection) spares the next import
// building it.
func SaveIndexCache(path string, g steward.Generation, ix *dedupe.Index, ids []int64) error {
	if ix.Len() != len(ids) {
		return fmt.Errorf("index cache: %d records for %d customers", ix.Len(), len(ids))
	}
	return writeIndexCache(path, g, &dbIndex{ix: ix, ids: ids})
}

// writeIndexCache writes d to path for generation g, through a temporary
// file renamed into place, so a reader never sees half a file.
func writeIndexCache(path string, g steward.Generation, d *dbIndex) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	removeStaleTemps(path)
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	w := io.MultiWriter(bw, crc)
	io.WriteString(w, indexCacheMagic)
	binary.Write(w, binary.LittleEndian, uint32(len(g.Database)))
	io.WriteString(w, g.Database)
	binary.Write(w, binary.LittleEndian, g.N)
	binary.Write(w, binary.LittleEndian, uint32(len(g.Token)))
	io.WriteString(w, g.Token)
	binary.Write(w, binary.LittleEndian, int64(len(d.ids)))
	buf := make([]byte, 0, 8<<16)
	for i, id := range d.ids {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(id))
		if len(buf) == cap(buf) || i == len(d.ids)-1 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if err := binary.Write(bw, binary.LittleEndian, crc.Sum32()); err != nil {
		return err
	}
	if _, err := d.ix.WriteTo(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	// The new file holds everything; an old log no longer follows it.
	if err := os.Remove(path + ".log"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// removeStaleTemps deletes temporary files a crashed cache write left
// beside path; an hour old, they belong to no write still going on.
func removeStaleTemps(path string) {
	old, _ := filepath.Glob(path + ".tmp*")
	for _, name := range old {
		if fi, err := os.Stat(name); err == nil && time.Since(fi.ModTime()) > time.Hour {
			os.Remove(name)
		}
	}
}
