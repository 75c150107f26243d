package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/records"
	"github.com/xuri/excelize/v2"
)

func csvAll(r io.Reader) ([][]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	return cr.ReadAll()
}

// writeWorkbook writes an XLSX file with a customer sheet (Persian and
// Latin rows, one invalid, one blank row) and a second sheet.
func writeWorkbook(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Customers"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"id", "first_name", "last_name", "email", "phone", "country", "tier"},
		{"x1", "نرگس", "کاظمی", "narges.kazemi@gmail.com", "09127654321", "IR", "gold"},
		{"x2", "Peter", "Jones", "peter.jones@gmail.com", "+44 7911 123457", "GB", "silver"},
		{},
		{"x3", "Bad", "Email", "bad@", "", "GB", ""},
		{"x4", "Mina", "Rostami", "mina.rostami@gmail.com", 9121112233, "IR"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NewSheet("Other"); err != nil {
		t.Fatal(err)
	}
	other := []any{"id", "first_name", "email"}
	if err := f.SetSheetRow("Other", "A1", &other); err != nil {
		t.Fatal(err)
	}
	other = []any{"o1", "Olga", "olga.petrova@gmail.com"}
	if err := f.SetSheetRow("Other", "A2", &other); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestImportSamples imports every sample file and checks what was read,
// what landed and what was rejected.
func TestImportSamples(t *testing.T) {
	mapping, err := records.LoadMapping(filepath.Join(sampleDir, "callcentre.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(t.TempDir(), "crm.xlsx")
	writeWorkbook(t, xlsx)
	tests := []struct {
		name     string
		path     string
		opts     Options
		format   records.Format
		enc      records.Encoding
		rows     int
		accepted int
		rejected int
		dups     int
		codes    []string
		check    func(t *testing.T, st steward.Store)
	}{
		{"windows-1256 csv", filepath.Join(sampleDir, "shop-fa-1256.csv"), Options{Source: "shop"}, records.FormatCSV, records.Windows1256, 6, 4, 2, 1,
			[]string{"multiple_at", "no_valid_contact"}, func(t *testing.T, st steward.Store) {
				c := customerBySource(t, st, "shop", "1")
				if c.Record.FirstName != "علی" || c.Record.LastName != "رضایی" || c.Record.City != "تهران" {
					t.Errorf("shop/1 = %q %q %q, want علی رضایی تهران (Persian yeh after standardization)", c.Record.FirstName, c.Record.LastName, c.Record.City)
				}
				if c.Record.Phone != "+989121234567" {
					t.Errorf("shop/1 phone %q, want E.164", c.Record.Phone)
				}
				c = customerBySource(t, st, "shop", "6")
				if c.Record.FirstName != "پرویز" || c.Record.City != "گرگان" {
					t.Errorf("shop/6 = %q %q, want پرویز گرگان (پ چ گ from Windows-1256)", c.Record.FirstName, c.Record.City)
				}
			}},
		{"windows-1252 csv", filepath.Join(sampleDir, "partner-1252.csv"), Options{Source: "partner"}, records.FormatCSV, records.Windows1252, 3, 3, 0, 0, nil,
			func(t *testing.T, st steward.Store) {
				if c := customerBySource(t, st, "partner", "e1"); c.Record.LastName != "Müller" || c.Record.City != "Zürich" {
					t.Errorf("partner/e1 = %q %q", c.Record.LastName, c.Record.City)
				}
			}},
		{"utf-16 csv with mapping", filepath.Join(sampleDir, "callcentre-utf16.csv"), Options{FileOptions: records.FileOptions{Mapping: mapping}, Source: "callcentre"}, records.FormatCSV, records.UTF16LE, 4, 3, 1, 0,
			[]string{"comment", "no_valid_contact"}, func(t *testing.T, st steward.Store) {
				if c := customerBySource(t, st, "callcentre", "C-101"); c.Record.FirstName != "نگار" || c.Record.Email != "negar.hosseini@gmail.com" {
					t.Errorf("callcentre/C-101 = %+v", c.Record)
				}
			}},
		{"tsv without ids", filepath.Join(sampleDir, "forms.tsv"), Options{Source: "forms"}, records.FormatTSV, records.UTF8, 4, 2, 2, 0,
			[]string{"name_missing", "repeated_id"}, func(t *testing.T, st steward.Store) {
				var n int
				st.EachCustomer(context.Background(), steward.CustomerFilter{}, func(c *steward.Customer) error {
					if strings.HasPrefix(c.Record.SourceID, "content:") && c.Record.Attributes["newsletter"] != "" {
						n++
					}
					return nil
				})
				if n != 2 {
					t.Errorf("%d customers with a derived id and the newsletter attribute, want 2", n)
				}
			}},
		{"json lines", filepath.Join(sampleDir, "signups.jsonl"), Options{Source: "web"}, records.FormatJSONL, records.UTF8, 6, 3, 3, 0,
			[]string{"malformed_row", "dotless_domain"}, func(t *testing.T, st steward.Store) {
				c := customerBySource(t, st, "web", "w2")
				if c.Record.FirstName != "کاوه" || c.Record.Attributes["age"] != "34" {
					t.Errorf("web/w2 = %+v", c.Record)
				}
				if c := customerBySource(t, st, "web", "w1"); c.Record.Attributes["newsletter"] != "true" {
					t.Errorf("web/w1 newsletter %q, want true", c.Record.Attributes["newsletter"])
				}
			}},
		{"xlsx first sheet", xlsx, Options{Source: "crm"}, records.FormatXLSX, records.UTF8, 4, 3, 1, 0,
			[]string{"empty_domain"}, func(t *testing.T, st steward.Store) {
				if c := customerBySource(t, st, "crm", "x1"); c.Record.FirstName != "نرگس" || c.Record.Attributes["tier"] != "gold" {
					t.Errorf("crm/x1 = %+v", c.Record)
				}
				if c := customerBySource(t, st, "crm", "x4"); c.Record.Phone != "+989121112233" {
					t.Errorf("crm/x4 phone %q (a number cell), want +989121112233", c.Record.Phone)
				}
			}},
		{"xlsx named sheet", xlsx, Options{FileOptions: records.FileOptions{Sheet: "Other"}, Source: "crm"}, records.FormatXLSX, records.UTF8, 1, 1, 0, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, st steward.Store) {
				var rejects bytes.Buffer
				tt.opts.Rejects = &rejects
				sum := mustImport(t, st, tt.path, tt.opts)
				if sum.Format != tt.format || sum.Encoding != tt.enc {
					t.Errorf("read as %s %s, want %s %s", sum.Format, sum.Encoding, tt.format, tt.enc)
				}
				if sum.Rows != tt.rows || sum.Accepted != tt.accepted || sum.Rejected != tt.rejected || sum.Duplicates != tt.dups {
					t.Errorf("rows %d accepted %d rejected %d duplicates %d, want %d %d %d %d\nrejects:\n%s",
						sum.Rows, sum.Accepted, sum.Rejected, sum.Duplicates, tt.rows, tt.accepted, tt.rejected, tt.dups, rejects.String())
				}
				if sum.Created != tt.accepted {
					t.Errorf("created %d, want %d", sum.Created, tt.accepted)
				}
				if n := countCustomers(t, st); n != int64(tt.accepted) {
					t.Errorf("%d customers stored, want %d", n, tt.accepted)
				}
				for _, c := range tt.codes {
					if sum.Codes[c] == 0 {
						t.Errorf("no rejected row with code %s: %v", c, sum.Codes)
					}
					if !strings.Contains(rejects.String(), c+": ") {
						t.Errorf("rejects report has no %s line:\n%s", c, rejects.String())
					}
				}
				if tt.check != nil {
					tt.check(t, st)
				}
			})
		})
	}
}

// TestRejectsReport checks the rejects file of the Persian sample line by
// line: one line per rejected row, the original columns as read
// (decoded), then the line of the input and the reasons; fixed, the file
// imports as it is, its steward_ columns ignored. The findings file has
// one line per finding. Before: the line, field, code and
// a message naming the value.
func TestRejectsReport(t *testing.T) {
	st := backends()[0].open(t)
	var rejects bytes.Buffer
	mustImport(t, st, filepath.Join(sampleDir, "shop-fa-1256.csv"), Options{Source: "shop", Rejects: &rejects})
	got := readCSV(t, rejects.Bytes())
	want := [][]string{
		{"id", "first_name", "last_name", "email", "phone", "city", "country", "steward_line", "steward_errors"},
		{"3", "مريم", "کريمي", "maryam.karimi@@gmail.com", "09131234567", "شيراز", "IR", "4",
			`multiple_at: email "maryam.karimi@@gmail.com": The address has more than one @-sign.`},
		{"4", "رضا", "احمدي", "", "", "مشهد", "IR", "5",
			"no_valid_contact: A customer needs at least one valid contact: an email address or a phone number."},
	}
	if len(got) != len(want) {
		t.Fatalf("rejects report:\n%s\nwant %d lines", rejects.String(), len(want))
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("line %d\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
	// A steward fixes the address and imports the rejects file.
	fixed := strings.Replace(rejects.String(), "maryam.karimi@@gmail.com", "maryam.karimi@gmail.com", 1)
	var again bytes.Buffer
	sum := mustImport(t, st, writeTemp(t, "rejects.csv", fixed), Options{Source: "shop", Rejects: &again})
	if sum.Accepted != 1 || sum.Rejected != 1 {
		t.Fatalf("re-import of the fixed rejects file: %+v\n%s", sum, again.String())
	}
	c := customerBySource(t, st, "shop", "3")
	if c.Record.Email != "maryam.karimi@gmail.com" || slices.ContainsFunc(c.Record.AttributeNames(), func(a string) bool { return strings.HasPrefix(a, "steward_") }) {
		t.Errorf("re-imported row 3: %+v; want the fixed address and no steward_ attributes", c.Record)
	}
	var findings bytes.Buffer
	mustImport(t, backends()[0].open(t), filepath.Join(sampleDir, "shop-fa-1256.csv"), Options{Source: "shop", Findings: &findings})
	rows := readCSV(t, findings.Bytes())
	if len(rows) < 3 || strings.Join(rows[0], ",") != "line,row,id,outcome,field,code,severity,message" {
		t.Fatalf("findings file:\n%s", findings.String())
	}
	if !slices.ContainsFunc(rows, func(r []string) bool {
		return r[0] == "4" && r[3] == "rejected" && r[5] == "multiple_at" && r[6] == "error"
	}) {
		t.Errorf("findings file lacks row 3's multiple_at:\n%s", findings.String())
	}
}

// TestAnnotatedReport checks the annotated copy: every row, with status,
// codes, message and the matched customer's id.
func TestAnnotatedReport(t *testing.T) {
	st := backends()[0].open(t)
	var ann bytes.Buffer
	mustImport(t, st, filepath.Join(sampleDir, "shop-fa-1256.csv"), Options{Source: "shop", Annotated: &ann})
	got := readCSV(t, ann.Bytes())
	if len(got) != 7 {
		t.Fatalf("annotated copy has %d lines, want header + 6:\n%s", len(got), ann.String())
	}
	if h := strings.Join(got[0][7:], ","); h != "steward_status,steward_code,steward_message,steward_matched_id" {
		t.Errorf("added columns %q", h)
	}
	status := func(i int) string { return got[i][7] }
	for i, want := range []string{"created", "created", "rejected", "rejected", "created", "created"} {
		if status(i+1) != want {
			t.Errorf("row %d status %q, want %q", i+1, status(i+1), want)
		}
	}
	first := customerBySource(t, st, "shop", "1")
	if row5 := got[5]; row5[8] != gate.CodeDuplicate || row5[10] != itoa(first.ID) || !strings.Contains(row5[9], "علی رضایی") {
		t.Errorf("row 5 (a copy of row 1) annotated %q, want duplicate of customer %d", row5[7:], first.ID)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestReimportChangesNothing imports files, then the same files again: no
// new customers, audit entries or suggestions, every row unchanged.
func TestReimportChangesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		files := []struct {
			path string
			opts Options
		}{
			{filepath.Join(sampleDir, "shop-fa-1256.csv"), Options{Source: "shop"}},
			{filepath.Join(sampleDir, "forms.tsv"), Options{Source: "forms"}},
			{filepath.Join(sampleDir, "signups.jsonl"), Options{Source: "web"}},
		}
		for _, f := range files {
			mustImport(t, st, f.path, f.opts)
		}
		before := dbState(t, st)
		for _, f := range files {
			sum := mustImport(t, st, f.path, f.opts)
			if sum.Created != 0 || sum.Updated != 0 || sum.Suggestions != 0 || sum.Unchanged != sum.Accepted || sum.Accepted == 0 {
				t.Errorf("%s again: %+v, want every accepted row unchanged", f.path, sum)
			}
		}
		if after := dbState(t, st); after != before {
			t.Errorf("re-import changed the database:\nbefore\n%s\nafter\n%s", before, after)
		}
	})
}

// TestUpdateBySourceID imports a row whose (source, id) is known: it
// updates that customer, with an audit entry, and never blanks a field.
func TestUpdateBySourceID(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		dir := t.TempDir()
		first := filepath.Join(dir, "a.csv")
		os.WriteFile(first, []byte("id,first_name,last_name,email,phone,country\n7,Sara,Ahmadi,sara.ahmadi@gmail.com,09121230000,IR\n"), 0o644)
		mustImport(t, st, first, Options{Source: "shop"})
		second := filepath.Join(dir, "b.csv")
		os.WriteFile(second, []byte("id,first_name,last_name,email,country\n7,Sara,Ahmadi,sara.ahmadi2@gmail.com,IR\n"), 0o644)
		sum := mustImport(t, st, second, Options{Source: "shop"})
		if sum.Updated != 1 || sum.Created != 0 {
			t.Fatalf("summary %+v, want one update", sum)
		}
		c := customerBySource(t, st, "shop", "7")
		if c.Record.Email != "sara.ahmadi2@gmail.com" || c.Record.Phone != "+989121230000" || c.Version != 2 {
			t.Errorf("customer after update: v%d %+v", c.Version, c.Record)
		}
		chs, err := st.Changes(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := chs[len(chs)-1]
		if last.Field != "email" || last.Before != "sara.ahmadi@gmail.com" || last.After != "sara.ahmadi2@gmail.com" || last.Actor != "import" {
			t.Errorf("last change %+v", last)
		}
		if n := countCustomers(t, st); n != 1 {
			t.Errorf("%d customers, want 1", n)
		}
	})
}

// TestDryRun runs an import without writing: same summary and reports as
// the real import, and an unchanged database.
func TestDryRun(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		path := filepath.Join(sampleDir, "shop-fa-1256.csv")
		var dryRejects, dryAnn bytes.Buffer
		dry := mustImport(t, st, path, Options{Source: "shop", DryRun: true, Rejects: &dryRejects, Annotated: &dryAnn})
		if n := countCustomers(t, st); n != 0 {
			t.Fatalf("dry run stored %d customers", n)
		}
		if ss, _ := st.Suggestions(context.Background(), steward.SuggestionFilter{}); len(ss) != 0 {
			t.Fatalf("dry run stored %d suggestions", len(ss))
		}
		var rejects, ann bytes.Buffer
		real := mustImport(t, st, path, Options{Source: "shop", Rejects: &rejects, Annotated: &ann})
		if !dry.DryRun || real.DryRun {
			t.Errorf("dry run flags %v %v", dry.DryRun, real.DryRun)
		}
		if dry.ImportID != 0 || real.ImportID == 0 {
			t.Errorf("import ids %d (dry run) and %d: want only the import kept", dry.ImportID, real.ImportID)
		}
		dry.DryRun, real.ImportID = false, 0
		for _, s := range []*Summary{dry, real} {
			s.Elapsed, s.Read, s.Load, s.Write = 0, 0, 0, 0
		}
		d, _ := json.Marshal(dry)
		r, _ := json.Marshal(real)
		if string(d) != string(r) {
			t.Errorf("dry run summary\n%s\nreal\n%s", d, r)
		}
		if dryRejects.String() != rejects.String() || dryRejects.Len() == 0 {
			t.Errorf("dry-run rejects differ:\n%s\nreal:\n%s", dryRejects.String(), rejects.String())
		}
		// Ids may differ on PostgreSQL, whose sequences a rollback does
		// not rewind; statuses and codes may not.
		da, ra := readCSV(t, dryAnn.Bytes()), readCSV(t, ann.Bytes())
		for i := range ra {
			if i >= len(da) || strings.Join(da[i][:9], "|") != strings.Join(ra[i][:9], "|") {
				t.Errorf("dry-run annotated copy differs:\n%s\nreal:\n%s", dryAnn.String(), ann.String())
				break
			}
		}
	})
}

