package records

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/steward-crm/steward"
	"github.com/xuri/excelize/v2"
)

// Format is the layout of an input file.
type Format string

// Formats ReadFile reads.
const (
	FormatCSV   Format = "csv"   // delimited text: comma, semicolon or tab, detected
	FormatTSV   Format = "tsv"   // tab-separated text
	FormatJSONL Format = "jsonl" // JSON Lines: one object per line
	FormatXLSX  Format = "xlsx"  // Excel workbook
)

// ParseFormat returns the format a user named: csv, tsv, jsonl (ndjson) or
// xlsx; "" means detect.
func ParseFormat(name string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "":
		return "", nil
	case "csv", "txt":
		return FormatCSV, nil
	case "tsv", "tab":
		return FormatTSV, nil
	case "jsonl", "ndjson", "json":
		return FormatJSONL, nil
	case "xlsx":
		return FormatXLSX, nil
	}
	return "", steward.Errorf(steward.EINVALID, "unknown format %q: want csv, tsv, jsonl or xlsx", name)
}

// detectFormat picks the format from the file name's extension, then from
// the first bytes: a zip archive is a workbook, a "{" starts JSON Lines,
// anything else is delimited text.
func detectFormat(name string, head []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		return FormatCSV
	case ".tsv", ".tab":
		return FormatTSV
	case ".jsonl", ".ndjson":
		return FormatJSONL
	case ".xlsx", ".xlsm":
		return FormatXLSX
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return FormatXLSX
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(head, bomUTF8), " \t\r\n")
	if len(t) > 0 && t[0] == '{' {
		return FormatJSONL
	}
	return FormatCSV
}

// Limits bound what ReadFile reads, so that a huge or hostile file fails
// clearly instead of exhausting memory. Zero means no limit.
type Limits struct {
	// MaxFileBytes bounds the size of the file as stored (and the
	// uncompressed size of a workbook).
	MaxFileBytes int64
	// MaxRowBytes bounds one row; a longer row is rejected.
	MaxRowBytes int
	// MaxFields bounds the number of columns of the header.
	MaxFields int
	// MaxRowLines bounds the lines one row of delimited text may span (a
	// quoted field with line breaks); a row across more ends reading (see
	// QuoteError), as does a quoted field that never closes.
	MaxRowLines int
	// MaxUnpackRatio bounds what a workbook may unpack to, as a multiple
	// of its size (and never more than MaxFileBytes); 0 is the default.
	MaxUnpackRatio int
}

// DefaultLimits are the limits of the embedded rules file's gate section.
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 2 << 30, MaxRowBytes: 64 << 10, MaxFields: 256, MaxRowLines: 100, MaxUnpackRatio: 100}
}

// Row is one data row of a file as read: where it is, its fields as
// read, the record they map to, and the problems met reading it.
type Row struct {
	// Num counts the data rows from 1.
	Num int
	// Line is the line (or sheet row) where the row starts; the header
	// is line 1.
	Line int
	// Raw holds the fields as read, nil when the row could not be split
	// into fields; Text then holds its bytes.
	Raw  []string
	Text string
	// Record is Raw mapped onto canonical columns.
	Record steward.Record
	// Findings are the problems met reading the row (CodeMalformedRow,
	// CodeRowTooLong); a row with one has no Record.
	Findings []steward.Finding
}

// File describes an input file read to its end.
type File struct {
	// Header is the file's columns as read (JSON Lines: the keys, in the
	// order they first appear).
	Header   []string
	Format   Format
	Encoding Encoding
	// EncodingReason says why the encoding was chosen: "named", "valid
	// UTF-8", the votes of the words of a legacy code page …
	EncodingReason string
	// Samples are a few values with non-ASCII letters as decoded, so that
	// a person can catch a wrong guess of the encoding before importing.
	Samples []string
	// Inference says how the columns were matched when FileOptions.Infer
	// inferred them; nil otherwise.
	Inference *Inference
}

// maxSamples is how many decoded values File.Samples keeps.
const maxSamples = 5

