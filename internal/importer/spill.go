package importer

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/records"
)

// spill keeps the rows of the file, as read and checked, in a temporary
// file while the import runs, so that memory holds only what deciding
// each row needs (its number, outcome, match keys) rather than the whole
// file: the writer reads each row back when it stores it and writes its
// report lines, in file order.
//
// The file is unlinked as soon as it is created, so it never survives
// the import, not even a killed one.
type spill struct {
	dir  string
	f    *os.File
	w    *bufio.Writer
	size int64
	buf  []byte
}

// newSpill creates the spill file in dir ("" is the system's temporary
// directory).
func newSpill(dir string) (*spill, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "steward-import-*.rows")
	if err != nil {
		return nil, spillWriteError(dir, err)
	}
	// Unlinked at once: the open file stays readable, and nothing is
	// left behind whatever happens to the process. (Where an open file
	// cannot be removed, close removes it.)
	os.Remove(f.Name())
	return &spill{dir: dir, f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// spillWriteError says what a failed write of the waiting rows means to
// the person importing: where the room ran out, how much is needed and
// what to do.
func spillWriteError(dir string, err error) error {
	return fmt.Errorf("keep the checked rows on disk in %s until they are written: %w (an import needs about the file's size free there: free some space, or point TMPDIR elsewhere); nothing was imported", dir, err)
}

// put appends row r and returns where it starts.
func (s *spill) put(r *records.Row, dropped []steward.FieldChange) (int64, error) {
	b := s.buf[:0]
	b = binary.AppendUvarint(b, uint64(r.Num))
	b = binary.AppendUvarint(b, uint64(r.Line))
	if r.Raw == nil {
		b = binary.AppendUvarint(b, 0)
	} else {
		b = binary.AppendUvarint(b, uint64(len(r.Raw))+1)
		for _, v := range r.Raw {
			b = appendString(b, v)
		}
	}
	b = appendString(b, r.Text)
	rec := &r.Record
	for _, v := range recordFields(rec) {
		b = appendString(b, *v)
	}
	if rec.Attributes == nil {
		b = binary.AppendUvarint(b, 0)
	} else {
		b = binary.AppendUvarint(b, uint64(len(rec.Attributes))+1)
		for _, k := range rec.AttributeNames() {
			b = appendString(b, k)
			b = appendString(b, rec.Attributes[k])
		}
	}
	b = binary.AppendUvarint(b, uint64(len(r.Findings)))
	for _, f := range r.Findings {
		b = appendString(appendString(appendString(appendString(b, f.Field), f.Code), f.Message), string(f.Severity))
	}
	b = binary.AppendUvarint(b, uint64(len(dropped)))
	for _, d := range dropped {
		b = appendString(appendString(appendString(b, d.Field), d.Before), d.After)
	}
	off := s.size
	var n [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(n[:], uint64(len(b)))
	if _, err := s.w.Write(n[:k]); err != nil {
		return 0, spillWriteError(s.dir, err)
	}
	if _, err := s.w.Write(b); err != nil {
		return 0, spillWriteError(s.dir, err)
	}
	s.size += int64(k + len(b))
	s.buf = b
	return off, nil
}

// finish makes everything put readable.
func (s *spill) finish() error {
	if err := s.w.Flush(); err != nil {
		return spillWriteError(s.dir, err)
	}
	return nil
}

// close removes the file.
func (s *spill) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// cursor reads rows back from a spill, at offsets that never decrease.
func (s *spill) cursor() *spillCursor {
	return &spillCursor{r: bufio.NewReaderSize(io.NewSectionReader(s.f, 0, s.size), 256<<10), dir: s.dir}
}

// cursorAt is cursor for rows at off and after, with a read buffer of
// size bytes.
func (s *spill) cursorAt(off int64, size int) *spillCursor {
	return &spillCursor{r: bufio.NewReaderSize(io.NewSectionReader(s.f, off, s.size-off), size), pos: off, dir: s.dir}
}

// spillCursor reads a spill forward.
type spillCursor struct {
	r   *bufio.Reader
	pos int64
	buf []byte
	dir string
}

// errSpill says the spill file does not hold what was written.
var errSpill = errors.New("file damaged")

// readError says what a failed read of the waiting rows means to the
// person importing, as spillWriteError does for a write.
func (c *spillCursor) readError(err error) error {
	return fmt.Errorf("read back the checked rows kept on disk in %s: %w (the temporary copy of the file there was changed or cut short, or the disk failed); nothing was imported: run the same command again", c.dir, err)
}

// next returns the bytes of the row put at off, which is not before the
// last row read.
func (c *spillCursor) next(off int64) (string, error) {
	if off < c.pos {
		return "", fmt.Errorf("spill the rows: read at %d behind %d", off, c.pos)
	}
	if _, err := c.r.Discard(int(off - c.pos)); err != nil {
		return "", c.readError(err)
	}
	c.pos = off
	n, err := binary.ReadUvarint(c.r)
	if err != nil {
		return "", c.readError(err)
	}
	if uint64(cap(c.buf)) < n {
		c.buf = make([]byte, n)
	}
	b := c.buf[:n]
	if _, err := io.ReadFull(c.r, b); err != nil {
		return "", c.readError(err)
	}
	c.pos += int64(uvarintLen(n)) + int64(n)
	return string(b), nil
}

// read returns the row put at off, which is not before the last row read,
// and what the check dropped from it.
func (c *spillCursor) read(off int64) (*records.Row, []steward.FieldChange, error) {
	b, err := c.next(off)
	if err != nil {
		return nil, nil, err
	}
	// One string holds the row's values, which slice it.
	d := decoder{b: b}
	r := d.rowHead()
	rec := &r.Record
	if k := d.uint(); k > 0 {
		rec.Attributes = make(map[string]string, k-1)
		for range k - 1 {
			key := d.string()
			rec.Attributes[key] = d.string()
		}
	}
	if k := d.uint(); k > 0 {
		r.Findings = make([]steward.Finding, k)
		for i := range r.Findings {
			f := &r.Findings[i]
			f.Field, f.Code, f.Message, f.Severity = d.string(), d.string(), d.string(), steward.Severity(d.string())
		}
	}
	var dropped []steward.FieldChange
	if k := d.uint(); k > 0 {
		dropped = make([]steward.FieldChange, k)
		for i := range dropped {
			dropped[i] = steward.FieldChange{Field: d.string(), Before: d.string(), After: d.string()}
		}
	}
	if d.bad || len(d.b) != 0 {
		return nil, nil, c.readError(errSpill)
	}
	return r, dropped, nil
}

// ref returns the source record (Record.Source and SourceID) of the row
// put at off, which is not before the last row read, without decoding
// the rest of the row.
func (c *spillCursor) ref(off int64) (steward.SourceRef, error) {
	b, err := c.next(off)
	if err != nil {
		return steward.SourceRef{}, err
	}
	d := decoder{b: b}
	r := d.rowHead()
	if d.bad {
		return steward.SourceRef{}, c.readError(errSpill)
	}
	return steward.SourceRef{Source: r.Record.Source, ID: r.Record.SourceID}, nil
}

// rowHead decodes what a spilled row starts with: its number, line, raw
// values, text and record fields (slices of d's string, nothing copied).
func (d *decoder) rowHead() *records.Row {
	r := &records.Row{Num: int(d.uint()), Line: int(d.uint())}
	if k := d.uint(); k > 0 {
		r.Raw = make([]string, k-1)
		for i := range r.Raw {
			r.Raw[i] = d.string()
		}
	}
	r.Text = d.string()
	for _, p := range recordFields(&r.Record) {
		*p = d.string()
	}
	return r
}

// ref returns the source record of the row put at off; the writer may
// put more after. The write buffer is flushed only when the row is not
// all on disk yet: a file that repeats itself has a suspect row for every
// repeat, and flushing for each cost a write per row.
func (s *spill) ref(off int64) (steward.SourceRef, error) {
	if buffered := int64(s.w.Buffered()); buffered > 0 {
		if onDisk := s.size - buffered; off < onDisk {
			c := &spillCursor{r: bufio.NewReaderSize(io.NewSectionReader(s.f, off, onDisk-off), 4<<10), pos: off, dir: s.dir}
			if ref, err := c.ref(off); err == nil {
				return ref, nil
			}
			// The row runs on into what is still buffered.
		}
		if err := s.finish(); err != nil {
			return steward.SourceRef{}, err
		}
	}
	return s.cursorAt(off, 4<<10).ref(off)
}

// recordFields returns the record's canonical fields, in the order the
// spill keeps them.
func recordFields(rec *steward.Record) [15]*string {
	return [...]*string{&rec.Source, &rec.SourceID, &rec.FirstName, &rec.LastName, &rec.Company, &rec.Email, &rec.Phone,
		&rec.AddressLine1, &rec.AddressLine2, &rec.City, &rec.Region, &rec.PostalCode, &rec.Country, &rec.BirthDate, &rec.NationalID}
}

// compactCustomer returns a copy of c whose values share one string of
// their own, so that keeping it does not keep the whole row it was read
// with (its values as read, its findings).
func compactCustomer(c *steward.Customer) *steward.Customer {
	cc := *c
	fields := recordFields(&cc.Record)
	n := 0
	for _, p := range fields {
		n += len(*p)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, p := range fields {
		sb.WriteString(*p)
	}
	all, at := sb.String(), 0
	for _, p := range fields {
		n := len(*p)
		*p, at = all[at:at+n], at+n
	}
	if c.Record.Attributes != nil {
		cc.Record.Attributes = make(map[string]string, len(c.Record.Attributes))
		for k, v := range c.Record.Attributes {
			cc.Record.Attributes[strings.Clone(k)] = strings.Clone(v)
		}
	}
	return &cc
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func uvarintLen(n uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], n)
}

// decoder reads what put appended.
type decoder struct {
	b   string
	bad bool
}

func (d *decoder) uint() uint64 {
	var v uint64
	n := 0
	for shift := 0; n < len(d.b) && shift < 64; shift += 7 {
		c := d.b[n]
		n++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			d.b = d.b[n:]
			return v
		}
	}
	d.bad = true
	d.b = ""
	return 0
}

func (d *decoder) string() string {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.bad = true
		d.b = ""
		return ""
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}
