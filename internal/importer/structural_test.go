package importer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/records"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// TestNamedEncoding reads the Windows-1256 sample as named, and the
// UTF-16 sample without its mark as named UTF-16.
func TestNamedEncoding(t *testing.T) {
	st := backends()[0].open(t)
	sum := mustImport(t, st, filepath.Join(sampleDir, "shop-fa-1256.csv"), Options{FileOptions: records.FileOptions{Encoding: records.Windows1256}, Source: "shop"})
	if sum.Encoding != records.Windows1256 || sum.Accepted != 4 {
		t.Errorf("named windows-1256: %+v", sum)
	}
	data, err := os.ReadFile(filepath.Join(sampleDir, "callcentre-utf16.csv"))
	if err != nil {
		t.Fatal(err)
	}
	noBOM := writeTemp(t, "cc.csv", string(data[2:]))
	sum = mustImport(t, st, noBOM, Options{FileOptions: records.FileOptions{Encoding: records.UTF16LE}, Source: "cc"})
	if sum.Encoding != records.UTF16LE || sum.Rows != 4 {
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
	// 2,000 rows with a quote left open on line 1502: the 499 rows after
	// it once vanished while the 1,500 before it were imported.
	var unclosed strings.Builder
	unclosed.WriteString("id,first_name,last_name,email\n")
	for i := 1; i <= 2000; i++ {
		name := fmt.Sprintf("Name%d", i)
		if i == 1501 {
			name = `"Name` + name
		}
		fmt.Fprintf(&unclosed, "%d,%s,Smith,n%d@gmail.com\n", i, name, i)
	}
	tests := []struct {
		name string
		data []byte
		opts Options
		want []string
	}{
		{"windows-1256 named as utf-8", persian1256(t, 30), Options{FileOptions: records.FileOptions{Encoding: records.UTF8}},
			[]string{"line 2", "30 of 30 rows are not valid UTF-8", "--encoding"}},
		{"truncated utf-16", utf16[:len(utf16)-1], Options{}, []string{"UTF-16", "truncated"}},
		{"utf-16 lone surrogate", append(append([]byte{0xFF, 0xFE}, utf16le("id,first_name\n1,A")...), 0x00, 0xD8, 'b', 0, '\n', 0),
			Options{}, []string{"line 2", "could not be decoded"}},
		{"truncated xlsx", book[:len(book)/2], Options{FileOptions: records.FileOptions{Name: "crm.xlsx"}}, []string{"not a complete XLSX"}},
		{"file over the limit", []byte(good), Options{FileOptions: records.FileOptions{Limits: records.Limits{MaxFileBytes: 40}}}, []string{"larger than the limit of 40 bytes"}},
		{"runaway quoted row", []byte("id,first_name,email\n1,\"Ann" + strings.Repeat("x", 300<<10) + "\n"),
			Options{FileOptions: records.FileOptions{Limits: records.Limits{MaxRowBytes: 1024}}}, []string{"line 2", "row too long"}},
		{"a quote that never closes", []byte(unclosed.String()), Options{FileOptions: records.FileOptions{Limits: records.DefaultLimits()}},
			[]string{"line 1502", "never closes", "499 lines after it"}},
		{"a quote closed 200 lines later", []byte(strings.Replace(unclosed.String(), "1700,Name1700", "1700,Name1700\"", 1)), Options{FileOptions: records.FileOptions{Limits: records.DefaultLimits()}},
			[]string{"line 1502", "runs across 200 lines"}},
		{"a gzip file", []byte("\x1f\x8b\x08\x00binary"), Options{FileOptions: records.FileOptions{Name: "customers.csv"}}, []string{"gzip-compressed", "unpack it first"}},
		{"a binary file", append([]byte("id,name\n1,"), bytes.Repeat([]byte{0, 1, 2, 0xff, 'x'}, 100)...), Options{}, []string{"binary", "control bytes start at byte offset 10"}},
		{"a PDF", []byte("%PDF-1.7\n..."), Options{}, []string{"a PDF document"}},
		{"too many columns", []byte("a,b,c,d\n1,2,3,4\n"), Options{FileOptions: records.FileOptions{Limits: records.Limits{MaxFields: 3}}}, []string{"4 columns", "limit of 3"}},
		{"empty file", nil, Options{}, []string{"empty"}},
		{"no such sheet", book, Options{FileOptions: records.FileOptions{Name: "crm.xlsx", Sheet: "Nope"}}, []string{`no sheet "Nope"`, "Customers, Other"}},
	}
	// One database per backend for every case: each must leave it as it
	// was, which is what is checked.
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		seedCustomer(t, st)
		before := dbState(t, st)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
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
		}
	})
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
	// A process that was killed left its unpacked sheets behind.
	orphan := filepath.Join(os.TempDir(), "steward-xlsx-999999999-1")
	if err := os.MkdirAll(orphan, 0o700); err != nil {
		t.Fatal(err)
	}
	st := backends()[0].open(t)
	for _, lim := range []records.Limits{{MaxFileBytes: limit}, records.DefaultLimits()} {
		_, err := Import(context.Background(), st, bytes.NewReader(buf.Bytes()), Options{FileOptions: records.FileOptions{Name: "bomb.xlsx", Limits: lim}, Source: "x"})
		if steward.ErrorCode(err) != steward.EINVALID || !strings.Contains(steward.ErrorMessage(err), "decompression bomb") {
			t.Errorf("limits %+v: error %v, want the workbook refused as a bomb", lim, err)
		}
	}
	// A workbook within the ratio is read, and leaves nothing behind.
	xlsx := filepath.Join(t.TempDir(), "crm.xlsx")
	writeWorkbook(t, xlsx)
	if sum := mustImport(t, st, xlsx, Options{Source: "crm"}); sum.Rows == 0 {
		t.Errorf("workbook: %+v", sum)
	}
	mine, _ := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("steward-xlsx-%d-*", os.Getpid())))
	if _, err := os.Stat(orphan); !os.IsNotExist(err) || len(mine) > 0 {
		t.Errorf("the dead process's directory: %v; this one's left: %v; want neither", err, mine)
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
	sum := mustImport(t, st, writeTemp(t, "rows.csv", file), Options{FileOptions: records.FileOptions{Limits: records.Limits{MaxRowBytes: 1024}}, Source: "shop", Rejects: &rejects})
	if sum.Rows != 5 || sum.Accepted != 2 || sum.Codes[records.CodeMalformedRow] != 2 || sum.Codes[records.CodeRowTooLong] != 1 {
		t.Fatalf("summary %+v\n%s", sum, rejects.String())
	}
	rows := readCSV(t, rejects.Bytes())
	if len(rows) != 4 || rows[1][3] != "3" || !strings.Contains(rows[1][4], `B\"ob`) || rows[2][3] != "4" || rows[3][3] != "5" {
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

// persian1256 is a CSV file of n Persian customers in Windows-1256.
func persian1256(t *testing.T, n int) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,first_name,last_name,phone\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,الهام,رضايي,+98912%07d\n", i+1, i)
	}
	out, err := charmap.Windows1256.NewEncoder().Bytes([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStrayByteInUTF8: a UTF-8 file of Persian names with one damaged byte
// near its start is read as UTF-8, not as Windows-1256 mojibake; the
// damaged row is rejected with the byte where the damage is, and the
// summary says why UTF-8 was chosen and shows decoded values.
func TestStrayByteInUTF8(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,first_name,last_name,phone\n")
	for i := range 700 {
		fmt.Fprintf(&b, "%d,الهام,رضایی,+98912%07d\n", i+1, i)
	}
	data := []byte(b.String())
	damaged := bytes.Index(data, []byte("\n3,")) + 3 // row 3's first name
	data[damaged+1] = 0xFF
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		sum, err := Import(context.Background(), st, bytes.NewReader(data), Options{Source: "shop", DryRun: false, Rejects: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Encoding != records.UTF8 || sum.Rejected != 1 || sum.Accepted != 699 || sum.Codes[records.CodeInvalidEncoding] != 1 {
			t.Fatalf("summary %+v, want UTF-8 with the damaged row rejected", sum)
		}
		if !strings.Contains(sum.EncodingReason, "2 invalid byte sequences") || !slices.Contains(sum.Samples, "الهام") {
			t.Errorf("encoding reason %q, samples %q: want the count of invalid sequences and the names as decoded", sum.EncodingReason, sum.Samples)
		}
		if c := customerBySource(t, st, "shop", "700"); c.Record.FirstName != "الهام" {
			t.Errorf("row 700 stored as %q, want الهام", c.Record.FirstName)
		}
	})
	var rejects bytes.Buffer
	st := backends()[0].open(t)
	if _, err := Import(context.Background(), st, bytes.NewReader(data), Options{Source: "shop", Rejects: &rejects}); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("the first at byte offset %d of the file", damaged); !strings.Contains(rejects.String(), want) || !strings.Contains(rejects.String(), "Line 4") {
		t.Errorf("rejects %q, want line 4 and %q", rejects.String(), want)
	}
}
