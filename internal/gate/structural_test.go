package gate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/xuri/excelize/v2"
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

// TestNamedEncoding reads the Windows-1256 sample as named, and the
// UTF-16 sample without its mark as named UTF-16.
func TestNamedEncoding(t *testing.T) {
	st := backends()[0].open(t)
	sum := mustImport(t, st, filepath.Join(sampleDir, "shop-fa-1256.csv"), Options{Source: "shop", Encoding: Windows1256})
	if sum.Encoding != Windows1256 || sum.Accepted != 4 {
		t.Errorf("named windows-1256: %+v", sum)
	}
	data, err := os.ReadFile(filepath.Join(sampleDir, "callcentre-utf16.csv"))
	if err != nil {
		t.Fatal(err)
	}
	noBOM := writeTemp(t, "cc.csv", string(data[2:]))
	sum = mustImport(t, st, noBOM, Options{Source: "cc", Encoding: UTF16LE})
	if sum.Encoding != UTF16LE || sum.Rows != 4 {
		t.Errorf("named utf-16le without a mark: %+v", sum)
	}
}

// TestStructuralErrors: a file that cannot be read to its end stops the
// import with an error that names the line, and the database keeps what
// it had.
func TestStructuralErrors(t *testing.T) {
	utf16, err := os.ReadFile(filepath.Join(sampleDir, "callcentre-utf16.csv"))
	if err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(t.TempDir(), "crm.xlsx")
	writeWorkbook(t, xlsx)
	book, err := os.ReadFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	good := "id,first_name,email\n1,Ann,ann.lee@gmail.com\n2,Bob,bob.lee@gmail.com\n"
	tests := []struct {
		name string
		data []byte
		opts Options
		want []string
	}{
		{"invalid utf-8 at line 3", []byte("id,first_name,email\n1,Ann,ann.lee@gmail.com\n2,B\xffb,bob.lee@gmail.com\n3,Cy,cy.lee@gmail.com\n"),
			Options{Encoding: UTF8}, []string{"line 3", "invalid UTF-8", "--encoding"}},
		{"truncated utf-16", utf16[:len(utf16)-1], Options{}, []string{"UTF-16", "truncated"}},
		{"utf-16 lone surrogate", append(append([]byte{0xFF, 0xFE}, utf16le("id,first_name\n1,A")...), 0x00, 0xD8, 'b', 0, '\n', 0),
			Options{}, []string{"line 2", "could not be decoded"}},
		{"truncated xlsx", book[:len(book)/2], Options{Name: "crm.xlsx"}, []string{"not a complete XLSX"}},
		{"file over the limit", []byte(good), Options{Limits: Limits{MaxFileBytes: 40}}, []string{"larger than the limit of 40 bytes"}},
		{"runaway quoted row", []byte("id,first_name,email\n1,\"Ann" + strings.Repeat("x", 300<<10) + "\n"),
			Options{Limits: Limits{MaxRowBytes: 1024}}, []string{"line 2", "row too long"}},
		{"too many columns", []byte("a,b,c,d\n1,2,3,4\n"), Options{Limits: Limits{MaxFields: 3}}, []string{"4 columns", "limit of 3"}},
		{"empty file", nil, Options{}, []string{"empty"}},
		{"no such sheet", book, Options{Name: "crm.xlsx", Sheet: "Nope"}, []string{`no sheet "Nope"`, "Customers, Other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, st steward.Store) {
				seedCustomer(t, st)
				before := dbState(t, st)
				tt.opts.Source = "shop"
				sum, err := Import(context.Background(), st, bytes.NewReader(tt.data), tt.opts)
				if err == nil {
					t.Fatalf("no error; summary %+v", sum)
				}
				if code := steward.ErrorCode(err); code != steward.EINVALID && code != steward.ENOTFOUND {
					t.Errorf("error code %s (%v), want invalid", code, err)
				}
				for _, w := range tt.want {
					if !strings.Contains(steward.ErrorMessage(err), w) {
						t.Errorf("error %q does not say %q", steward.ErrorMessage(err), w)
					}
				}
				if after := dbState(t, st); after != before {
					t.Errorf("the database changed:\n%s", after)
				}
			})
		})
	}
}