// sample keeps a row's first values with non-ASCII letters while fewer
// than maxSamples are kept.
func (f *File) sample(raw []string) {
	for _, v := range raw {
		if len(f.Samples) >= maxSamples {
			return
		}
		if v = strings.TrimSpace(v); !isASCII([]byte(v)) && utf8.ValidString(v) && !slices.Contains(f.Samples, v) {
			f.Samples = append(f.Samples, v)
		}
	}
}

// Codes of the findings of rows that could not be read.
const (
	CodeMalformedRow = "malformed_row" // the row could not be split into fields
	CodeRowTooLong   = "row_too_long"  // the row is longer than Limits.MaxRowBytes
	// CodeInvalidEncoding is a row of a UTF-8 file with bytes that are not
	// UTF-8.
	CodeInvalidEncoding = "invalid_encoding"
)

// tooManyInvalid reports whether invalid rows of a file detected as UTF-8
// are too many for a UTF-8 file with a few damaged bytes: more than ten
// and more than one in a hundred rows. Its encoding is then another.
func tooManyInvalid(invalid, rows int) bool { return invalid > max(10, rows/100) }

// FileOptions say how to read an input file.
type FileOptions struct {
	// Name is the file's name, for format detection and messages.
	Name string
	// Format is the file's layout; "" detects it from Name and content.
	Format Format
	// Delimiter separates the fields of a CSV file; 0 detects comma, tab
	// or semicolon from the header (TSV is always tab).
	Delimiter rune
	// Encoding is the text encoding; "" detects it (see DetectEncoding).
	Encoding Encoding
	// Sheet is the worksheet of an XLSX file; "" is the first.
	Sheet string
	// Mapping maps the file's columns onto canonical ones; nil means the
	// header uses canonical names.
	Mapping *Mapping
	// Infer, when not nil and Mapping is nil, matches a header that is not
	// all canonical names to canonical columns by the names and by the
	// values of the first InferRows rows (see Infer), and reads the file
	// with the mapping that makes; File.Inference says how. Those rows
	// are held back until then.
	Infer *InferOptions
	// Limits bound the input; the zero value means no limits.
	Limits Limits
	// Header, when not nil, is called once before the first row with the
	// file's columns as read and the names of those kept as attributes
	// (lower case), for a writer that needs them before the rows.
	Header func(header, attributes []string)
	// Require, when not nil, is called once the columns of a CSV, TSV or
	// XLSX file are bound, before its first row is passed on; an error
	// stops the reading, and ReadFile returns it. (JSON Lines has no
	// columns: each line names its own fields.)
	Require func(*Columns) error
}

// table is a file being read.
type table struct {
	File
	each func(*Row)
	// cols map rows onto records; nil while rows are held back for
	// inference (held), which bind ends.
	cols *Columns
	held []*Row
	opts *FileOptions
	// rebind, when not nil, hands the columns bind made to the reader
	// that maps rows itself (delimited text).
	rebind func(*Columns)
	rows   int // data rows read so far
	// invalid counts the rows rejected for bytes that are not UTF-8, and
	// firstInvalid is the line of the first.
	invalid, firstInvalid int
}

// invalidRow rejects r, a row of a UTF-8 file with bytes that are not
// UTF-8 (the first at byte offset off), naming where.
func (t *table) invalidRow(r *Row, off int64) {
	if t.invalid == 0 {
		t.firstInvalid = r.Line
	}
	t.invalid++
	r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Code: CodeInvalidEncoding, Message: fmt.Sprintf(
		"Line %d has bytes that are not UTF-8, the first at byte offset %d of the file (counting from 0); the rest of the file is UTF-8. Fix the value, or import this row from a clean copy.", r.Line, off)})
}

// invalidEnd is the error that ends a file read as UTF-8 whose rows were
// too often not UTF-8, nil otherwise.
func (t *table) invalidEnd() error {
	if !tooManyInvalid(t.invalid, t.rows) {
		return nil
	}
	return structuralError(t.firstInvalid, "%d of %d rows are not valid UTF-8, the first at this line: the file is in another encoding; name it (for example --encoding windows-1256)", t.invalid, t.rows)
}

// invalidAt returns the index of the first byte of b that is not UTF-8.
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return 0
}

func (t *table) add(r *Row) {
	t.rows++
	if t.cols == nil {
		t.held = append(t.held, r)
		return
	}
	t.each(r)
}

