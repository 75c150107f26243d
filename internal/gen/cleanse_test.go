package gen

import (
	"strings"
	"testing"

	"github.com/steward-crm/steward/cleanse"
)

// TestCountryFormsStandardize: every way the generator writes a country
// (its code and each of its names: "Aust.", "U.S.A.", "جمهوری اسلامی
// ایران" …) is understood by the country standardizer, so that an import
// of steward gen's own output never drops a country it wrote.
func TestCountryFormsStandardize(t *testing.T) {
	for code, c := range newCountries() {
		for _, name := range append([]string{code}, c.names...) {
			got, fixes := cleanse.CountryCode(name)
			if got != code {
				t.Errorf("CountryCode(%q) = %q (fixes %+v), want %s", name, got, fixes, code)
			}
		}
	}
}

// TestGeneratedCountriesStandardize runs the same check over generated
// files, duplicates included (whose country is written another way, and
// may carry Arabic letter forms): each country written standardizes to
// the country of the entity's original.
func TestGeneratedCountriesStandardize(t *testing.T) {
	countries := newCountries()
	for _, locale := range []Locale{LocaleMixed, LocaleFA, LocaleEN} {
		t.Run(string(locale), func(t *testing.T) {
			recs := collect(t, Options{N: 5000, Seed: 5, DupRate: 0.5, Locale: locale})
			forms := map[string]bool{}
			for _, group := range byEntity(recs) {
				want := countryOf(group[0], countries)
				if want == "" {
					t.Fatalf("original %v has no country the generator knows", group[0].row)
				}
				for _, r := range group {
					v := r.row[colCountry]
					if v == "" {
						continue
					}
					forms[v] = true
					if got, fixes := cleanse.CountryCode(v); got != want {
						t.Errorf("entity %d: country %q standardizes to %q (fixes %+v), want %s", r.entity, v, got, fixes, want)
					}
				}
			}
			if len(forms) < 5 {
				t.Errorf("only %d country forms written: %v", len(forms), forms)
			}
		})
	}
}

// TestGeneratedZIPCodesRestored: a US ZIP code whose leading zero the
// generator dropped, as a spreadsheet does (Boston's 02108 → 2108), is
// given it back by the postal standardizer, as the original wrote it.
func TestGeneratedZIPCodesRestored(t *testing.T) {
	countries := newCountries()
	recs := collect(t, Options{N: 20000, Seed: 9, DupRate: 0.5, Locale: LocaleEN})
	restored := 0
	for _, group := range byEntity(recs) {
		orig := group[0]
		if countryOf(orig, countries) != "US" || !strings.HasPrefix(orig.row[colPostal], "0") {
			continue
		}
		for _, r := range group[1:] {
			v := r.row[colPostal]
			if v == "" || v == orig.row[colPostal] || strings.TrimLeft(orig.row[colPostal], "0") != v {
				continue
			}
			got, fixes := cleanse.PostalCode(v, "US")
			if got != orig.row[colPostal] {
				t.Errorf("PostalCode(%q, US) = %q (fixes %+v), want %q", v, got, fixes, orig.row[colPostal])
			}
			restored++
		}
	}
	if restored == 0 {
		t.Error("no US ZIP code lost its leading zero in 20,000 generated records")
	}
	t.Logf("%d ZIP codes restored", restored)
}
