package dedupe

import (
	"testing"

	"github.com/steward-crm/steward"
)

// FuzzParseDate: any input parses without panicking, into a date or
// missing, and a parsed date reads back from its own digits.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"19710624", "1971-06-24", "24/06/1971", "۱۳۶۲/۰۵/۱۲", "", "1 2 3", "99999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := parseDate(textKey(s))
		if d.missing() {
			return
		}
		digits := d.digits()
		if back := parseDate(string(digits[:])); back != d {
			t.Fatalf("parseDate(%q) = %v, but its digits %s parse as %v", s, d, digits, back)
		}
	})
}

// FuzzCompare: comparing any two records does not panic, is symmetric, and
// a record compared with itself has no level "different".
func FuzzCompare(f *testing.F) {
	f.Add("Robert", "Smith", "1971-06-24", "bob@example.com", "12 Main St", "Zoë", "محمد", "24/06/1971", "x@y", "")
	f.Fuzz(func(t *testing.T, f1, l1, d1, e1, a1, f2, l2, d2, e2, a2 string) {
		x := steward.Record{FirstName: f1, LastName: l1, BirthDate: d1, Email: e1, AddressLine1: a1, Phone: d1}
		y := steward.Record{FirstName: f2, LastName: l2, BirthDate: d2, Email: e2, AddressLine1: a2, Phone: d2}
		a, b := prepare(&x), prepare(&y)
		if p, q := compare(&a, &b), compare(&b, &a); p != q {
			t.Fatalf("compare not symmetric: %x vs %x", p, q)
		}
		self := compare(&a, &a)
		specs := comparisonSpecs()
		for c := range numComparisons {
			if name := specs[c].levels[self.level(c)]; name == LevelDifferent {
				t.Fatalf("record differs from itself on %s", specs[c].field)
			}
		}
	})
}
