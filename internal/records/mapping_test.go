package records

import (
	"reflect"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

func TestMappingForms(t *testing.T) {
	mapping := `
columns:
  ID: Cust No
  first_name: given
  address_line1: [no, street]
  address_line2: {join: [unit, floor], separator: " / "}
  country: {const: IR}
source: shop
ignore: [internal]
`
	m, err := ParseMapping([]byte(mapping), "shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	input := "cust no,GIVEN,no,street,unit,floor,internal,email,tier\n" +
		"42,Sara,12,Valiasr St,,3,zzz,s@example.ir,gold\n" +
		"43,Reza,,Enghelab St,U2,1,zzz,,\n"
	r, err := NewReader(strings.NewReader(input), Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	want := []steward.Record{
		{Source: "shop", SourceID: "42", FirstName: "Sara", AddressLine1: "12 Valiasr St", AddressLine2: "3",
			Country: "IR", Email: "s@example.ir", Attributes: map[string]string{"tier": "gold"}},
		{Source: "shop", SourceID: "43", FirstName: "Reza", AddressLine1: "Enghelab St", AddressLine2: "U2 / 1",
			Country: "IR"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(r.AttributeColumns(), []string{"tier"}) {
		t.Errorf("attribute columns %q", r.AttributeColumns())
	}
}

func TestMappingFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		mapping string
		want    []string
	}{
		{"not yaml", "columns: [", []string{"m.yaml: line 1"}},
		{"empty", "", []string{"m.yaml: empty mapping file"}},
		{"unknown target", "columns:\n  frist_name: given\n  email: mail\n", []string{`m.yaml:2:3: unknown canonical column "frist_name" (did you mean "first_name"?)`}},
		{"unknown top key", "colums:\n  email: mail\n", []string{`m.yaml:1:1: unknown key "colums" (did you mean "columns"?)`}},
		{"no columns", "ignore: [a]\n", []string{"m.yaml:1:1: the mapping maps no columns"}},
		{"const with join", "columns:\n  country: {const: AU, join: [a]}\n", []string{"m.yaml:2:12: country: const cannot be combined"}},
		{"empty form", "columns:\n  country: {separator: x}\n", []string{"m.yaml:2:12: country: want {column: NAME}, {const: VALUE} or {join: [...]}"}},
		{"empty list", "columns:\n  city: []\n", []string{"m.yaml:2:9: city: the list is empty"}},
		{"null column", "columns:\n  city:\n", []string{"m.yaml:2:8: city: want a source column name"}},
		{"twice", "columns:\n  city: a\n  City: b\n", []string{"m.yaml:3:3: column city is mapped twice"}},
		{"source twice", "source: x\ncolumns:\n  source: {const: y}\n", []string{"m.yaml:1:9: source is given both"}},
		{"every problem", "columns:\n  nme: a\n  phone: [1, {x: y}]\nfoo: 1\n", []string{
			`m.yaml:2:3: unknown canonical column "nme"`, "m.yaml:3:14: phone: want a column name", `m.yaml:4:1: unknown key "foo"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMapping([]byte(tt.mapping), "m.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			if steward.ErrorCode(err) != steward.EINVALID {
				t.Errorf("code %s, want invalid", steward.ErrorCode(err))
			}
			msg := steward.ErrorMessage(err)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error\n%s\ndoes not contain %q", msg, w)
				}
			}
		})
	}
}

func TestMappingHeaderErrors(t *testing.T) {
	tests := []struct {
		name, mapping, header string
		want                  []string
	}{
		{"column absent", "columns:\n  first_name: given_nam\n", "given_name,x\n",
			[]string{`m.yaml:2:15: column "given_nam" is not in the header (did you mean "given_name"?)`}},
		{"joined column absent", "columns:\n  address_line1: [no, stret]\n", "no,street\n",
			[]string{`m.yaml:2:23: column "stret" is not in the header`}},
		{"ignored column absent", "columns:\n  city: town\nignore: [junk]\n", "town\n",
			[]string{`m.yaml:3:10: column "junk" is not in the header`}},
		{"unmapped canonical column collides", "columns:\n  city: suburb\n", "suburb,city\n",
			[]string{`column "city" is not mapped, and its name is a canonical column`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMapping([]byte(tt.mapping), "m.yaml")
			if err != nil {
				t.Fatal(err)
			}
			_, err = NewReader(strings.NewReader(tt.header), Options{Mapping: m})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(steward.ErrorMessage(err), w) {
					t.Errorf("error\n%s\ndoes not contain %q", steward.ErrorMessage(err), w)
				}
			}
		})
	}
}

func TestLoadMappingMissing(t *testing.T) {
	_, err := LoadMapping("testdata/no-such-mapping.yaml")
	if steward.ErrorCode(err) != steward.ENOTFOUND {
		t.Errorf("error %v, want not_found", err)
	}
}
