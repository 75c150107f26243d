package records

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/steward-crm/steward"
)

// Options configure a Reader.
type Options struct {
	// Mapping maps a non-canonical layout onto canonical columns; nil means
	// the header names are canonical columns (others become attributes).
	Mapping *Mapping
	// Delimiter separates fields; 0 detects comma, tab or semicolon from the
	// header line.
	Delimiter rune
	// MaxRowBytes rejects a row longer than this with a *RowError; a row
	// so long that it would have to be held in memory whole (more than
	// MaxRowBytes plus 128 KiB) ends reading. 0 means no limit.
	MaxRowBytes int
	// MaxFields rejects a header with more columns than this; 0 means no
	// limit.
	MaxFields int
	// MaxRowLines ends reading with a *QuoteError at a row that spans more
	// lines than this: a quoted field left open by mistake, which a later
	// stray quote happened to close, swallows the rows between as one
	// field. 0 means no limit. A quoted field that never closes ends
	// reading whatever the limit.
	MaxRowLines int
}

// QuoteError ends reading at a quoted field that runs away: it never
// closes, or it spans more lines than Options.MaxRowLines. The rows after
// Line were not read as rows, so the file cannot be read to its end.
type QuoteError struct {
	// Line is where the field's quote opens; Lines how many lines it runs
	// across.
	Line, Lines int
	// Closed says a later quote closed it.
	Closed bool
}

// Error implements the error interface.
func (e *QuoteError) Error() string {
	if !e.Closed {
		return fmt.Sprintf("line %d: a quoted field opens here and never closes, so the %d lines after it could not be read as rows; close the quote, or double a quote inside a field (\"\")", e.Line, e.Lines-1)
	}
	return fmt.Sprintf("line %d: a quoted field opens here and runs across %d lines before a quote closes it, so the rows inside it could not be read; close the quote where the field ends, or double a quote inside a field (\"\")", e.Line, e.Lines)
}

// ErrInvalidUTF8 is the cause of a RowError for a row that is not valid
// UTF-8.
var ErrInvalidUTF8 = errors.New("invalid UTF-8")

// RowError is a problem with one row. The reader stays usable: the next Read
// continues with the following row.
type RowError struct {
	Row  int // 1 = first data row
	Line int // line in the file where the row starts, 1 = header
	Err  error
}

// Error implements the error interface.
func (e *RowError) Error() string {
	return fmt.Sprintf("line %d (row %d): %v", e.Line, e.Row, e.Err)
}

// Unwrap returns the cause.
func (e *RowError) Unwrap() error { return e.Err }

// Reader reads records from a delimited text file with a header row. It
// streams: memory use does not grow with the file.
type Reader struct {
	csv      *csv.Reader
	src      *rawSource
	cols     *Columns
	raw      []string
	rawText  []byte
	row      int
	line     int
	prevOff  int64
	start    int64 // input offset of the row last read
	maxRow   int
	maxLines int
	err      error
}

const peekSize = 64 << 10

var bom = []byte{0xEF, 0xBB, 0xBF}

// NewReader reads the header row from r and returns a Reader for the rows
// that follow. A header that does not fit the mapping, or that has empty or
// repeated names, is an *steward.Error with code EINVALID.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	br := bufio.NewReaderSize(r, peekSize)
	if b, _ := br.Peek(3); bytes.Equal(b, bom) {
		_, _ = br.Discard(3)
	}
	delim := opts.Delimiter
	sepDelim, sepLine := excelSeparator(peekLine(br))
	switch {
	case delim == 0 && sepLine:
		delim = sepDelim
	case delim == 0:
		delim = detectDelimiter(peekLine(br))
	case !validDelimiter(delim):
		return nil, steward.Errorf(steward.EINVALID, "delimiter %q cannot separate fields", delim)
	}
	src := &rawSource{r: br, max: opts.MaxRowBytes}
	c := csv.NewReader(src)
	c.Comma = delim
	// Leading spaces go (FEBRL writes ", value"), so that a quote after
	// them still opens a quoted field; with a white-space delimiter this
	// would swallow empty fields, and values are trimmed anyway.
	c.TrimLeadingSpace = !unicode.IsSpace(delim)
	c.ReuseRecord = true
	if sepLine {
		// Read as a record of its own, so that the parser counts its
		// line: the header stays line 2, and every row's line is right.
		c.FieldsPerRecord = -1
		if _, err := c.Read(); err != nil {
			return nil, fmt.Errorf("read the sep= line: %w", err)
		}
		c.FieldsPerRecord = 0
	}
	header, err := c.Read()
	if err == io.EOF {
		return nil, steward.Errorf(steward.EINVALID, "the file is empty: it needs a header row")
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, steward.Errorf(steward.EINVALID, "header, line %d: %v", pe.StartLine, pe.Err)
		}
		return nil, fmt.Errorf("read header: %w", err)
	}
	cols, err := NewColumns(header, opts.Mapping, opts.MaxFields)
	if err != nil {
		return nil, err
	}
	c.FieldsPerRecord = len(header)
	rd := &Reader{csv: c, src: src, cols: cols, maxRow: opts.MaxRowBytes, maxLines: opts.MaxRowLines}
	rd.line, _ = c.FieldPos(0) // the header's
	rd.prevOff = c.InputOffset()
	src.consume(rd.prevOff)
	return rd, nil
}

func trimAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// Header returns the header row as written in the file (trimmed).
func (r *Reader) Header() []string { return r.cols.Header() }

// AttributeColumns returns the lower-cased names of the columns kept as
// attributes, in header order.
func (r *Reader) AttributeColumns() []string { return r.cols.AttributeColumns() }

// Row returns the number of the row last read, 1 for the first data row.
func (r *Reader) Row() int { return r.row }

// Line returns the line in the file where the row last read starts, or
// the header's before the first row (line 1, or 2 after a "sep=" line).
func (r *Reader) Line() int { return r.line }

// Raw returns the fields of the row last read as they are in the file,
// before trimming, or nil when the row could not be split into fields. The
// slice is reused by the next Read.
func (r *Reader) Raw() []string { return r.raw }

// Offset returns the byte offset in the input (after a UTF-8 byte order
// mark) where the row last read starts.
func (r *Reader) Offset() int64 { return r.start }

// RawText returns the bytes of the row last read exactly as they are in the
// file, including its line ending, even for a row that could not be parsed.
// The slice is reused by the next Read.
func (r *Reader) RawText() []byte { return r.rawText }

// Read returns the next record, io.EOF after the last one, a *RowError for
// a bad row (reading may go on), or another error that ends the file.
func (r *Reader) Read() (steward.Record, error) {
	if r.err != nil {
		return steward.Record{}, r.err
	}
	fields, err := r.csv.Read()
	if err == io.EOF {
		r.err = io.EOF
		return steward.Record{}, io.EOF
	}
	r.row++
	r.start = r.prevOff
	off := r.csv.InputOffset()
	r.rawText = append(r.rawText[:0], r.src.text(r.prevOff, off)...)
	r.src.consume(off)
	r.prevOff = off
	r.raw = fields
	var pe *csv.ParseError
	if errors.As(err, &pe) || err == nil {
		// A row across many lines, or one whose quote never closed (the
		// parser read to the end of the file), swallowed the rows inside
		// it: the file cannot be read row by row.
		lines := bytes.Count(r.rawText, []byte{'\n'})
		if len(r.rawText) > 0 && r.rawText[len(r.rawText)-1] != '\n' {
			lines++
		}
		start := r.line + 1
		if pe != nil {
			start = pe.StartLine
		} else if l, _ := r.csv.FieldPos(0); l > 0 {
			start = l
		}
		unclosed := pe != nil && errors.Is(pe.Err, csv.ErrQuote) && lines > 1 && off == r.src.end()
		if unclosed || (r.maxLines > 0 && lines > r.maxLines) {
			r.raw = nil
			r.err = &QuoteError{Line: start, Lines: lines, Closed: !unclosed}
			return steward.Record{}, r.err
		}
	}
	if err != nil {
		if pe != nil {
			r.line = pe.StartLine
			cause := pe.Err
			if errors.Is(cause, csv.ErrFieldCount) {
				cause = fmt.Errorf("%w: %d, the header has %d", csv.ErrFieldCount, len(fields), len(r.cols.header))
			} else {
				r.raw = nil // the parser gives no fields for a row it could not split
			}
			return steward.Record{}, &RowError{Row: r.row, Line: r.line, Err: cause}
		}
		r.raw = nil
		r.err = fmt.Errorf("read row %d: %w", r.row, err)
		return steward.Record{}, r.err
	}
	r.line, _ = r.csv.FieldPos(0)
	if r.maxRow > 0 && len(r.rawText) > r.maxRow {
		return steward.Record{}, &RowError{Row: r.row, Line: r.line, Err: fmt.Errorf("%w: %d bytes, the limit is %d", ErrRowTooLong, len(r.rawText), r.maxRow)}
	}
	rec, err := r.cols.Record(fields)
	if err != nil {
		return steward.Record{}, &RowError{Row: r.row, Line: r.line, Err: err}
	}
	return rec, nil
}

