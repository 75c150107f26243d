package cleanse

import (
	_ "embed"
	"encoding/json"
	"regexp"
	"strings"
	"sync"

	"github.com/steward-crm/steward/internal/lib/postaldata"
)

// Rule names of the postal-code and region standardizers.
const (
	RulePostalFormat      = "postal.format"       // postal code laid out as the country writes it
	RulePostalInvalid     = "postal.invalid"      // flag: not a postal code of the country, kept as written
	RulePostalLeadingZero = "postal.leading_zero" // US ZIP code given back the leading zero a spreadsheet dropped
	RuleRegion            = "region.standard"     // region written in the country's standard form
)

//go:embed data/address/subregions.json
var subregionsJSON []byte

type postalRule struct {
	re     *regexp.Regexp
	shapes []string // layouts of the examples: 9 digit, A letter, other kept
}

var loadPostalRules = sync.OnceValue(func() map[string]*postalRule {
	raw, err := postaldata.Rules()
	if err != nil {
		panic("cleanse: embedded postal rules: " + err.Error())
	}
	rules := make(map[string]*postalRule, len(raw))
	for code, r := range raw {
		if r.Pattern == nil {
			continue
		}
		pr := &postalRule{re: r.Pattern}
		seen := map[string]bool{}
		for _, ex := range r.Examples {
			sh := postalShape(strings.TrimSpace(ex))
			if sh != "" && !seen[sh] {
				seen[sh] = true
				pr.shapes = append(pr.shapes, sh)
			}
		}
		rules[code] = pr
	}
	return rules
})

func postalShape(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return '9'
		case r >= 'A' && r <= 'Z':
			return 'A'
		}
		return r
	}, s)
}

// PostalCode checks and lays out a postal code for a country (ISO 3166-1
// alpha-2) with the patterns and examples of Google's address metadata:
// Text, upper case, then, if the code does not match the country's
// pattern as written, its letters and digits are laid out like one of the
// country's examples (sw1a1aa → SW1A 1AA, 123456789 → 12345-6789 in the
// US, 1234ab → 1234 AB in the Netherlands). Iran's ten digits are written
// plain, without the hyphen ("1193612345"): the form Iran Post prints and
// people type. A code that fits no layout is flagged (RulePostalInvalid)
// and kept as written after Text; a country without postal codes, or an
// unknown one, gets Text only.
func PostalCode(s, country string) (string, []Fix) {
	var f fixes
	s, tf := Text(s)
	f = append(f, tf...)
	if s == "" {
		return s, f
	}
	rule, ok := loadPostalRules()[strings.ToUpper(country)]
	if !ok {
		return s, f
	}
	up := strings.ToUpper(s)
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' {
			return -1
		}
		return r
	}, up)
	if strings.EqualFold(country, "IR") {
		if rule.re.MatchString(compact) {
			return f.step(RulePostalFormat, s, compact), f
		}
		f = append(f, Fix{Before: s, After: s, Rule: RulePostalInvalid})
		return s, f
	}
	if rule.re.MatchString(up) && layoutMatches(up, rule.shapes) {
		return f.step(RulePostalFormat, s, up), f
	}
	for _, sh := range rule.shapes {
		if c := layout(compact, sh); c != "" && rule.re.MatchString(c) {
			return f.step(RulePostalFormat, s, c), f
		}
	}
	if rule.re.MatchString(up) {
		return f.step(RulePostalFormat, s, up), f
	}
	if c := usZIPLeadingZero(compact, country); c != "" && rule.re.MatchString(c) {
		return f.step(RulePostalLeadingZero, s, c), f
	}
	f = append(f, Fix{Before: s, After: s, Rule: RulePostalInvalid})
	return s, f
}

// usZIPLeadingZero returns the US ZIP code whose leading zero a
// spreadsheet dropped, reading it as a number: four digits (2134 →
// 02134) or eight, a ZIP+4 (2134-1234 or 21341234 → 02134-1234). No US
// ZIP code has four or eight digits, and the ZIP codes of New England,
// New Jersey and Puerto Rico start with 0, so the restoration is
// unambiguous; for any other country, or another length, it returns "".
func usZIPLeadingZero(compact, country string) string {
	if !strings.EqualFold(country, "US") {
		return ""
	}
	for i := 0; i < len(compact); i++ {
		if compact[i] < '0' || compact[i] > '9' {
			return ""
		}
	}
	switch len(compact) {
	case 4:
		return "0" + compact
	case 8:
		return "0" + compact[:4] + "-" + compact[4:]
	}
	return ""
}

func layoutMatches(s string, shapes []string) bool {
	if len(shapes) == 0 {
		return true
	}
	sh := postalShape(s)
	for _, x := range shapes {
		if x == sh {
			return true
		}
	}
	return false
}

