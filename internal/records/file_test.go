package records

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"golang.org/x/text/encoding/charmap"
)

func TestDetectEncoding(t *testing.T) {
	enc := func(cm *charmap.Charmap, s string) []byte {
		b, err := cm.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	persian := "id,first_name,last_name,city\n1,علي,رضايي,تهران\n2,پرويز,چگيني,گرگان\n"
	tests := []struct {
		name  string
		head  []byte
		whole bool
		want  Encoding
	}{
		{"ascii", []byte("id,name\n1,Ann\n"), true, UTF8},
		{"utf-8 persian", []byte(persian), true, UTF8},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, "id\n"...), true, UTF8},
		{"utf-16le bom", []byte{0xFF, 0xFE, 'i', 0, 'd', 0}, true, UTF16LE},
		{"utf-16be bom", []byte{0xFE, 0xFF, 0, 'i', 0, 'd'}, true, UTF16BE},
		{"utf-16le without bom", utf16le("id,name\n1,Ann\n"), true, UTF16LE},
		{"utf-16be without bom", []byte{0, 'i', 0, 'd', 0, '\n', 0, '1'}, true, UTF16BE},
		{"utf-8 cut inside a character", []byte(persian)[:len("id,first_name,last_name,city\n1,ع")-1], false, UTF8},
		{"utf-8 cut, but whole", []byte(persian)[:len("id,first_name,last_name,city\n1,ع")-1], true, Windows1252},
		{"windows-1256 persian", enc(charmap.Windows1256, persian), true, Windows1256},
		{"windows-1256 persian with latin emails", enc(charmap.Windows1256, "name,email\nعلي رضايي,ali@gmail.com\nسارا,sara@yahoo.com\n"), true, Windows1256},
		{"windows-1256 single letters", enc(charmap.Windows1256, "name\nگ\nپ\n"), true, Windows1256},
		{"windows-1252 accents", enc(charmap.Windows1252, "id,name,city\n1,Jürgen Müller,Zürich\n2,Zoë Lefèvre,Besançon\n"), true, Windows1252},
		{"utf-8 persian with one stray byte", append([]byte(strings.Repeat(persian, 20)), 0xFF, '\n'), true, UTF8},
		{"latin with one stray windows-1252 byte", []byte("id,name\n1,Caf\xe9\n2,Ann\n"), true, Windows1252},
		{"windows-1252 accent-only word", enc(charmap.Windows1252, "name,city\nJosé,Città\nAna,Évora\n"), true, Windows1252},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectEncoding(tt.head, tt.whole); got != tt.want {
				t.Errorf("DetectEncoding = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseEncoding(t *testing.T) {
	for in, want := range map[string]Encoding{"": "", "UTF-8": UTF8, "utf16": UTF16LE, "UTF-16BE": UTF16BE, "cp1256": Windows1256, "latin1": Windows1252} {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseEncoding("ebcdic"); steward.ErrorCode(err) != steward.EINVALID {
		t.Errorf("ParseEncoding(ebcdic) error %v, want invalid", err)
	}
}

// FuzzReadFile feeds arbitrary bytes through every reader: no panic, and
// every row is numbered in order.
func FuzzReadFile(f *testing.F) {
	f.Add([]byte("id,first_name,email\n1,Ann,ann.lee@gmail.com\n"), "a.csv", false)
	f.Add([]byte("{\"id\":\"1\",\"email\":\"x@y.ir\"}\n{bad\n"), "a.jsonl", false)
	f.Add([]byte{0xFF, 0xFE, 'i', 0, 'd', 0, '\n', 0, '1', 0}, "a.csv", false)
	f.Add([]byte("PK\x03\x04junk"), "a.xlsx", false)
	f.Add([]byte("id\tname\n\xe1\xe2\n"), "a.tsv", false)
	f.Add([]byte("sep=;\nid;first_name\n1;Ann\n2\n"), "a.csv", false)
	f.Add([]byte("Name,E-mail Address,Mobile\nAnn Lee,ann@gmail.com,09121234567\n\"x\n"), "a.csv", true)
	f.Fuzz(func(t *testing.T, data []byte, name string, infer bool) {
		opts := FileOptions{Name: name, Limits: Limits{MaxFileBytes: 1 << 20, MaxRowBytes: 4096, MaxFields: 64}}
		if infer {
			opts.Infer = &InferOptions{DefaultCountry: "IR"}
		}
		n := 0
		_, _ = ReadFile(bytes.NewReader(data), opts, func(r *Row) {
			n++
			if r.Num != n {
				t.Fatalf("row %d numbered %d", n, r.Num)
			}
		})
	})
}

func utf16le(s string) []byte {
	var out []byte
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

// TestExcelSeparatorLine: a "sep=;" line before the header (Excel writes
// and reads it) names the delimiter and is not the header; the rows keep
// their lines in the file, so a rejected row points at the right one.
func TestExcelSeparatorLine(t *testing.T) {
	for _, tt := range []struct{ name, data string }{
		{"semicolon", "sep=;\r\nid;first_name;email\r\n1;Ann;ann@gmail.com\r\n2;Bo\r\n"},
		{"pipe, with a byte order mark", "\xEF\xBB\xBFsep=|\nid|first_name|email\n1|Ann|ann@gmail.com\n2|Bo\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var rows []*Row
			f, err := ReadFile(strings.NewReader(tt.data), FileOptions{Name: "a.csv"}, func(r *Row) { rows = append(rows, r) })
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].Record.FirstName != "Ann" || rows[0].Record.Email != "ann@gmail.com" || rows[0].Line != 3 {
				t.Fatalf("file %+v, rows %+v", f, rows)
			}
			if rows[1].Line != 4 || len(rows[1].Findings) == 0 || rows[1].Findings[0].Code != CodeMalformedRow {
				t.Errorf("short row: %+v", rows[1])
			}
		})
	}
	// A delimiter named on the command line wins; the line is still not a header.
	var rows []*Row
	_, err := ReadFile(strings.NewReader("sep=;\nid,first_name\n1,Ann\n"), FileOptions{Name: "a.csv", Delimiter: ','}, func(r *Row) { rows = append(rows, r) })
	if err != nil || len(rows) != 1 || rows[0].Record.FirstName != "Ann" {
		t.Errorf("--delimiter comma: %v, %+v", err, rows)
	}
	if d, ok := excelSeparator([]byte("Sep=;\r")); !ok || d != ';' {
		t.Errorf("Sep=; read as %q, %v", d, ok)
	}
	// "sep=" is a header only when it names no delimiter.
	if d, ok := excelSeparator([]byte("sep=ab")); ok {
		t.Errorf("sep=ab read as delimiter %q", d)
	}
}

// TestRequireRefusesColumns: Require sees the bound columns before the
// first row (also after inference) and its error stops the reading.
func TestRequireRefusesColumns(t *testing.T) {
	errNoSource := errors.New("no source")
	require := func(c *Columns) error {
		if !c.Maps("source") {
			return errNoSource
		}
		return nil
	}
	for _, tt := range []struct {
		name, data string
		infer      bool
		want       error
	}{
		{"canonical, with source", "id,source,email\n1,shop,a@gmail.com\n", false, nil},
		{"canonical, without", "id,email\n1,a@gmail.com\n", false, errNoSource},
		{"inferred, without", "Name,E-mail Address\nAnn Lee,ann@gmail.com\n", true, errNoSource},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := FileOptions{Name: "a.csv", Require: require}
			if tt.infer {
				opts.Infer = &InferOptions{DefaultCountry: "IR"}
			}
			n := 0
			_, err := ReadFile(strings.NewReader(tt.data), opts, func(*Row) { n++ })
			if !errors.Is(err, tt.want) || (tt.want != nil && n != 0) {
				t.Errorf("err %v after %d rows, want %v and no row", err, n, tt.want)
			}
		})
	}
}