// peekLine returns the first line of br without consuming it (at most
// peekSize bytes).
func peekLine(br *bufio.Reader) []byte {
	for n := 512; ; n *= 2 {
		n = min(n, peekSize)
		b, err := br.Peek(n)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return b[:i]
		}
		if err != nil || n == peekSize {
			return b
		}
	}
}

// excelSeparator reads the line Excel writes, and reads, before the
// header of a CSV file to name its delimiter ("sep=;"): the delimiter, and
// whether line is one.
func excelSeparator(line []byte) (rune, bool) {
	line = bytes.TrimRight(line, "\r")
	if len(line) < 5 || !bytes.EqualFold(line[:4], []byte("sep=")) {
		return 0, false
	}
	r, size := utf8.DecodeRune(line[4:])
	if size != len(line)-4 || !validDelimiter(r) {
		return 0, false
	}
	return r, true
}

// detectDelimiter picks the most frequent of comma, tab and semicolon outside
// quotes in the header line; comma when there is none.
func detectDelimiter(line []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range line {
		switch c {
		case '"':
			quoted = !quoted
		case ',', '\t', ';':
			if !quoted {
				counts[c]++
			}
		}
	}
	best := byte(',')
	for _, c := range []byte{'\t', ';'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

func validDelimiter(r rune) bool {
	return r != '"' && r != '\r' && r != '\n' && r != utf8.RuneError && utf8.ValidRune(r)
}

// ErrRowTooLong is the cause of the error for a row longer than
// Options.MaxRowBytes.
var ErrRowTooLong = errors.New("row too long")

// rawSource copies what the CSV parser reads, so that the exact bytes of
// each row can be handed back, and stops a runaway row.
type rawSource struct {
	r    io.Reader
	max  int
	buf  []byte
	base int64 // input offset of buf[0]
}

// Read reads from the source, keeps a copy, and stops a row that outgrows
// the limit.
func (s *rawSource) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.buf = append(s.buf, p[:n]...)
	if s.max > 0 && len(s.buf) > s.max+2*peekSize {
		return n, fmt.Errorf("%w: longer than %d bytes", ErrRowTooLong, s.max)
	}
	return n, err
}

// text returns the input between offsets from and to.
func (s *rawSource) text(from, to int64) []byte {
	lo, hi := from-s.base, to-s.base
	if lo < 0 || hi > int64(len(s.buf)) || lo > hi {
		return nil
	}
	return s.buf[lo:hi]
}

// end returns the offset of the end of the input read so far.
func (s *rawSource) end() int64 { return s.base + int64(len(s.buf)) }

// consume forgets the input before offset off.
func (s *rawSource) consume(off int64) {
	k := off - s.base
	if k <= 0 || k > int64(len(s.buf)) {
		return
	}
	s.buf = s.buf[:copy(s.buf, s.buf[k:])]
	s.base = off
}

// ParseDelimiter reads a delimiter as a command line or setting gives it:
// "auto" or "" (detect: 0), "comma", "tab", "semicolon", "pipe", or the
// character itself (`\t` for tab).
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return 0, nil
	case "comma":
		return ',', nil
	case "tab", `\t`:
		return '\t', nil
	case "semicolon":
		return ';', nil
	case "pipe":
		return '|', nil
	}
	if r, size := utf8.DecodeRuneInString(s); size == len(s) && validDelimiter(r) && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return r, nil
	}
	return 0, steward.Errorf(steward.EINVALID, "unknown delimiter %q: want auto, comma, tab, semicolon, pipe or one character", s)
}

// ReadAll reads every record that is left, stopping at the first error
// (a bad row included).
func ReadAll(rd *Reader) ([]steward.Record, error) {
	var out []steward.Record
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
}
