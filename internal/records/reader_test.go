package records

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

func readAll(t *testing.T, r *Reader) []steward.Record {
	t.Helper()
	var out []steward.Record
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("row %d: %v", r.Row(), err)
		}
		out = append(out, rec)
	}
}

func mustMapping(t *testing.T, path string) *Mapping {
	t.Helper()
	m, err := LoadMapping(path)
	if err != nil {
		t.Fatalf("load mapping: %v", err)
	}
	return m
}

func TestReadCanonical(t *testing.T) {
	tests := []struct {
		name  string
		input string
		opts  Options
		want  []steward.Record
		attrs []string
	}{
		{
			name:  "comma, mixed-case header, attribute, trimmed values",
			input: " ID ,First_Name,EMAIL,Loyalty Tier\n1,  Ann , ann@example.com ,gold\n",
			want: []steward.Record{{SourceID: "1", FirstName: "Ann", Email: "ann@example.com",
				Attributes: map[string]string{"loyalty tier": "gold"}}},
			attrs: []string{"loyalty tier"},
		},
		{
			name:  "byte order mark and tabs",
			input: "\xEF\xBB\xBFid\tlast_name\tcity\r\n7\tSmith, Jr\tPerth\r\n",
			want:  []steward.Record{{SourceID: "7", LastName: "Smith, Jr", City: "Perth"}},
		},
		{
			name:  "tabs with empty and blank fields",
			input: "id\tfirst_name\tlast_name\n1\t\tSmith\n2\t \t Jones \n",
			want:  []steward.Record{{SourceID: "1", LastName: "Smith"}, {SourceID: "2", LastName: "Jones"}},
		},
		{
			name:  "comma with empty and blank fields",
			input: "id,first_name,last_name\n1,,Smith\n2, , \"Jones\"\n",
			want:  []steward.Record{{SourceID: "1", LastName: "Smith"}, {SourceID: "2", LastName: "Jones"}},
		},
		{
			name:  "semicolon detected",
			input: "id;company\n3;Acme, Inc.\n",
			want:  []steward.Record{{SourceID: "3", Company: "Acme, Inc."}},
		},
		{
			name:  "named delimiter wins over detection",
			input: "id|email,phone\n1|a@b.co,x\n",
			opts:  Options{Delimiter: '|'},
			want:  []steward.Record{{SourceID: "1", Attributes: map[string]string{"email,phone": "a@b.co,x"}}},
			attrs: []string{"email,phone"},
		},
		{
			name:  "quoted fields, quoted newline, empty values are missing",
			input: "id,address_line1,note\n1,\"12 Main St\nUnit 4\",\n\n2, \"a, \"\"b\"\"\",x\n",
			want: []steward.Record{
				{SourceID: "1", AddressLine1: "12 Main St\nUnit 4"},
				{SourceID: "2", AddressLine1: `a, "b"`, Attributes: map[string]string{"note": "x"}},
			},
			attrs: []string{"note"},
		},
		{
			name:  "persian values",
			input: "first_name,last_name\nمحمد,رضایی\u200c\n",
			want:  []steward.Record{{FirstName: "محمد", LastName: "رضایی\u200c"}},
		},
		{
			name:  "header only",
			input: "id,email\n",
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.input), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, r)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("records\n got %#v\nwant %#v", got, tt.want)
			}
			if !reflect.DeepEqual(r.AttributeColumns(), tt.attrs) {
				t.Errorf("attribute columns = %q, want %q", r.AttributeColumns(), tt.attrs)
			}
		})
	}
}

func TestHeaderErrors(t *testing.T) {
	tests := []struct {
		name, input string
		opts        Options
		want        string
	}{
		{"empty file", "", Options{}, "empty"},
		{"empty column name", "id,,email\n", Options{}, "column 2 has no name"},
		{"repeated column", "id,Email,email \n", Options{}, `"email" appears twice (columns 2 and 3)`},
		{"too many fields", "a,b,c\n", Options{MaxFields: 2}, "3 columns, more than the limit of 2"},
		{"broken quote in header", "id,\"email\n", Options{}, "header, line 1"},
		{"bad delimiter", "id\n", Options{Delimiter: '"'}, "cannot separate fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.input), tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if steward.ErrorCode(err) != steward.EINVALID {
				t.Errorf("code = %s, want invalid", steward.ErrorCode(err))
			}
			if !strings.Contains(steward.ErrorMessage(err), tt.want) {
				t.Errorf("error %q does not contain %q", steward.ErrorMessage(err), tt.want)
			}
		})
	}
}