// start binds header to the mapping, or, when the file's columns are to
// be inferred, checks it and holds the rows back until bind.
func (t *table) start(header []string) error {
	inferring := t.opts.Infer != nil && t.opts.Mapping == nil && (t.opts.Infer.Always || NeedsInference(header))
	cols, err := NewColumns(header, t.opts.Mapping, t.opts.Limits.MaxFields)
	if err != nil {
		return err
	}
	t.Header = cols.Header()
	if inferring {
		return nil
	}
	return t.bound(cols)
}

// bound makes cols the file's columns and tells the caller.
func (t *table) bound(cols *Columns) error {
	if t.opts.Require != nil {
		if err := t.opts.Require(cols); err != nil {
			return err
		}
	}
	t.cols = cols
	if t.rebind != nil {
		t.rebind(cols)
	}
	if t.opts.Header != nil {
		t.opts.Header(t.Header, cols.AttributeColumns())
	}
	return nil
}

// record maps r's fields with the file's columns, or leaves it to bind
// while rows are held; what says what a row is called in a message.
func (t *table) record(r *Row, what string) {
	if t.cols == nil {
		return
	}
	rec, err := t.cols.Record(r.Raw)
	if err != nil {
		r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Code: CodeMalformedRow, Message: fmt.Sprintf("%s %d could not be read: %v.", what, r.Line, err)})
	}
	r.Record = rec
}

// bindDue reports whether enough rows are held back to infer the columns.
func (t *table) bindDue() bool { return t.cols == nil && len(t.held) >= InferRows }

// bind infers the columns from the header and the rows held back, maps
// those rows and passes them on; what names a row in messages. It does
// nothing when the columns are bound.
func (t *table) bind(what string) error {
	if t.cols != nil {
		return nil
	}
	var sample [][]string
	for _, r := range t.held {
		if len(r.Findings) == 0 && r.Raw != nil {
			sample = append(sample, r.Raw)
		}
	}
	inf := Infer(t.Header, sample, *t.opts.Infer)
	cols, err := NewColumns(t.Header, inf.Mapping(), t.opts.Limits.MaxFields)
	if err != nil {
		return fmt.Errorf("inferred mapping: %w", err)
	}
	t.Inference = inf
	if err := t.bound(cols); err != nil {
		return err
	}
	held := t.held
	t.held = nil
	for _, r := range held {
		if len(r.Findings) == 0 && r.Raw != nil {
			t.record(r, what)
		}
		t.each(r)
	}
	return nil
}

// structuralError is a problem that makes the whole file unreadable: the
// import stops and changes nothing.
func structuralError(line int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	return steward.Errorf(steward.EINVALID, "%s; nothing was imported", msg)
}

// limitedReader fails once more than max bytes were read.
type limitedReader struct {
	r   io.Reader
	max int64
	n   int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.max > 0 && l.n > l.max {
		return n, steward.Errorf(steward.EINVALID, "the file is larger than the limit of %d bytes; nothing was imported", l.max)
	}
	return n, err
}

// ReadFile reads a whole input file, CSV or TSV (delimiter detected), JSON
// Lines or an XLSX workbook, in UTF-8, UTF-16, Windows-1256 or
// Windows-1252 (detected unless named), and passes each data row to each,
// in order, as it is read. A row that cannot be read (a broken quote, a
// malformed JSON line, a row over the limit) comes with a finding; a file
// that cannot be read to its end (a bad encoding, a damaged workbook, a
// file over the limits) is an EINVALID *steward.Error naming the line.
func ReadFile(r io.Reader, opts FileOptions, each func(*Row)) (*File, error) {
	t, err := readTable(r, &opts, each)
	if err != nil {
		return nil, err
	}
	return &t.File, nil
}