// TestImportsHistory: an import is kept with its counts and a summary
// that quotes no value of the file; a failed one with why; a dry run not
// at all.
func TestImportsHistory(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		ctx := context.Background()
		path := filepath.Join(sampleDir, "shop-fa-1256.csv")
		mustImport(t, st, path, Options{Source: "shop", DryRun: true})
		sum := mustImport(t, st, path, Options{Source: "shop", Actor: "ops"})
		_, err := Import(ctx, st, strings.NewReader("id,email\n1,\"ann@example.org\n2,bob@example.org\n"), Options{Source: "crm", FileOptions: records.FileOptions{Name: "broken.csv"}})
		if err == nil {
			t.Fatal("a quote that never closes imported")
		}
		ims, err := st.Imports(ctx, steward.ImportFilter{})
		if err != nil || len(ims) != 2 {
			t.Fatalf("imports %+v (%v); want the import and the failed one", ims, err)
		}
		failed, kept := ims[0], ims[1]
		if failed.Status != steward.ImportFailed || failed.Source != "crm" || failed.Name != "broken.csv" || !strings.Contains(failed.Error, "quote") {
			t.Errorf("failed import %+v", failed)
		}
		if kept.ID != sum.ImportID || kept.Status != steward.ImportCommitted || kept.Actor != "ops" || kept.Rows != sum.Rows ||
			kept.Accepted != sum.Accepted || kept.Rejected != sum.Rejected || kept.Created != sum.Created {
			t.Errorf("kept %+v for summary %+v", kept, sum)
		}
		if s := strings.ReplaceAll(string(kept.Summary), " ", ""); !strings.Contains(s, `"multiple_at":1`) || strings.Contains(s, "maryam") || strings.Contains(s, "علي") {
			t.Errorf("kept summary %s: want counts and no values", s)
		}
	})
}
