package cleanse

import (
	"testing"

	"github.com/steward-crm/steward"
)

var standardizeSeeds = []string{
	"", "John Smith", "  JOHN  SMITH ", "o'brien", "mcdonald", "van der Berg", "Dr. mary-anne",
	"جناب آقای محمد\u200cرضا", "كريمي", "مُحَمَّد", "محـــمد", "می\u200c\u200cخواهم", "\u202bعلی\u202c",
	"ＡＢＣ１２３", "ﻋﻠﯽ", "Acme, Incorporated", "شركت ايران خودرو (سهامي عام)", "Müller G.m.b.H.",
	"۰۹۱۲ ۳۴۵ ۶۷۸۹", "+14155552671;ext=12", "(415) 555-2671 ext. 12", "sw1a1aa", "11936-12345",
	"123 North Main Street Apartment 4", "خ.آزادی پلاک۱۲", "Ali@Bücher.DE", "<a@b.com>",
	"John Doe <john@gmail.com>", `"Doe, John" <John@Gmail.COM>`, "=?UTF-8?Q?Jos=C3=A9?= <jose@x.es>",
	"03/04/1980", "۱۳۶۰/۰۵/۱۲", "12 March 1980", "Smith, John", "Ludwig van Beethoven",
}

// fuzzStandardizer checks that std never panics, is idempotent, and that
// every fix it reports either changes the value or flags it.
func fuzzStandardizer(f *testing.F, name string, std func(string) (string, []Fix)) {
	for _, s := range standardizeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once, fs := std(s)
		twice, fs2 := std(once)
		if twice != once {
			t.Fatalf("%s not idempotent: %q → %q → %q", name, s, once, twice)
		}
		for _, x := range fs2 {
			if x.Before != x.After {
				t.Fatalf("%s second pass on %q changed %q → %q by %s", name, once, x.Before, x.After, x.Rule)
			}
		}
		prev := s
		for _, x := range fs {
			if x.Before != x.After {
				if x.Before != prev {
					t.Fatalf("%s(%q): fix %s starts from %q, want %q", name, s, x.Rule, x.Before, prev)
				}
				prev = x.After
			}
		}
	})
}

func FuzzText(f *testing.F) { fuzzStandardizer(f, "Text", Text) }
func FuzzPersonName(f *testing.F) {
	fuzzStandardizer(f, "PersonName", func(s string) (string, []Fix) {
		n, _, _, fs := PersonName(s)
		return n, fs
	})
}
func FuzzCompany(f *testing.F) { fuzzStandardizer(f, "Company", Company) }
func FuzzPhone(f *testing.F) {
	fuzzStandardizer(f, "Phone", func(s string) (string, []Fix) {
		p, _, fs := Phone(s, "IR")
		return p, fs
	})
}
func FuzzCountryCode(f *testing.F) { fuzzStandardizer(f, "CountryCode", CountryCode) }
func FuzzPostalCode(f *testing.F) {
	fuzzStandardizer(f, "PostalCode", func(s string) (string, []Fix) { return PostalCode(s, "GB") })
}
func FuzzRegion(f *testing.F) {
	fuzzStandardizer(f, "Region", func(s string) (string, []Fix) { return Region(s, "IR") })
}
func FuzzStreetLine(f *testing.F) {
	fuzzStandardizer(f, "StreetLine", func(s string) (string, []Fix) { return StreetLine(s, "US") })
}
func FuzzCity(f *testing.F) {
	fuzzStandardizer(f, "City", func(s string) (string, []Fix) { return City(s, "US") })
}
func FuzzPersianStreet(f *testing.F) {
	fuzzStandardizer(f, "StreetLine", func(s string) (string, []Fix) { return StreetLine(s, "IR") })
}
func FuzzEmail(f *testing.F) { fuzzStandardizer(f, "Email", Email) }
func FuzzDate(f *testing.F) {
	fuzzStandardizer(f, "Date", func(s string) (string, []Fix) { return Date(s, DateOrderDMY) })
}

// FuzzRecord puts one fuzzed value into every field and checks that
// Record is idempotent.
func FuzzRecord(f *testing.F) {
	for _, s := range standardizeSeeds {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		r := steward.Record{FirstName: a, LastName: b, Company: a, Email: b, Phone: a,
			AddressLine1: b, AddressLine2: a, City: b, Region: a, PostalCode: b, Country: a,
			BirthDate: b, NationalID: a}
		opts := Options{DefaultCountry: "US", DateOrder: DateOrderMDY}
		Record(&r, opts)
		once := r.Clone()
		for _, x := range Record(&r, opts) {
			if x.Before != x.After {
				t.Fatalf("second pass changed %s by %s: %q → %q (inputs %q, %q)", x.Field, x.Rule, x.Before, x.After, a, b)
			}
		}
		if d := steward.Diff(&once, &r); len(d) != 0 {
			t.Fatalf("second pass changed %v", d)
		}
	})
}

// FuzzRecordInferCountry is FuzzRecord for records without a country,
// whose phone, name and address may show one (InferCountry): what the
// first pass inferred, or did not, the second pass leaves as it is.
func FuzzRecordInferCountry(f *testing.F) {
	for _, s := range [][2]string{
		{"+98 912 123 4567", "خ آزادی"}, {"0098 912 123 4567", "تهران"}, {"09121234567", "علی"},
		{"+1 617 555 0100", "خیابان آزادی"}, {"+49 30 901820", "Berlin"}, {"020 7946 0000", "گلبرگ"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, def := range []string{"", "GB", "IR"} {
			r := steward.Record{FirstName: b, Phone: a, AddressLine1: b, City: a, Region: b}
			opts := Options{DefaultCountry: def}
			Record(&r, opts)
			once := r.Clone()
			for _, x := range Record(&r, opts) {
				if x.Before != x.After {
					t.Fatalf("default %q: second pass changed %s by %s: %q → %q (inputs %q, %q)", def, x.Field, x.Rule, x.Before, x.After, a, b)
				}
			}
			if d := steward.Diff(&once, &r); len(d) != 0 {
				t.Fatalf("default %q: second pass changed %v", def, d)
			}
		}
	})
}