func readTable(r io.Reader, opts *FileOptions, each func(*Row)) (*table, error) {
	lr := &limitedReader{r: r, max: opts.Limits.MaxFileBytes}
	br := bufio.NewReaderSize(lr, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		var se *steward.Error
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, fmt.Errorf("read input: %w", err)
	}
	format := opts.Format
	if format == "" {
		format = detectFormat(opts.Name, head)
	}
	if format == FormatXLSX {
		return readXLSX(br, opts, each)
	}
	if what, off, ok := binary(head); ok && opts.Encoding != UTF16LE && opts.Encoding != UTF16BE {
		return nil, steward.Errorf(steward.EINVALID, "the file is %s, not %s text: %s; nothing was imported", what, format, binaryHint(what, off))
	}
	text, enc, why, err := decode(br, opts.Encoding)
	if err != nil {
		return nil, err
	}
	var bom int64
	if enc == UTF8 && bytes.HasPrefix(head, bomUTF8) {
		bom = int64(len(bomUTF8))
	}
	var t *table
	switch format {
	case FormatCSV, FormatTSV:
		t, err = readDelimited(text, format, opts, bom, each)
	case FormatJSONL:
		t, err = readJSONL(text, opts, bom, each)
	default:
		return nil, steward.Errorf(steward.EINVALID, "unknown format %q", format)
	}
	if err != nil {
		return nil, err
	}
	t.Format, t.Encoding, t.EncodingReason = format, enc, why
	return t, nil
}

// readErr turns an error that ended reading into a structural error.
func readErr(line int, err error) error {
	var se *steward.Error
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, errTruncatedUTF16) || errors.Is(err, ErrRowTooLong) {
		return structuralError(line, "%v", err)
	}
	var qe *QuoteError
	if errors.As(err, &qe) {
		return structuralError(0, "%v", err)
	}
	return fmt.Errorf("read input: %w", err)
}

func readDelimited(text io.Reader, format Format, opts *FileOptions, bom int64, each func(*Row)) (*table, error) {
	ro := Options{Mapping: opts.Mapping, MaxRowBytes: opts.Limits.MaxRowBytes, MaxFields: opts.Limits.MaxFields, MaxRowLines: opts.Limits.MaxRowLines, Delimiter: opts.Delimiter}
	if format == FormatTSV {
		ro.Delimiter = '\t'
	}
	rd, err := NewReader(text, ro)
	if err != nil {
		return nil, readErr(1, err)
	}
	t := &table{each: each, opts: opts, rebind: func(c *Columns) { rd.cols = c }}
	if err := t.start(slices.Clone(rd.Header())); err != nil {
		return nil, readErr(1, err)
	}
	next := rd.Line() + 1 // line where the next row starts
	for {
		if t.bindDue() {
			if err := t.bind("Line"); err != nil {
				return nil, err
			}
		}
		rec, err := rd.Read()
		var re *RowError
		if err == nil || errors.As(err, &re) {
			next = rd.Line() + bytes.Count(rd.RawText(), []byte{'\n'})
		}
		if err == io.EOF {
			if err := t.bind("Line"); err != nil {
				return nil, err
			}
			return t, t.invalidEnd()
		}
		switch {
		case re != nil:
			r := &Row{Num: re.Row, Line: re.Line, Raw: slices.Clone(rd.Raw()), Text: string(rd.RawText())}
			if errors.Is(err, ErrInvalidUTF8) {
				t.invalidRow(r, bom+rd.Offset()+int64(invalidAt(rd.RawText())))
			} else if errors.Is(err, ErrRowTooLong) {
				r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Code: CodeRowTooLong, Message: fmt.Sprintf("Line %d is too long: %v.", re.Line, re.Err)})
			} else {
				r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Code: CodeMalformedRow,
					Message: fmt.Sprintf("Line %d could not be read (%v): %s", re.Line, re.Err, excerpt(strings.TrimRight(r.Text, "\r\n")))})
			}
			t.add(r)
		case err != nil:
			return nil, readErr(next, err)
		default:
			r := &Row{Num: rd.Row(), Line: rd.Line(), Raw: slices.Clone(rd.Raw()), Record: rec}
			if err := checkReplacement(r); err != nil {
				return nil, err
			}
			t.sample(r.Raw)
			t.add(r)
		}
	}
}

// checkReplacement refuses a row with U+FFFD, which the UTF-16 decoder puts
// where the input was not UTF-16 (a lone surrogate).
func checkReplacement(r *Row) error {
	for _, f := range r.Raw {
		if strings.ContainsRune(f, utf8.RuneError) {
			return structuralError(r.Line, "the text has a character that could not be decoded (U+FFFD); the file is damaged or in another encoding")
		}
	}
	return nil
}

