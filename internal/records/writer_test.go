package records

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/steward-crm/steward"
)

func TestWriterRoundTrip(t *testing.T) {
	recs := []steward.Record{
		{Source: "shop", SourceID: "1", FirstName: "Ann", LastName: "O'Neil, Jr", Email: "ann@example.com",
			AddressLine1: "12 \"Main\" St\nUnit 4", Country: "AU", Attributes: map[string]string{"tier": "gold", "dropped": "x"}},
		{SourceID: "2", Company: "شرکت نمونه", Phone: "+989121234567"},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, []string{"Tier"})
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	wantHeader := "id,source,first_name,last_name,company,email,phone,address_line1,address_line2,city,region,postal_code,country,birth_date,national_id,tier\n"
	if !bytes.HasPrefix(buf.Bytes(), []byte(wantHeader)) {
		t.Fatalf("header:\n%s", buf.String())
	}
	r, err := NewReader(&buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	delete(recs[0].Attributes, "dropped") // not among the writer's columns
	if !reflect.DeepEqual(got, recs) {
		t.Errorf("\n got %+v\nwant %+v", got, recs)
	}
}

func TestWriterEmptyWritesHeader(t *testing.T) {
	var buf bytes.Buffer
	if err := NewWriter(&buf, nil).Flush(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "id,source,first_name,last_name,company,email,phone,address_line1,address_line2,city,region,postal_code,country,birth_date,national_id\n" {
		t.Errorf("got %q", got)
	}
}

func TestWriterBadColumns(t *testing.T) {
	for _, cols := range [][]string{{"email"}, {"tier", " TIER"}, {""}} {
		var buf bytes.Buffer
		w := NewWriter(&buf, cols)
		if err := w.Write(&steward.Record{}); steward.ErrorCode(err) != steward.EINVALID {
			t.Errorf("columns %q: error %v, want invalid", cols, err)
		}
		if buf.Len() != 0 {
			t.Errorf("columns %q: wrote %q", cols, buf.String())
		}
	}
}

func TestFEBRLToCanonicalAndBack(t *testing.T) {
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
	want := readAll(t, r)
	var buf bytes.Buffer
	w := NewWriter(&buf, r.AttributeColumns())
	for i := range want {
		if err := w.Write(&want[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r2, err := NewReader(&buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r2); !reflect.DeepEqual(got, want) {
		t.Errorf("canonical round trip changed records")
	}
}
