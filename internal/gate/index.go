package gate

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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

// put makes the index hold c as it is now: its old entry (if any) goes,
// and an active customer is added with its current record.
func (d *dbIndex) put(c *steward.Customer) {
	if p := d.position(c.ID); p >= 0 {
		d.ix.Remove(p)
		delete(d.pos, c.ID)
	}
	if c.Status != steward.StatusActive {
		return
	}
	d.pos[c.ID] = d.ix.Add(&c.Record)
	d.ids = append(d.ids, c.ID)
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
	if string(db) != g.Database || n != g.N || string(token) != g.Token {
		return nil, errStaleCache
	}
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
	return &dbIndex{ix: ix, ids: ids, gen: &g, source: "cache"}, nil
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
	return os.Rename(f.Name(), path)
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