// excerpt shortens s for a message.
func excerpt(s string) string {
	const max = 120
	if utf8.RuneCountInString(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	rs := []rune(s)
	return fmt.Sprintf("%q…", string(rs[:max]))
}

// jsonRow is one parsed JSON Lines object: its keys in order and values.
type jsonRow struct {
	keys, vals []string
}

func readJSONL(text io.Reader, opts *FileOptions, bom int64, each func(*Row)) (*table, error) {
	br := bufio.NewReaderSize(text, 64<<10)
	var parsed []jsonRow
	var pending []*Row
	var header []string
	index := make(map[string]int)
	t := &table{each: each}
	line := 0
	off := bom // where the line read starts in the file
	for {
		b, err := readLine(br, opts.Limits.MaxRowBytes)
		if err == io.EOF {
			break
		}
		line++
		start := off
		off += int64(len(b))
		if errors.Is(err, ErrRowTooLong) {
			r := &Row{Line: line, Text: excerpt(string(b))}
			r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Code: CodeRowTooLong, Message: fmt.Sprintf("Line %d is longer than the limit of %d bytes.", line, opts.Limits.MaxRowBytes)})
			pending = append(pending, r)
			parsed = append(parsed, jsonRow{})
			continue
		}
		if err != nil {
			return nil, readErr(line, err)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if !utf8.Valid(b) {
			r := &Row{Line: line, Text: string(bytes.ToValidUTF8(bytes.TrimRight(b, "\r\n"), []byte("\uFFFD")))}
			t.invalidRow(r, start+int64(invalidAt(b)))
			pending = append(pending, r)
			parsed = append(parsed, jsonRow{})
			continue
		}
		r := &Row{Line: line}
		jr, perr := parseJSONObject(b)
		if perr != nil {
			r.Text = string(bytes.TrimRight(b, "\r\n"))
			r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Code: CodeMalformedRow,
				Message: fmt.Sprintf("Line %d is not a JSON object with text values (%v): %s", line, perr, excerpt(r.Text))})
		}
		for _, k := range jr.keys {
			if _, ok := index[k]; !ok {
				index[k] = len(header)
				header = append(header, k)
			}
		}
		pending = append(pending, r)
		parsed = append(parsed, jr)
	}
	if len(header) == 0 {
		return nil, steward.Errorf(steward.EINVALID, "the file has no JSON objects with fields; nothing was imported")
	}
	t.opts = opts
	if err := t.start(header); err != nil {
		return nil, err
	}
	for i, r := range pending {
		r.Num = i + 1
		if len(r.Findings) == 0 {
			r.Raw = make([]string, len(header))
			for j, k := range parsed[i].keys {
				r.Raw[index[k]] = parsed[i].vals[j]
			}
			t.record(r, "Line")
			t.sample(r.Raw)
		}
		t.add(r)
		if t.bindDue() {
			if err := t.bind("Line"); err != nil {
				return nil, err
			}
		}
	}
	if err := t.bind("Line"); err != nil {
		return nil, err
	}
	return t, t.invalidEnd()
}

// readLine reads one line (with its ending). A line longer than max (when
// max > 0) is skipped to its end and returned cut, with ErrRowTooLong.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var out []byte
	tooLong := false
	for {
		b, err := br.ReadSlice('\n')
		if !tooLong {
			out = append(out, b...)
			if max > 0 && len(out) > max {
				out, tooLong = out[:min(len(out), 200)], true
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(out) > 0:
			err = nil
		}
		if tooLong && err == nil {
			return out, ErrRowTooLong
		}
		return out, err
	}
}