func TestRowErrorsAreRecoverable(t *testing.T) {
	input := "id,first_name\n" + // line 1
		"1,Ann\n" + // line 2, row 1
		"2,Bob,extra\n" + // line 3, row 2: too many fields
		"3,\"Cy\n" + // line 4, row 3: quoted field spanning lines
		"Dee\"\n" + // line 5
		"4,E\"d\n" + // line 6, row 4: bare quote
		"5,\xff\xfe\n" + // line 7, row 5: invalid UTF-8
		"6,Fay\n" // line 8, row 6
	r, err := NewReader(strings.NewReader(input), Options{})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		id        string
		row, line int
		errSub    string
		raw       []string
		rawText   string
	}
	want := []result{
		{id: "1", row: 1, line: 2, raw: []string{"1", "Ann"}, rawText: "1,Ann\n"},
		{row: 2, line: 3, errSub: "wrong number of fields: 3, the header has 2", raw: []string{"2", "Bob", "extra"}, rawText: "2,Bob,extra\n"},
		{id: "3", row: 3, line: 4, raw: []string{"3", "Cy\nDee"}, rawText: "3,\"Cy\nDee\"\n"},
		{row: 4, line: 6, errSub: "bare \"", rawText: "4,E\"d\n"},
		{row: 5, line: 7, errSub: "invalid UTF-8", raw: []string{"5", "\xff\xfe"}, rawText: "5,\xff\xfe\n"},
		{id: "6", row: 6, line: 8, raw: []string{"6", "Fay"}, rawText: "6,Fay\n"},
	}
	for _, w := range want {
		rec, err := r.Read()
		got := result{id: rec.SourceID, row: r.Row(), line: r.Line(), rawText: string(r.RawText())}
		if r.Raw() != nil {
			got.raw = append([]string(nil), r.Raw()...)
		}
		if w.errSub != "" {
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("row %d: error %v, want a *RowError", w.row, err)
			}
			if !strings.Contains(err.Error(), w.errSub) || re.Line != w.line || re.Row != w.row {
				t.Errorf("row %d: error %q (line %d row %d), want it to contain %q at line %d", w.row, err, re.Line, re.Row, w.errSub, w.line)
			}
			got.errSub = w.errSub
		} else if err != nil {
			t.Fatalf("row %d: %v", w.row, err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("got  %+v\nwant %+v", got, w)
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("after the last row: %v, want io.EOF", err)
	}

	r, err = NewReader(strings.NewReader("id,first_name\n1\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(); !errors.Is(err, csv.ErrFieldCount) {
		t.Errorf("short row: %v, want csv.ErrFieldCount in the chain", err)
	}
}

func TestMaxRowBytes(t *testing.T) {
	long := strings.Repeat("x", 100)
	input := "id,first_name\n1,Ann\n2," + long + "\n3,Cy\n"
	r, err := NewReader(strings.NewReader(input), Options{MaxRowBytes: 50})
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := r.Read(); err != nil || rec.SourceID != "1" {
		t.Fatalf("row 1: %v %v", rec, err)
	}
	_, err = r.Read()
	if !errors.Is(err, ErrRowTooLong) {
		t.Fatalf("row 2: %v, want ErrRowTooLong", err)
	}
	if rec, err := r.Read(); err != nil || rec.SourceID != "3" {
		t.Fatalf("row 3: %v %v", rec, err)
	}

	// A row that never ends (an open quote) must not be buffered whole.
	runaway := io.MultiReader(strings.NewReader("id,first_name\n1,\""), infiniteX{})
	r, err = NewReader(runaway, Options{MaxRowBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Read()
	if !errors.Is(err, ErrRowTooLong) {
		t.Fatalf("runaway row: %v, want ErrRowTooLong", err)
	}
	var re *RowError
	if errors.As(err, &re) {
		t.Errorf("runaway row gave a recoverable RowError")
	}
}

type infiniteX struct{}

func (infiniteX) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// splitFEBRL parses one FEBRL data line independently of the reader.
func splitFEBRL(line string) []string {
	f := strings.Split(line, ",")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

func TestFEBRLMapping(t *testing.T) {
	m := mustMapping(t, "../../testdata/mappings/febrl.yaml")
	for _, tt := range []struct {
		file string
		rows int
	}{
		{"../../testdata/er/febrl1.csv", 1000},
		{"../../testdata/er/febrl2.csv", 5000},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")[1:]
			f, err := os.Open(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := NewReader(f, Options{Mapping: m})
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, r)
			if len(got) != tt.rows || len(lines) != tt.rows {
				t.Fatalf("read %d records from %d lines, want %d", len(got), len(lines), tt.rows)
			}
			if a := r.AttributeColumns(); len(a) != 0 {
				t.Errorf("attribute columns %q, want none", a)
			}
			for i, line := range lines {
				f := splitFEBRL(line)
				want := steward.Record{
					Source: "febrl", SourceID: f[0], FirstName: f[1], LastName: f[2],
					AddressLine1: strings.TrimSpace(strings.Join(nonEmpty(f[3], f[4]), " ")),
					AddressLine2: f[5], City: f[6], PostalCode: f[7], Region: f[8],
					BirthDate: f[9], NationalID: f[10], Country: "AU",
				}
				if !reflect.DeepEqual(got[i], want) {
					t.Fatalf("row %d:\n got %+v\nwant %+v", i+1, got[i], want)
				}
			}
		})
	}
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func TestFEBRLFirstRecord(t *testing.T) {
	m := mustMapping(t, "../../testdata/mappings/febrl.yaml")
	f, err := os.Open("../../testdata/er/febrl1.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	want := steward.Record{Source: "febrl", SourceID: "rec-223-org", LastName: "waller",
		AddressLine1: "6 tullaroop street", AddressLine2: "willaroo", City: "st james",
		PostalCode: "4011", Region: "wa", BirthDate: "19081209", NationalID: "6988048", Country: "AU"}
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("got  %+v\nwant %+v", rec, want)
	}
	if r.Line() != 2 || r.Row() != 1 {
		t.Errorf("line %d row %d, want 2 and 1", r.Line(), r.Row())
	}
	if got := string(r.RawText()); got != "rec-223-org, , waller, 6, tullaroop street, willaroo, st james, 4011, wa, 19081209, 6988048\n" {
		t.Errorf("raw text %q", got)
	}
}

func TestSplinkMapping(t *testing.T) {
	m := mustMapping(t, "../../testdata/mappings/splink.yaml")
	path := "../../testdata/er/splink_fake_1000.csv"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(strings.NewReader(string(data)), Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Scan() // header
	i := 0
	clusters := map[string]bool{}
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		want := steward.Record{Source: "splink", SourceID: f[0], FirstName: f[1], LastName: f[2],
			BirthDate: f[3], City: f[4], Email: f[5], Attributes: map[string]string{"cluster": f[6]}}
		if i >= len(got) {
			t.Fatalf("only %d records read", len(got))
		}
		if !reflect.DeepEqual(got[i], want) {
			t.Fatalf("row %d:\n got %+v\nwant %+v", i+1, got[i], want)
		}
		clusters[f[6]] = true
		i++
	}
	if i != 1000 || len(got) != 1000 {
		t.Errorf("read %d records, file has %d rows, want 1000", len(got), i)
	}
	if len(clusters) != 251 {
		t.Errorf("%d clusters, want 251", len(clusters))
	}
	if !reflect.DeepEqual(r.AttributeColumns(), []string{"cluster"}) {
		t.Errorf("attribute columns %q, want [cluster]", r.AttributeColumns())
	}
}

func TestParseDelimiter(t *testing.T) {
	tests := []struct {
		in   string
		want rune
		ok   bool
	}{
		{"", 0, true}, {"auto", 0, true}, {"comma", ',', true}, {"TAB", '\t', true}, {`\t`, '\t', true},
		{"\t", '\t', true}, {"semicolon", ';', true}, {"pipe", '|', true}, {"|", '|', true}, {"؛", '؛', true},
		{`"`, 0, false}, {"\n", 0, false}, {"x", 0, false}, {",,", 0, false}, {"colon-ish", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDelimiter(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDelimiter(%q) = %q, %v", tt.in, got, err)
		}
	}
}

// TestRunawayQuote: a quoted field that never closes, or that a stray
// quote closes many lines later, ends reading at the line where it
// opened; a quoted field with a few line breaks is a row like any other.
func TestRunawayQuote(t *testing.T) {
	rows := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%d,Name%d,n%d@example.org\n", i+1, i+1, i+1)
		}
		return b.String()
	}
	header := "id,first_name,email\n"
	tests := []struct {
		name     string
		in       string
		maxLines int
		want     *QuoteError
		rows     int
	}{
		{"never closes", header + rows(10) + "11,\"Ann,a@b.org\n" + rows(20), 0, &QuoteError{Line: 12, Lines: 21}, 10},
		{"closed 30 lines later", header + rows(5) + "6,\"Ann,a@b.org\n" + rows(29) + "x\",y,z\n" + rows(3), 20, &QuoteError{Line: 7, Lines: 31, Closed: true}, 5},
		{"a field with two line breaks", header + "1,\"Ann\nMarie\nLouise\",a@b.org\n" + rows(2), 20, nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewReader(strings.NewReader(tt.in), Options{MaxRowLines: tt.maxLines})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for {
				_, err = rd.Read()
				if err != nil {
					break
				}
				n++
			}
			var qe *QuoteError
			switch {
			case tt.want == nil && err != io.EOF:
				t.Fatalf("read %d rows, then %v; want all of them", n, err)
			case tt.want != nil && (!errors.As(err, &qe) || *qe != *tt.want):
				t.Fatalf("error %v, want %+v", err, tt.want)
			}
			if n != tt.rows {
				t.Errorf("read %d rows before it, want %d", n, tt.rows)
			}
		})
	}
}
