package matchindex

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
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
)

// Index is the duplicate index of a database's active customers: position
// i of Ix is customer IDs[i].
type Index struct {
	Ix  *dedupe.Index
	IDs []int64
	// pos finds a customer's position; built on first use.
	pos map[int64]int
	// gen is the customers' generation the index reflects; nil when it is
	// unknown (customers changed while it was built), so it is not cached.
	gen *steward.Generation
	// Source says where the index came from: "cache" or "database".
	Source string
	// logged counts the customers replayed from the cache's log.
	logged int
}

// Generation returns the customers' generation the index reflects, and
// false when it is unknown (customers changed while it was built).
func (d *Index) Generation() (steward.Generation, bool) {
	if d.gen == nil {
		return steward.Generation{}, false
	}
	return *d.gen, true
}

// Position returns customer id's position in the index, or -1.
func (d *Index) Position(id int64) int {
	if d.pos == nil {
		d.pos = make(map[int64]int, len(d.IDs))
		for i, c := range d.IDs {
			d.pos[c] = i
		}
	}
	if p, ok := d.pos[id]; ok {
		return p
	}
	return -1
}

// PutAll makes the index hold the customers cs as they are now (the last
// of several entries of one customer): their old entries go, and the
// active ones are added with their current records, all at once.
func (d *Index) PutAll(ctx context.Context, cs []*steward.Customer) error {
	var maxID int64
	for _, id := range d.IDs {
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
			if p := d.Position(c.ID); p >= 0 {
				d.Ix.Remove(p)
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
	first, err := d.Ix.AddAll(ctx, add)
	if err != nil {
		return err
	}
	for k, id := range addIDs {
		if d.pos != nil {
			d.pos[id] = first + k
		}
		d.IDs = append(d.IDs, id)
	}
	return nil
}

// Customers is what an index reads of the database: its active customers
// and their generation.
type Customers interface {
	CustomerGeneration(ctx context.Context) (steward.Generation, error)
	EachCustomer(ctx context.Context, f steward.CustomerFilter, fn func(*steward.Customer) error) error
}

// Options say how to build an index and where to keep it.
type Options struct {
	// Matching configures the index (blocking keys, block caps); a zero
	// value (no blocking keys) is dedupe.DefaultConfig().
	Matching dedupe.Config
	// Model scores candidate pairs; nil is DefaultModel().
	Model *dedupe.Model
	// Cache is a file that keeps the index between runs, so that the next
	// Load reads it instead of building it from every customer; "" builds
	// it every time. The file records which state of the customers it
	// reflects (steward.Generation) and is rebuilt when they changed
	// otherwise than through a Save.
	Cache string
	// Logger receives what happened to the cache; nil discards it.
	Logger *slog.Logger
	// RebuildAbove, when not 0, is how many written customers make Save
	// build the cache again from the database rather than update it (tests).
	RebuildAbove int
}

func (o *Options) defaults() {
	if len(o.Matching.Blocking) == 0 {
		o.Matching = dedupe.DefaultConfig()
	}
	if o.Model == nil {
		o.Model = DefaultModel()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Load returns the duplicate index of the database's active customers:
// from the cache file when it was written for the customers as they are
// now, otherwise built from the database.
func Load(ctx context.Context, st Customers, opts Options) (*Index, error) {
	opts.defaults()
	return load(ctx, st, &opts)
}

func load(ctx context.Context, st Customers, opts *Options) (*Index, error) {
	g0, err := st.CustomerGeneration(ctx)
	if err != nil {
		return nil, fmt.Errorf("customers' generation: %w", err)
	}
	if opts.Cache != "" {
		d, err := readIndexCache(opts.Cache, g0, opts)
		if err == nil {
			return d, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			opts.Logger.Info("duplicate index cache not used; rebuilding it from the database", "file", opts.Cache, "reason", err)
		}
	}
	d := &Index{Source: "database"}
	var recs []steward.Record
	err = st.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		recs = append(recs, c.Record)
		d.IDs = append(d.IDs, c.ID)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load customers: %w", err)
	}
	d.Ix, err = dedupe.NewIndex(ctx, recs, opts.Matching, opts.Model)
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

// Save brings the index up to date with the customers a writer (an
// import) changed, touched, and writes it to the cache file, when it is
// known to reflect every customer: nothing but that writer changed
// customers since the index was built. A failure to write the cache is
// logged: it only costs the next Load the time to rebuild the index.
func Save(ctx context.Context, st Customers, d *Index, touched []*steward.Customer, opts Options) {
	opts.defaults()
	if opts.Cache == "" || d.gen == nil {
		return
	}
	if d.Source == "cache" && len(touched) == 0 {
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
		opts.Logger.Info("duplicate index cache not written: customers changed during the import", "file", opts.Cache)
		return
	}
	t0 := time.Now()
	if d.Source == "cache" && d.logged+len(touched) <= maxLogCustomers(d.Ix.Len()-d.Ix.Removed()) {
		if err := appendIndexLog(opts.Cache, *d.gen, g, touched); err != nil {
			opts.Logger.Warn("duplicate index cache not written", "file", opts.Cache, "err", err)
			return
		}
		opts.Logger.Info("duplicate index cache log appended", "file", opts.Cache+".log", "customers", len(touched), "elapsed", time.Since(t0).Round(time.Millisecond))
		return
	}
	rebuild := opts.RebuildAbove > 0 && len(touched) > opts.RebuildAbove
	if !rebuild {
		if err := d.PutAll(ctx, touched); err != nil {
			opts.Logger.Warn("duplicate index cache not written", "err", err)
			return
		}
		// An index whose updated customers left many removed records
		// behind is built afresh before it grows without end.
		rebuild = d.Ix.Removed() > d.Ix.Len()/5+1000
	}
	if rebuild {
		d.Ix = nil
		nd, err := load(ctx, st, &Options{Matching: opts.Matching, Model: opts.Model, Logger: opts.Logger})
		if err != nil {
			opts.Logger.Warn("duplicate index cache not written", "err", err)
			return
		}
		if nd.gen == nil || *nd.gen != g {
			opts.Logger.Info("duplicate index cache not written: customers changed during the import", "file", opts.Cache)
			return
		}
		d = nd
	}
	if err := writeIndexCache(opts.Cache, g, d); err != nil {
		opts.Logger.Warn("duplicate index cache not written", "file", opts.Cache, "err", err)
		return
	}
	opts.Logger.Info("duplicate index cache written", "file", opts.Cache, "customers", d.Ix.Len(), "elapsed", time.Since(t0).Round(time.Millisecond))
}

// indexCacheMagic starts a cache file; the number after it is the layout
// of what follows, before dedupe's own versioned index.
const indexCacheMagic = "steward duplicate index 2\n"

// errStaleCache says the cache was written for other customers.
var errStaleCache = errors.New("written for another state of the customers")

// readIndexCache reads the cache file at path if it was written for
// generation g.
func readIndexCache(path string, g steward.Generation, opts *Options) (*Index, error) {
	d, err := readIndexCacheUpTo(path, g, opts)
	if err != nil {
		return nil, err
	}
	if *d.gen != g {
		return nil, errStaleCache
	}
	return d, nil
}

// readIndexCacheUpTo reads the cache file at path, with its log replayed,
// if it was written for g's database at g or an earlier generation.
func readIndexCacheUpTo(path string, g steward.Generation, opts *Options) (*Index, error) {
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
	d := &Index{Ix: ix, IDs: ids, gen: &base, Source: "cache"}
	if err := replayIndexLog(path+".log", d); err != nil {
		return nil, err
	}
	if d.gen.N > g.N {
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
func replayIndexLog(path string, d *Index) error {
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
		if err := d.PutAll(context.Background(), fr.Customers); err != nil {
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

// WriteCache writes ix, the duplicate index of the active customers
// (ids[i] is the customer at position i) as they were at generation g, to
// the cache file Load reads (Options.Cache): a job that built the index
// anyway (the nightly duplicate detection) spares the next import building
// it.
func WriteCache(path string, g steward.Generation, ix *dedupe.Index, ids []int64) error {
	if ix.Len() != len(ids) {
		return fmt.Errorf("index cache: %d records for %d customers", ix.Len(), len(ids))
	}
	return writeIndexCache(path, g, &Index{Ix: ix, IDs: ids})
}

// writeIndexCache writes d to path for generation g, through a temporary
// file renamed into place, so a reader never sees half a file.
func writeIndexCache(path string, g steward.Generation, d *Index) (err error) {
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
	binary.Write(w, binary.LittleEndian, int64(len(d.IDs)))
	buf := make([]byte, 0, 8<<16)
	for i, id := range d.IDs {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(id))
		if len(buf) == cap(buf) || i == len(d.IDs)-1 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if err := binary.Write(bw, binary.LittleEndian, crc.Sum32()); err != nil {
		return err
	}
	if _, err := d.Ix.WriteTo(bw); err != nil {
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
