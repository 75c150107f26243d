package cleanse

import (
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// readRecords reads a canonical CSV test file.
func readRecords(t testing.TB, path string) []steward.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var recs []steward.Record
	for _, row := range rows[1:] {
		var r steward.Record
		for i, h := range rows[0] {
			r.Set(strings.ToLower(h), row[i])
		}
		recs = append(recs, r)
	}
	return recs
}

func TestRecordGolden(t *testing.T) {
	recs := readRecords(t, filepath.Join("testdata", "records.csv"))
	opts := Options{DefaultCountry: "AU", DateOrder: DateOrderReject}
	var b strings.Builder
	for i := range recs {
		r := &recs[i]
		fixes := Record(r, opts)
		fmt.Fprintf(&b, "## record %s\n", r.SourceID)
		for _, f := range fixes {
			fmt.Fprintf(&b, "%-14s %-20s %q → %q\n", f.Field, f.Rule, f.Before, f.After)
		}
		for _, c := range steward.CanonicalColumns() {
			if v := r.Get(c); v != "" {
				fmt.Fprintf(&b, "  %s = %q\n", c, v)
			}
		}
		for _, a := range r.AttributeNames() {
			fmt.Fprintf(&b, "  %s = %q\n", a, r.Attributes[a])
		}
	}
	golden := filepath.Join("testdata", "records.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("Record output differs from %s (run go test -update and review the diff):\n%s", golden, got)
	}
}

func TestRecordIdempotent(t *testing.T) {
	recs := readRecords(t, filepath.Join("testdata", "records.csv"))
	for _, order := range []DateOrder{DateOrderReject, DateOrderDMY, DateOrderMDY} {
		for i := range recs {
			r := recs[i].Clone()
			opts := Options{DefaultCountry: "IR", DateOrder: order}
			Record(&r, opts)
			once := r.Clone()
			fixes := Record(&r, opts)
			for _, f := range fixes {
				if f.Before != f.After {
					t.Errorf("record %s, order %v: second pass changed %s by %s: %q → %q", r.SourceID, order, f.Field, f.Rule, f.Before, f.After)
				}
			}
			if d := steward.Diff(&once, &r); len(d) != 0 {
				t.Errorf("record %s: second pass changed %v", r.SourceID, d)
			}
		}
	}
}

func TestRecord(t *testing.T) {
	r := steward.Record{
		FirstName: "جناب آقای محمد\u200cرضا", LastName: "احمدي", Country: "ايران",
		Phone: "۰۹۱۲ ۳۴۵ ۶۷۸۹", PostalCode: "۱۱۹۳۶-۱۲۳۴۵", BirthDate: "۱۳۶۰/۰۵/۱۲", Region: "Tehran",
	}
	fixes := Record(&r, Options{DefaultCountry: "US"})
	want := steward.Record{
		FirstName: "محمد\u200cرضا", LastName: "احمدی", Country: "IR", Phone: "+989123456789",
		PostalCode: "1193612345", BirthDate: "1981-08-03", Region: "تهران",
		Attributes: map[string]string{"title": "جناب آقای", "phone_type": "mobile"},
	}
	if d := steward.Diff(&want, &r); len(d) != 0 {
		t.Errorf("Record: differences from want: %+v", d)
	}
	for _, f := range fixes {
		if f.Field == "" || f.Rule == "" {
			t.Errorf("fix without field or rule: %+v", f)
		}
	}
	// The record's own country decides how its phone is read, not the
	// default.
	r = steward.Record{Phone: "(415) 555-2671", Country: "United States"}
	Record(&r, Options{DefaultCountry: "IR"})
	if r.Phone != "+14155552671" {
		t.Errorf("phone read for the record's country: got %q", r.Phone)
	}
	// No country: the default decides.
	r = steward.Record{Phone: "0912 345 6789"}
	Record(&r, Options{DefaultCountry: "IR"})
	if r.Phone != "+989123456789" || r.Country != "" {
		t.Errorf("phone read for the default country: got %q, country %q", r.Phone, r.Country)
	}
}
