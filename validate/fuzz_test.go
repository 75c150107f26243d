package validate

import "testing"

// FuzzIranIDs: no panic, and a valid ID's normalized form is valid and
// normalizes to itself.
func FuzzIranIDs(f *testing.F) {
	for _, s := range []string{"0499370899", "۰۴۹۹۳۷۰۸۹۹", "84575948", "10380284790", "049-937089-9", "", "1111111111"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, check := range []func(string) Check{IranNationalID, IranLegalID} {
			c := check(s)
			if c.Reason == "" {
				t.Fatalf("%q: empty reason", s)
			}
			if !c.Valid {
				continue
			}
			again := check(c.Normalized)
			if !again.Valid || again.Normalized != c.Normalized {
				t.Fatalf("%q normalized to %q, which gives %+v", s, c.Normalized, again)
			}
		}
	})
}

// FuzzPhone: no panic, and a valid number's E.164 form is valid with the
// same E.164 form, whatever the default region.
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"09121234567", "۰۹۱۲۱۲۳۴۵۶۷", "+44 20 7946 0018", "(202) 555-0143", "0098 912", "+"} {
		f.Add(s, "IR")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		p := Phone(s, region)
		if p.Reason == "" {
			t.Fatalf("%q: empty reason", s)
		}
		if !p.Valid {
			return
		}
		again := Phone(p.Normalized, "US")
		if !again.Valid || again.Normalized != p.Normalized {
			t.Fatalf("Phone(%q, %q) = %s, which gives %+v", s, region, p.Normalized, again)
		}
	})
}

// FuzzPostalCode: no panic, and a valid code's normalized form is valid.
func FuzzPostalCode(f *testing.F) {
	p, err := LoadPostalRules()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"11936-12345", "EC1Y 8SY", "95014", "۱۱۹۳۶۱۲۳۴۵", ""} {
		f.Add("IR", s)
		f.Add("GB", s)
	}
	f.Fuzz(func(t *testing.T, country, code string) {
		c := p.Check(country, code)
		if c.Valid {
			if again := p.Check(country, c.Normalized); !again.Valid || again.Normalized != c.Normalized {
				t.Fatalf("Check(%q, %q) normalized to %q, which gives %+v", country, code, c.Normalized, again)
			}
		}
	})
}
