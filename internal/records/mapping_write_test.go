package records

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestMarshalRoundTrip: a mapping written out reads back to a mapping that
// reads every row to the same record, and writes out the same again.
func TestMarshalRoundTrip(t *testing.T) {
	read := func(t *testing.T, path string) []byte {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tests := []struct {
		name    string
		mapping []byte
		input   []byte
	}{
		{"febrl", read(t, "../../testdata/mappings/febrl.yaml"), read(t, "../../testdata/er/febrl1.csv")},
		{"splink", read(t, "../../testdata/mappings/splink.yaml"), read(t, "../../testdata/er/splink_fake_1000.csv")},
		{"transforms, attributes, ignore", []byte(`
columns:
  email: E-mail
  birth_date: {column: Born, date: "%d/%m/%Y"}
  address_line2: {join: [unit, floor], separator: " / "}
  country: {const: "NO"}
attributes:
  email_opt_out: {column: Accepts Email Marketing, transform: not}
  "yes": "123"
  "#tag": "x: y"
ignore: ["null"]
`), []byte("E-mail,Born,unit,floor,Accepts Email Marketing,123,x: y,null,کد ملی\n" +
			"ann@gmail.com,25/01/1993,U2,3,yes,a,b,c,0012345679\n" +
			"bob@gmail.com,05/01/1993,,,no,,,,\n")},
		{"Persian names", []byte("columns:\n  first_name: نام\n  last_name: نام خانوادگی\n"), []byte("نام,نام خانوادگی,شهر\nعلی,رضایی,تهران\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMapping(tt.mapping, "m.yaml")
			if err != nil {
				t.Fatal(err)
			}
			out := m.Marshal("written by a test\nsecond line")
			if !bytes.HasPrefix(out, []byte("# written by a test\n# second line\n")) {
				t.Errorf("the comment does not head the file:\n%s", out)
			}
			back, err := ParseMapping(out, "back.yaml")
			if err != nil {
				t.Fatalf("the written mapping does not parse: %v\n%s", err, out)
			}
			if again := back.Marshal("written by a test\nsecond line"); !bytes.Equal(again, out) {
				t.Errorf("written again, the mapping changed:\n%s\nthen\n%s", out, again)
			}
			want := readWith(t, tt.input, m)
			if got := readWith(t, tt.input, back); !reflect.DeepEqual(got, want) {
				t.Errorf("the written mapping reads differently:\n%s", out)
			}
			if len(want) == 0 {
				t.Fatal("no rows read")
			}
		})
	}
}

// readWith reads every good row of input with m.
func readWith(t *testing.T, input []byte, m *Mapping) []string {
	t.Helper()
	r, err := NewReader(bytes.NewReader(input), Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rec := range readAll(t, r) {
		var b strings.Builder
		for _, k := range append([]string{"id", "source"}, rec.AttributeNames()...) {
			b.WriteString(k + "=" + rec.Get(k) + ";")
		}
		for _, f := range []string{"first_name", "last_name", "email", "address_line1", "address_line2", "city", "postal_code", "region", "birth_date", "national_id", "country"} {
			b.WriteString(f + "=" + rec.Get(f) + ";")
		}
		out = append(out, b.String())
	}
	return out
}
