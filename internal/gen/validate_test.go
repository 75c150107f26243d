package gen

import (
	"testing"

	"github.com/steward-crm/steward/validate"
)

// TestOriginalsPassValidation checks the generated originals against
// steward's own validators (libphonenumber metadata, Google's postal rules,
// the Iranian national code check, email syntax): clean data must look clean, so that
// the errors in duplicates are the only errors.
func TestOriginalsPassValidation(t *testing.T) {
	recs := collect(t, Options{N: 20000, Seed: 1, DupRate: 0})
	countries := newCountries()
	rules, err := validate.LoadPostalRules()
	if err != nil {
		t.Fatal(err)
	}
	total := map[string]int{}
	bad := map[string]int{}
	for i := range recs {
		r := &recs[i]
		c := countryOf(r, countries)
		if p := r.row[colPhone]; p != "" {
			total["phone "+c]++
			if res := validate.Phone(p, c); !res.Valid && !res.Possible {
				bad["phone "+c]++
			}
		}
		if pc := r.row[colPostal]; pc != "" {
			total["postal "+c]++
			if !rules.Check(c, pc).Valid {
				t.Errorf("%s postal code %q is invalid", c, pc)
			}
		}
		if e := r.row[colEmail]; e != "" {
			total["email"]++
			if res := validate.EmailSyntax(e); !res.Valid {
				t.Errorf("email %q is invalid: %s", e, res.Reason)
			}
		}
		if id := r.row[colNatID]; id != "" && c == "IR" {
			total["national id"]++
			if !validate.IranNationalID(id).Valid {
				t.Errorf("national id %q is invalid", id)
			}
		}
	}
	t.Logf("checked %v", total)
	for k, n := range bad {
		// A few UK mobile ranges are unallocated in the metadata.
		if n*1000 > total[k]*5 {
			t.Errorf("%s: %d of %d invalid", k, n, total[k])
		}
	}
}