// layout writes the letters and digits of compact in shape, or returns ""
// when they do not fit (different count, a digit where a letter belongs).
func layout(compact, shape string) string {
	var b strings.Builder
	i := 0
	for j := 0; j < len(shape); j++ {
		c := shape[j]
		if c != '9' && c != 'A' {
			b.WriteByte(c)
			continue
		}
		if i >= len(compact) {
			return ""
		}
		x := compact[i]
		i++
		switch {
		case c == '9' && x >= '0' && x <= '9':
		case c == 'A' && x >= 'A' && x <= 'Z':
		case c == 'A' && x >= '0' && x <= '9':
			// Examples do not show every position's class (GB "M2 5BQ" vs
			// "CR0 2YR"); the pattern decides.
		default:
			return ""
		}
		b.WriteByte(x)
	}
	if i != len(compact) {
		return ""
	}
	return b.String()
}

type regionTable struct {
	byCountry map[string]map[string]string // country → regionKey(name) → standard form
	// bySkeleton maps NameSkeleton(regionKey(name)) to the standard form,
	// "" where two regions share a skeleton.
	bySkeleton map[string]map[string]string
}

var loadRegions = sync.OnceValue(func() *regionTable {
	var raw map[string]struct {
		Keys   string `json:"sub_keys"`
		Names  string `json:"sub_names"`
		LNames string `json:"sub_lnames"`
		ISOIDs string `json:"sub_isoids"`
	}
	if err := json.Unmarshal(subregionsJSON, &raw); err != nil {
		panic("cleanse: embedded subregions.json: " + err.Error())
	}
	t := &regionTable{byCountry: map[string]map[string]string{}, bySkeleton: map[string]map[string]string{}}
	for country, r := range raw {
		keys := strings.Split(r.Keys, "~")
		names := splitTilde(r.Names, len(keys))
		lnames := splitTilde(r.LNames, len(keys))
		isoids := splitTilde(r.ISOIDs, len(keys))
		m := map[string]string{}
		sk := map[string]string{}
		add := func(name, std string) {
			k := regionKey(name)
			if k == "" {
				return
			}
			if _, ok := m[k]; !ok {
				m[k] = std
			}
			// Only where the standard form is in Arabic script are Latin
			// spellings transliterations with variants worth matching
			// loosely; a US state is spelled one way.
			if s := NameSkeleton(k); s != "" && isArabicScript(std) {
				if old, ok := sk[s]; ok && old != std {
					sk[s] = ""
				} else {
					sk[s] = std
				}
			}
		}
		for i, k := range keys {
			std := k
			if country == "IR" {
				std = strings.TrimPrefix(k, "استان ")
			}
			add(k, std)
			add(names[i], std)
			add(lnames[i], std)
			if isoids[i] != "" {
				add(country+"-"+isoids[i], std)
			}
		}
		t.byCountry[country] = m
		t.bySkeleton[country] = sk
	}
	return t
})

func splitTilde(s string, n int) []string {
	out := strings.Split(s, "~")
	for len(out) < n {
		out = append(out, "")
	}
	return out
}

// regionWords are words that say "province" or "state" and are left out
// when comparing region names.
var regionWords = map[string]bool{
	"استان": true, "province": true, "ostan": true, "state": true, "of": true, "e": true,
}

func regionKey(s string) string {
	k := MatchKey(s)
	if k == "" {
		return ""
	}
	words := strings.Split(k, " ")
	out := words[:0:0]
	for _, w := range words {
		if !regionWords[w] {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return k
	}
	return strings.Join(out, " ")
}

// Region standardizes a region (state, province) of a country with the
// subdivisions in Google's address metadata: a US state written out, as
// its two letters, or as "US-CA" becomes "CA"; an Iranian province in
// Persian (with or without "استان"), in Latin ("Tehran Province",
// "Tehran") or as "IR-23" becomes its Persian name without "استان"
// ("تهران"), the form Iranian addresses use. Other countries with
// subdivisions in the metadata get the metadata's key. A region steward
// cannot match exactly is, in a country whose regions are written in
// Arabic script, matched by its consonant skeleton (NameSkeleton: Esfahan,
// Isfahan; Khuzistan, Khuzestan) when that names one region only, and
// otherwise kept as written after Text.
func Region(s, country string) (string, []Fix) {
	var f fixes
	s, tf := Text(s)
	f = append(f, tf...)
	if s == "" {
		return s, f
	}
	t := loadRegions()
	c := strings.ToUpper(country)
	m := t.byCountry[c]
	if m == nil {
		return s, f
	}
	k := regionKey(s)
	std, ok := m[k]
	if !ok {
		// Transliteration variants (Esfahan, Isfahan, اصفهان) share a
		// consonant skeleton; use it when it names one region only.
		std, ok = t.bySkeleton[c][NameSkeleton(k)]
		ok = ok && std != ""
	}
	if ok {
		s = f.step(RuleRegion, s, std)
	}
	return s, f
}
