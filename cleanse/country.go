package cleanse

import (
	_ "embed"
	"strings"
	"sync"
)

// Rule names of the country standardizer.
const (
	RuleCountry        = "country.iso"     // country written as ISO 3166-1 alpha-2
	RuleCountryUnknown = "country.unknown" // flag: not a country steward knows, kept as written
)

var (
	//go:embed data/countries/countries.tsv
	countriesTSV string
	//go:embed data/countries/aliases.txt
	countryAliasesTxt string
)

// CountryInfo describes one ISO 3166-1 country.
type CountryInfo struct {
	Alpha2, Alpha3 string
	English        string // English short name (CLDR)
	Persian        string // Persian name (CLDR)
	Native         string // name in the country's main language (CLDR), may be ""
}

type countryTable struct {
	byAlpha2 map[string]*CountryInfo
	byKey    map[string]string // countryKey(name or code) → alpha-2
}

var loadCountries = sync.OnceValue(func() *countryTable {
	t := &countryTable{byAlpha2: map[string]*CountryInfo{}, byKey: map[string]string{}}
	add := func(name, code string) {
		if k := countryKey(name); k != "" {
			if _, ok := t.byKey[k]; !ok {
				t.byKey[k] = code
			}
		}
	}
	for line := range strings.Lines(countriesTSV) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		col := strings.Split(line, "\t")
		if len(col) < 6 {
			continue
		}
		c := &CountryInfo{Alpha2: col[0], Alpha3: col[1], English: col[2], Persian: col[3], Native: col[5]}
		t.byAlpha2[c.Alpha2] = c
		add(c.Alpha2, c.Alpha2)
		add(c.Alpha3, c.Alpha2)
		add(c.English, c.Alpha2)
		add(c.Persian, c.Alpha2)
		add(c.Native, c.Alpha2)
		// CLDR writes some names with a qualifier: "Myanmar (Burma)",
		// "Congo - Kinshasa", "Hong Kong SAR China".
		if i := strings.IndexAny(c.English, "(-"); i > 0 {
			add(c.English[:i], c.Alpha2)
		}
	}
	// Aliases win over CLDR short names ("Congo" is CG), so add them first
	// into a fresh map and overlay.
	for line := range strings.Lines(countryAliasesTxt) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.Split(line, "|")
		for _, a := range parts[1:] {
			if k := countryKey(a); k != "" {
				t.byKey[k] = parts[0]
			}
		}
	}
	return t
})

// countryKey is the lookup form of a country name: MatchKey without "the"
// and "and" and with "&" gone, and without spaces inside dotted
// abbreviations (U.S.A. → usa).
func countryKey(s string) string {
	k := MatchKey(s)
	if k == "" {
		return ""
	}
	words := strings.Split(k, " ")
	out := words[:0:0]
	allShort := true
	for _, w := range words {
		if w == "the" || w == "and" {
			continue
		}
		if len([]rune(w)) > 1 {
			allShort = false
		}
		out = append(out, w)
	}
	if allShort {
		return strings.Join(out, "")
	}
	return strings.Join(out, " ")
}

// LookupCountry returns the ISO 3166-1 alpha-2 code for a country name or
// code: alpha-2, alpha-3, the English, Persian or native name (CLDR), or a
// common alias (USA, U.S.A., United States of America, UK, Great Britain,
// England, Holland, Persia, ایران, آمریکا, Deutschland …), matched case-,
// accent- and script-form-blind. ok is false when s names no country.
func LookupCountry(s string) (code string, ok bool) {
	k := countryKey(s)
	if k == "" {
		return "", false
	}
	code, ok = loadCountries().byKey[k]
	return code, ok
}

// Country returns facts about the country with alpha-2 code; ok is false
// for an unknown code.
func Country(code string) (CountryInfo, bool) {
	c, ok := loadCountries().byAlpha2[strings.ToUpper(code)]
	if !ok {
		return CountryInfo{}, false
	}
	return *c, true
}

// CountryCode standardizes a country field to its ISO 3166-1 alpha-2 code
// (see LookupCountry). A value that names no country is flagged
// (RuleCountryUnknown) and kept as written after Text.
func CountryCode(s string) (string, []Fix) {
	var f fixes
	s, tf := Text(s)
	f = append(f, tf...)
	if s == "" {
		return s, f
	}
	code, ok := LookupCountry(s)
	if !ok {
		f = append(f, Fix{Before: s, After: s, Rule: RuleCountryUnknown})
		return s, f
	}
	s = f.step(RuleCountry, s, code)
	return s, f
}