func utf16le(s string) []byte {
	var out []byte
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

// TestXLSXZipBomb: a small workbook that unpacks to more than the limit is
// refused before it is unpacked.
func TestXLSXZipBomb(t *testing.T) {
	f := excelize.NewFile()
	for i := 1; i <= 200; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		f.SetCellValue("Sheet1", cell, strings.Repeat(itoa(int64(i))+" ", 10000))
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	limit := int64(1 << 20)
	if int64(buf.Len()) >= limit {
		t.Fatalf("test workbook is %d bytes: not a bomb", buf.Len())
	}
	st := backends()[0].open(t)
	_, err := Import(context.Background(), st, &buf, Options{Source: "x", Name: "bomb.xlsx", Limits: Limits{MaxFileBytes: limit}})
	if steward.ErrorCode(err) != steward.EINVALID || !strings.Contains(steward.ErrorMessage(err), "unpacks to more than the limit") {
		t.Errorf("error %v, want the unzip limit", err)
	}
}

// TestRowErrors: problems confined to one row reject that row only.
func TestRowErrors(t *testing.T) {
	file := "id,first_name,email\n" +
		"1,Ann,ann.lee@gmail.com\n" +
		"2,B\"ob,bob.lee@gmail.com\n" +
		"3,Cy,cy.lee@gmail.com,extra\n" +
		"4," + strings.Repeat("D", 2000) + ",dee.lee@gmail.com\n" +
		"5,Eve,eve.lee@gmail.com\n"
	st := backends()[0].open(t)
	var rejects bytes.Buffer
	sum := mustImport(t, st, writeTemp(t, "rows.csv", file), Options{Source: "shop", Rejects: &rejects, Limits: Limits{MaxRowBytes: 1024}})
	if sum.Rows != 5 || sum.Accepted != 2 || sum.Codes[CodeMalformedRow] != 2 || sum.Codes[CodeRowTooLong] != 1 {
		t.Fatalf("summary %+v\n%s", sum, rejects.String())
	}
	rows := readCSV(t, rejects.Bytes())
	if len(rows) != 4 || rows[1][3] != "2" || !strings.Contains(rows[1][6], `B\"ob`) || rows[2][3] != "3" || rows[3][3] != "4" {
		t.Errorf("rejects report:\n%s", rejects.String())
	}
}

// TestCancelledImport cancels an import inside its transaction, after
// batches were written: the database keeps what it had.
func TestCancelledImport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		seedCustomer(t, st)
		before := dbState(t, st)
		var buf bytes.Buffer
		buf.WriteString("id,first_name,last_name,email\n")
		for i := range 3000 {
			n := itoa(int64(i))
			buf.WriteString("r" + n + ",Name" + n + ",Family,user" + n + "@gmail.com\n")
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		batches := 0
		cs := cancellingStore{Store: st, after: 2, batches: &batches, cancel: cancel}
		_, err := Import(ctx, cs, &buf, Options{Source: "shop"})
		if err == nil || ctx.Err() == nil {
			t.Fatalf("import went on after cancellation: %v", err)
		}
		if batches < 2 {
			t.Fatalf("cancelled after %d batches, want inside the transaction", batches)
		}
		if after := dbState(t, st); after != before {
			t.Errorf("a cancelled import changed the database")
		}
	})
}

// cancellingStore cancels the import's context after some batches were
// written inside its transaction.
type cancellingStore struct {
	steward.Store
	after   int
	batches *int
	cancel  func()
}

func (s cancellingStore) Atomic(ctx context.Context, fn func(context.Context, steward.Store) error, opts ...steward.TxOption) error {
	return s.Store.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		return fn(ctx, cancellingStore{Store: tx, after: s.after, batches: s.batches, cancel: s.cancel})
	}, opts...)
}

func (s cancellingStore) CreateCustomers(ctx context.Context, cs []*steward.Customer, m steward.Meta) error {
	if err := s.Store.CreateCustomers(ctx, cs, m); err != nil {
		return err
	}
	*s.batches++
	if *s.batches == s.after {
		s.cancel()
	}
	return nil
}
