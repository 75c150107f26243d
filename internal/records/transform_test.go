package records

import (
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func TestTransforms(t *testing.T) {
	date := func(layout string) valueTransform {
		tr, err := dateTransform(layout)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	tests := []struct {
		name string
		tr   valueTransform
		in   string
		want string
	}{
		{"bool yes", valueTransform{kind: TransformBool}, "Yes", "true"},
		{"bool 0", valueTransform{kind: TransformBool}, "0", "false"},
		{"bool Persian", valueTransform{kind: TransformBool}, "بله", "true"},
		{"bool Persian digit", valueTransform{kind: TransformBool}, "۱", "true"},
		{"bool unreadable is kept", valueTransform{kind: TransformBool}, "maybe", "maybe"},
		{"bool empty stays empty", valueTransform{kind: TransformBool}, "", ""},
		{"not no", valueTransform{kind: TransformNot}, "no", "true"},
		{"not TRUE", valueTransform{kind: TransformNot}, "TRUE", "false"},
		{"strftime day first", date("%d/%m/%Y"), "05/01/1993", "1993-01-05"},
		{"strftime one digit", date("%d/%m/%Y"), "5/1/1993", "1993-01-05"},
		{"strftime month first", date("%m-%d-%Y"), "01-25-1993", "1993-01-25"},
		{"Go layout", date("2.1.2006"), "25.01.1993", "1993-01-25"},
		{"month name", date("%d %b %Y"), "5 Jan 1993", "1993-01-05"},
		{"Persian digits", date("%d/%m/%Y"), "۰۵/۰۱/۱۹۹۳", "1993-01-05"},
		{"two-digit year is in the past", date("%d/%m/%y"), "05/01/93", "1993-01-05"},
		{"two-digit year this century", date("%d/%m/%y"), "05/01/01", "2001-01-05"},
		{"not in the layout is kept", date("%d/%m/%Y"), "1993-01-05", "1993-01-05"},
		{"impossible date is kept", date("%d/%m/%Y"), "31/02/1993", "31/02/1993"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tr.apply(tt.in); got != tt.want {
				t.Errorf("apply(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDateLayoutErrors(t *testing.T) {
	for _, layout := range []string{"%d/%m", "%q/%m/%Y", "%d/%m/%", "2006-01", "dd/mm/yyyy", ""} {
		if _, err := dateTransform(layout); err == nil {
			t.Errorf("layout %q accepted", layout)
		}
	}
}

// TestMappingTransformsAndAttributes: a mapping fills attributes and reads
// values through transforms.
func TestMappingTransformsAndAttributes(t *testing.T) {
	m, err := ParseMapping([]byte(`
columns:
  email: E-mail
  birth_date: {column: Born, date: "%d/%m/%Y"}
attributes:
  email_opt_out: {column: Accepts Email Marketing, transform: not}
  vip: {column: VIP, transform: bool}
  channel: {const: web}
  spent: Total Spent
`), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	input := "E-mail,Born,Accepts Email Marketing,VIP,Total Spent,Tags\n" +
		"ann@gmail.com,25/01/1993,yes,1,10.50,a\n" +
		"bob@gmail.com,05/01/1993,no,maybe,,\n"
	r, err := NewReader(strings.NewReader(input), Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	want := []steward.Record{
		{Email: "ann@gmail.com", BirthDate: "1993-01-25", Attributes: map[string]string{"email_opt_out": "false", "vip": "true", "channel": "web", "spent": "10.50", "tags": "a"}},
		{Email: "bob@gmail.com", BirthDate: "1993-01-05", Attributes: map[string]string{"email_opt_out": "true", "vip": "maybe", "channel": "web"}},
	}
	for i := range want {
		if i >= len(got) || !sameRecord(got[i], want[i]) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i+1, got, want[i])
		}
	}
	if got, want := strings.Join(r.AttributeColumns(), ","), "email_opt_out,vip,spent,tags,channel"; got != want {
		t.Errorf("attribute columns %s, want %s (header order, constants last)", got, want)
	}
}

func sameRecord(a, b steward.Record) bool {
	if len(a.Attributes) != len(b.Attributes) || len(steward.Diff(&a, &b)) > 0 {
		return false
	}
	return a.Source == b.Source && a.SourceID == b.SourceID
}

func TestMappingTransformErrors(t *testing.T) {
	tests := []struct{ name, mapping, want string }{
		{"unknown transform", "columns:\n  email: {column: a, transform: negate}\n", `m.yaml:2:33: email: unknown transform "negate": want bool or not`},
		{"transform without column", "columns:\n  email: {join: [a, b], transform: bool}\n", "m.yaml:2:36: email: a transform applies to one column"},
		{"bad date layout", "columns:\n  birth_date: {column: a, date: \"%d/%m\"}\n", `m.yaml:2:33: birth_date: date layout "%d/%m" does not name a day, a month and a year`},
		{"transform and date", "columns:\n  birth_date: {column: a, transform: bool, date: \"%d/%m/%Y\"}\n", "birth_date: transform and date cannot be combined"},
		{"column with join", "columns:\n  email: {column: a, join: [b]}\n", "m.yaml:2:10: email: column cannot be combined with const, join or separator"},
		{"canonical under attributes", "attributes:\n  email: a\n", `m.yaml:2:3: "email" is a canonical column: put it under columns`},
		{"attribute under columns", "columns:\n  email_opt_out: a\n", `m.yaml:2:3: unknown canonical column "email_opt_out"`},
		{"attribute twice", "attributes:\n  tier: a\n  Tier: b\n", "m.yaml:3:3: attribute tier is mapped twice"},
		{"report column as attribute", "attributes:\n  steward_line: a\n", `"steward_line" cannot name an attribute`},
		{"unknown form key", "columns:\n  email: {colum: a}\n", `email: unknown key "colum" (did you mean "column"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMapping([]byte(tt.mapping), "m.yaml")
			if err == nil || !strings.Contains(steward.ErrorMessage(err), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMappingAttributeCollides(t *testing.T) {
	m, err := ParseMapping([]byte("attributes:\n  tier: level\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewReader(strings.NewReader("level,tier\n"), Options{Mapping: m})
	if err == nil || !strings.Contains(steward.ErrorMessage(err), `column "tier" is not mapped, and its name is an attribute the mapping fills from elsewhere`) {
		t.Errorf("error %v", err)
	}
}

// FuzzTransforms: a transform never panics, gives back a value it cannot
// read as it is, and applied to its own output changes nothing (bool,
// date) or undoes itself (not).
func FuzzTransforms(f *testing.F) {
	f.Add("yes", "%d/%m/%Y")
	f.Add("05/01/93", "%d/%m/%y")
	f.Add("۲۵.۰۱.۱۹۹۳", "2.1.2006")
	f.Add("", "%b %d %Y")
	f.Fuzz(func(t *testing.T, v, layout string) {
		b := valueTransform{kind: TransformBool}
		if once := b.apply(v); b.apply(once) != once {
			t.Fatalf("bool: %q → %q → %q", v, once, b.apply(once))
		}
		n := valueTransform{kind: TransformNot}
		if once := n.apply(v); once != v {
			if twice := n.apply(once); twice != b.apply(v) {
				t.Fatalf("not twice: %q → %q → %q, want %q", v, once, twice, b.apply(v))
			}
		}
		d, err := dateTransform(layout)
		if err != nil {
			return
		}
		once := d.apply(v)
		if once != v && !isoDay(once) {
			t.Fatalf("date %q in %q → %q: neither the value nor an ISO date", v, layout, once)
		}
	})
}

func isoDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
