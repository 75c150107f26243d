package records

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/xuri/excelize/v2"
)

// oddFile is a file with the columns of an odd export, n rows, one of
// them (the third) not readable as a row.
func oddFile(format Format, n int) []byte {
	var b bytes.Buffer
	switch format {
	case FormatJSONL:
		for i := 1; i <= n; i++ {
			if i == 3 {
				b.WriteString("{broken\n")
				continue
			}
			fmt.Fprintf(&b, `{"Name": "Ann Lee %d", "E-mail Address": "ann%d@gmail.com", "Mobile": "+44 7911 %06d", "Tier": "gold"}`+"\n", i, i, 100000+i)
		}
	case FormatXLSX:
		f := excelize.NewFile()
		defer f.Close()
		rows := [][]any{{"Name", "E-mail Address", "Mobile", "Tier"}}
		for i := 1; i <= n; i++ {
			rows = append(rows, []any{fmt.Sprintf("Ann Lee %d", i), fmt.Sprintf("ann%d@gmail.com", i), fmt.Sprintf("+44 7911 %06d", 100000+i), "gold"})
		}
		rows[3] = append(rows[3], "one", "too", "many")
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			_ = f.SetSheetRow("Sheet1", cell, &r)
		}
		_ = f.Write(&b)
	default:
		b.WriteString("Name,E-mail Address,Mobile,Tier\n")
		for i := 1; i <= n; i++ {
			if i == 3 {
				b.WriteString("one,too,many,fields,here\n")
				continue
			}
			fmt.Fprintf(&b, "Ann Lee %d,ann%d@gmail.com,+44 7911 %06d,gold\n", i, i, 100000+i)
		}
	}
	return b.Bytes()
}

// TestReadFileInfers: with Infer, rows are read through the mapping
// inferred from the header and the first rows, in order, whether there are
// fewer rows than InferRows or more, in every format; a row that cannot
// be read stays so, in its place.
func TestReadFileInfers(t *testing.T) {
	for _, format := range []Format{FormatCSV, FormatJSONL, FormatXLSX} {
		for _, n := range []int{5, InferRows, InferRows + 37} {
			t.Run(fmt.Sprintf("%s %d rows", format, n), func(t *testing.T) {
				var headerAttrs []string
				var rows []*Row
				opts := FileOptions{Name: "odd." + string(format), Infer: &InferOptions{}, Header: func(_, attrs []string) {
					if rows != nil {
						t.Error("the header callback came after a row")
					}
					headerAttrs = attrs
				}}
				f, err := ReadFile(bytes.NewReader(oddFile(format, n)), opts, func(r *Row) { rows = append(rows, r) })
				if err != nil {
					t.Fatal(err)
				}
				if f.Inference == nil || f.Inference.Rows == 0 || f.Inference.Rows > InferRows {
					t.Fatalf("inference %+v", f.Inference)
				}
				if strings.Join(headerAttrs, ",") != "tier" {
					t.Errorf("attribute columns %q", headerAttrs)
				}
				if len(rows) != n {
					t.Fatalf("%d rows, want %d", len(rows), n)
				}
				for i, r := range rows {
					if r.Num != i+1 {
						t.Fatalf("row %d numbered %d", i+1, r.Num)
					}
					if i == 2 {
						if len(r.Findings) == 0 {
							t.Errorf("row 3 (not readable) has no finding: %+v", r)
						}
						continue
					}
					want := steward.Record{FirstName: fmt.Sprintf("Ann Lee %d", i+1), Email: fmt.Sprintf("ann%d@gmail.com", i+1),
						Phone: fmt.Sprintf("+44 7911 %06d", 100001+i), Attributes: map[string]string{"tier": "gold"}}
					if len(r.Findings) > 0 || !sameRecord(r.Record, want) {
						t.Fatalf("row %d: %+v %+v, want %+v", i+1, r.Record, r.Findings, want)
					}
				}
			})
		}
	}
}

// TestReadFileInfersOnlyWhenNeeded: a canonical header is read as it is
// (no inference) unless Always asks for one; a mapping turns it off.
func TestReadFileInfersOnlyWhenNeeded(t *testing.T) {
	read := func(data string, opts FileOptions) *File {
		f, err := ReadFile(strings.NewReader(data), opts, func(*Row) {})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	canonical := "id,first_name,email\n1,Ann,ann@gmail.com\n"
	if f := read(canonical, FileOptions{Infer: &InferOptions{}}); f.Inference != nil {
		t.Errorf("a canonical header was inferred: %+v", f.Inference)
	}
	if f := read(canonical, FileOptions{Infer: &InferOptions{Always: true}}); f.Inference == nil || len(f.Inference.Columns) != 3 {
		t.Errorf("Always: %+v", f.Inference)
	}
	m, err := ParseMapping([]byte("columns:\n  email: E-mail Address\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if f := read("Name,E-mail Address\nAnn,ann@gmail.com\n", FileOptions{Infer: &InferOptions{}, Mapping: m}); f.Inference != nil {
		t.Errorf("a mapping was given, yet columns were inferred: %+v", f.Inference)
	}
	if f := read("Name,E-mail Address\n", FileOptions{Infer: &InferOptions{}}); f.Inference == nil || f.Inference.Rows != 0 {
		t.Errorf("a header without rows: %+v", f.Inference)
	}
}
