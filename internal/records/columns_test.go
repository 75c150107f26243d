package records

import (
	"reflect"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

func TestColumns(t *testing.T) {
	m, err := ParseMapping([]byte("columns:\n  first_name: given\n  address_line1: [no, street]\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cols, err := NewColumns([]string{" Given ", "no", "street", "Tier"}, m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := cols.Header(); !reflect.DeepEqual(got, []string{"Given", "no", "street", "Tier"}) {
		t.Errorf("header %q", got)
	}
	tests := []struct {
		name string
		row  []string
		want steward.Record
		err  string
	}{
		{"full row", []string{" Ann ", "6", "Main St", "gold"},
			steward.Record{FirstName: "Ann", AddressLine1: "6 Main St", Attributes: map[string]string{"tier": "gold"}}, ""},
		{"short row is padded", []string{"Bob"}, steward.Record{FirstName: "Bob"}, ""},
		{"long row", []string{"a", "b", "c", "d", "e"}, steward.Record{}, "wrong number of fields: 5, the header has 4"},
		{"invalid UTF-8", []string{"a", "\xff"}, steward.Record{}, `column "no": invalid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := cols.Record(tt.row)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if _, err := NewColumns([]string{"a", "b", "c"}, nil, 2); steward.ErrorCode(err) != steward.EINVALID {
		t.Errorf("too many columns: %v", err)
	}
	if _, err := NewColumns([]string{"a", "\xff"}, nil, 0); steward.ErrorCode(err) != steward.EINVALID {
		t.Errorf("invalid UTF-8 header: %v", err)
	}
}