// parseJSONObject reads one JSON object whose values are strings, numbers,
// booleans or null, keeping the keys' order.
func parseJSONObject(b []byte) (jsonRow, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var jr jsonRow
	tok, err := dec.Token()
	if err != nil {
		return jr, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return jr, errors.New("not an object")
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonRow{}, err
		}
		key := tok.(string)
		if seen[key] {
			return jsonRow{}, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		tok, err = dec.Token()
		if err != nil {
			return jsonRow{}, err
		}
		var v string
		switch x := tok.(type) {
		case string:
			v = x
		case json.Number:
			v = x.String()
		case bool:
			v = fmt.Sprint(x)
		case nil:
		default:
			return jsonRow{}, fmt.Errorf("field %q holds a list or an object", key)
		}
		jr.keys = append(jr.keys, key)
		jr.vals = append(jr.vals, v)
	}
	if _, err := dec.Token(); err != nil {
		return jsonRow{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return jsonRow{}, errors.New("text after the object")
	}
	return jr, nil
}

// xlsxTempPrefix starts the name of the temporary directory of a
// workbook's unpacked sheets; the process id follows.
const xlsxTempPrefix = "steward-xlsx-"

// removeOrphanDirs removes the temporary directories, named prefix + PID
// + "-…", of processes that are gone.
func removeOrphanDirs(prefix string) {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	for _, dir := range old {
		pid, _, ok := strings.Cut(strings.TrimPrefix(filepath.Base(dir), prefix), "-")
		if n, err := strconv.Atoi(pid); ok && err == nil && n != os.Getpid() && ProcessGone(n) {
			os.RemoveAll(dir)
		}
	}
}

// xlsxXMLLimit bounds the memory one worksheet or the shared strings may
// take when unzipped; larger parts are extracted to a temporary file.
const xlsxXMLLimit = 16 << 20

func readXLSX(br *bufio.Reader, opts *FileOptions, each func(*Row)) (*table, error) {
	data, err := io.ReadAll(br)
	if err != nil {
		return nil, readErr(0, err)
	}
	unzipLimit := opts.Limits.MaxFileBytes
	if unzipLimit <= 0 {
		unzipLimit = DefaultLimits().MaxFileBytes
	}
	ratio := opts.Limits.MaxUnpackRatio
	if ratio <= 0 {
		ratio = DefaultLimits().MaxUnpackRatio
	}
	// A workbook is a zip archive: what it unpacks to is known from its
	// directory before anything is unpacked, so a bomb is refused at once.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, steward.Errorf(steward.EINVALID, "the file is not a complete XLSX workbook (%v); nothing was imported", err)
	}
	var unpacked uint64
	for _, zf := range zr.File {
		unpacked += zf.UncompressedSize64
	}
	if byRatio := int64(len(data)) * int64(ratio); unpacked > uint64(min(unzipLimit, max(byRatio, 1<<20))) {
		return nil, steward.Errorf(steward.EINVALID, "the workbook is %d bytes and unpacks to %d, more than %d times its size or the limit of %d bytes (gate.limits.max_unpack_ratio, max_file_bytes): it looks like a decompression bomb; nothing was imported",
			len(data), unpacked, ratio, unzipLimit)
	}
	// Sheets too large to unpack in memory go to temporary files in a
	// directory of this process's own, removed when it is done, and by
	// the next import if the process is killed first.
	removeOrphanDirs(xlsxTempPrefix)
	tmp, err := os.MkdirTemp("", xlsxTempPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    unzipLimit,
		UnzipXMLSizeLimit: min(unzipLimit, xlsxXMLLimit),
		TmpDir:            tmp,
	})
	if err != nil {
		if errors.Is(err, excelize.ErrOptionsUnzipSizeLimit) || strings.Contains(err.Error(), "unzip size") {
			return nil, steward.Errorf(steward.EINVALID, "the workbook unpacks to more than the limit of %d bytes; nothing was imported", unzipLimit)
		}
		return nil, steward.Errorf(steward.EINVALID, "the file is not a complete XLSX workbook (%v); nothing was imported", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	sheet := opts.Sheet
	switch {
	case len(sheets) == 0:
		return nil, steward.Errorf(steward.EINVALID, "the workbook has no sheets; nothing was imported")
	case sheet == "":
		sheet = sheets[0]
	case !slices.Contains(sheets, sheet):
		return nil, steward.Errorf(steward.ENOTFOUND, "the workbook has no sheet %q (it has %s)", sheet, strings.Join(sheets, ", "))
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, steward.Errorf(steward.EINVALID, "sheet %q cannot be read (%v); nothing was imported", sheet, err)
	}
	defer rows.Close()
	started := false
	t := &table{File: File{Format: FormatXLSX, Encoding: UTF8}, each: each, opts: opts}
	sheetRow := 0
	for rows.Next() {
		sheetRow++
		vals, err := rows.Columns()
		if err != nil {
			return nil, structuralError(sheetRow, "sheet %q: %v", sheet, err)
		}
		if !started {
			if allEmpty(vals) {
				continue
			}
			if err := t.start(vals); err != nil {
				return nil, err
			}
			started = true
			continue
		}
		if allEmpty(vals) {
			continue
		}
		r := &Row{Num: t.rows + 1, Line: sheetRow, Raw: vals}
		size := 0
		for _, v := range vals {
			size += len(v)
		}
		if max := opts.Limits.MaxRowBytes; max > 0 && size > max {
			r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Code: CodeRowTooLong, Message: fmt.Sprintf("Row %d is %d bytes long, more than the limit of %d.", sheetRow, size, max)})
		} else if len(vals) > len(t.Header) && !allEmpty(vals[len(t.Header):]) {
			r.Findings = append(r.Findings, steward.Finding{Severity: steward.SeverityError, Code: CodeMalformedRow, Message: fmt.Sprintf("Row %d has values in %d columns, the header has %d.", sheetRow, len(vals), len(t.Header))})
		} else {
			if len(vals) > len(t.Header) {
				r.Raw = vals[:len(t.Header)]
			}
			t.record(r, "Row")
		}
		t.add(r)
		if t.bindDue() {
			if err := t.bind("Row"); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Error(); err != nil {
		return nil, structuralError(sheetRow, "sheet %q: %v", sheet, err)
	}
	if !started {
		return nil, steward.Errorf(steward.EINVALID, "sheet %q is empty: it needs a header row; nothing was imported", sheet)
	}
	if err := t.bind("Row"); err != nil {
		return nil, err
	}
	return t, nil
}

func allEmpty(vals []string) bool {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// magics are the first bytes of binary files people mistake for exports.
var magics = []struct {
	prefix, what string
}{
	{"%PDF-", "a PDF document"},
	{"\x89PNG", "a PNG image"},
	{"\xff\xd8\xff", "a JPEG image"},
	{"\x1f\x8b", "gzip-compressed"},
	{"PK\x03\x04", "a zip archive"},
	{"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Office file"},
	{"SQLite format 3\x00", "an SQLite database"},
	{"7z\xbc\xaf", "a 7-Zip archive"},
}

// binary reports whether head is the start of a binary file rather than
// text: a known file signature, or more control bytes than text has (NUL
// and the other C0 controls but tab, line feed, form feed and carriage
// return: over 16, and over one byte in twenty) in text that is not
// UTF-16 (which has a NUL in every other byte). A stray NUL in a few
// values is not that: those rows are rejected one by one. It returns what
// the file looks like and where the first control byte is.
func binary(head []byte) (what string, off int, ok bool) {
	for _, m := range magics {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return m.what, 0, true
		}
	}
	if bytes.HasPrefix(head, bomUTF16LE) || bytes.HasPrefix(head, bomUTF16BE) {
		return "", 0, false
	}
	if _, utf16 := utf16WithoutBOM(head); utf16 {
		return "", 0, false
	}
	sample := head[:min(len(head), 64<<10)]
	first, controls := -1, 0
	for i, c := range sample {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r' {
			if first < 0 {
				first = i
			}
			controls++
		}
	}
	if controls > max(16, len(sample)/20) {
		return "binary", first, true
	}
	return "", 0, false
}

// binaryHint says what to do with a binary file of the kind what, whose
// binary part shows at byte offset off.
func binaryHint(what string, off int) string {
	switch what {
	case "gzip-compressed", "a zip archive", "a 7-Zip archive":
		return "unpack it first"
	case "an old Excel (.xls) or Office file":
		return "save it as .xlsx or CSV first"
	case "binary":
		return fmt.Sprintf("its control bytes start at byte offset %d; export the customers as CSV, JSON Lines or XLSX", off)
	}
	return "export the customers as CSV, JSON Lines or XLSX"
}
