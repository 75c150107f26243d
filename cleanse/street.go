package cleanse

import (
	_ "embed"
	"encoding/csv"
	"slices"
	"strings"
	"sync"
)

// Rule names of the street-line standardizers.
const (
	RuleStreetUSPS    = "street.usps"    // US street line in USPS Publication 28 form
	RuleStreetPersian = "street.persian" // Persian street words written out in full
	RuleCityUSPS      = "city.usps"      // US city in capitals, as the USPS street line
)

var (
	//go:embed data/usps-pub28/usps_pub28_c1_street_suffixes.csv
	uspsSuffixesCSV string
	//go:embed data/usps-pub28/usps_pub28_c2_secondary_unit_designators.csv
	uspsUnitsCSV string
	//go:embed data/usps-pub28/usps_pub28_appendix_b_directionals.csv
	uspsDirectionalsCSV string
	//go:embed data/usps-pub28/usps_pub28_appendix_b_states.csv
	uspsStatesCSV string
	//go:embed data/libpostal/fa_street_types.txt
	faStreetTypesTxt string
)

type uspsTable struct {
	suffix      map[string]string // any spelling → standard abbreviation (C1)
	unit        map[string]string // description or abbreviation → abbreviation (C2)
	directional map[string]string // North, N, Northeast, NE → N, NE
	state       map[string]string // state name or code → two letters
}

func readCSV(s string) [][]string {
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		panic("cleanse: embedded USPS table: " + err.Error())
	}
	return rows[1:]
}

var loadUSPS = sync.OnceValue(func() *uspsTable {
	t := &uspsTable{suffix: map[string]string{}, unit: map[string]string{}, directional: map[string]string{}, state: map[string]string{}}
	for _, r := range readCSV(uspsSuffixesCSV) {
		t.suffix[r[0]] = r[2]
		t.suffix[r[1]] = r[2]
		t.suffix[r[2]] = r[2]
	}
	for _, r := range readCSV(uspsUnitsCSV) {
		if strings.HasPrefix(r[0], "BLANK") {
			continue
		}
		t.unit[r[0]] = r[1]
		t.unit[r[1]] = r[1]
	}
	t.unit["APARTMENT"] = "APT"
	t.unit["UNIT"] = "UNIT"
	t.unit["SUITE"] = "STE"
	for _, r := range readCSV(uspsDirectionalsCSV) {
		t.directional[strings.ToUpper(r[0])] = r[1]
		t.directional[r[1]] = r[1]
	}
	for _, r := range readCSV(uspsStatesCSV) {
		t.state[regionKey(r[0])] = r[1]
		t.state[regionKey(r[1])] = r[1]
	}
	return t
})

// USStreet writes a US street line in USPS Publication 28 form: upper
// case, punctuation other than "#", "-" and "/" removed, the street
// suffix abbreviated (C1: Street → ST, Avenue → AVE), pre- and
// post-directionals abbreviated (North → N, Southwest → SW), and a
// secondary unit designator abbreviated (C2: Apartment → APT, Suite →
// STE, Floor → FL): "123 North Main Street Apartment 4" → "123 N MAIN ST
// APT 4".
func USStreet(s string) string {
	t := loadUSPS()
	up := strings.Map(func(r rune) rune {
		switch r {
		case '.', ',', ';', ':', '"', '\'', '(', ')':
			return ' '
		}
		return r
	}, strings.ToUpper(s))
	words := strings.Fields(up)
	if len(words) == 0 {
		return ""
	}
	// The unit designator starts the secondary part: "# 4", "APT 4",
	// "APARTMENT 4B", "FL 2" (a designator followed by a range), and the
	// designators that need no range (BSMT, REAR) at the very end; never
	// the first two words, which are the house number and the street
	// (100 Front Street).
	unitAt := len(words)
	for i := 2; i < len(words); i++ {
		w := words[i]
		if strings.HasPrefix(w, "#") {
			unitAt = i
			break
		}
		if _, ok := t.unit[w]; !ok {
			continue
		}
		if (i+1 < len(words) && isUnitRange(words[i+1])) || (i == len(words)-1 && isStandaloneUnit(w)) {
			unitAt = i
			break
		}
	}
	street, unit := words[:unitAt], words[unitAt:]
	// Pre-directional after the house number.
	if len(street) > 2 && isHouseNumber(street[0]) {
		if d, ok := t.directional[street[1]]; ok {
			street[1] = d
		}
	}
	// Post-directional, then suffix, at the end of the street.
	end := len(street) - 1
	if end >= 2 {
		if d, ok := t.directional[street[end]]; ok {
			if _, isSuffix := t.suffix[street[end-1]]; isSuffix {
				street[end] = d
				end--
			}
		}
	}
	if end >= 1 {
		if a, ok := t.suffix[street[end]]; ok && (end >= 2 || !isHouseNumber(street[0])) {
			street[end] = a
		}
	}
	if len(unit) > 0 {
		if a, ok := t.unit[unit[0]]; ok {
			unit[0] = a
		}
	}
	return strings.Join(append(street, unit...), " ")
}

// isUnitRange reports a secondary range: a word with a digit ("4",
// "12B", "4-A") or a single letter ("B"), or "#".
func isUnitRange(w string) bool {
	if len(w) == 1 || strings.HasPrefix(w, "#") {
		return true
	}
	return strings.ContainsAny(w, "0123456789")
}

func isStandaloneUnit(w string) bool {
	switch w {
	case "BASEMENT", "BSMT", "FRONT", "FRNT", "LOBBY", "LBBY", "LOWER", "LOWR", "OFFICE", "OFC",
		"PENTHOUSE", "PH", "REAR", "SIDE", "UPPER", "UPPR":
		return true
	}
	return false
}

func isHouseNumber(w string) bool {
	return w != "" && w[0] >= '0' && w[0] <= '9'
}

// USState returns the two-letter USPS code of a US state, territory or
// armed-forces region written out or as its code (Publication 28 appendix
// B: California or CA → CA), and whether s is one.
func USState(s string) (string, bool) {
	c, ok := loadUSPS().state[regionKey(s)]
	return c, ok
}

// persianStreetAbbrev maps abbreviations of Persian address words to the
// full word. libpostal's fa dictionary lists the street types but no
// abbreviations; these are the ones Iranian addresses use.
var persianStreetAbbrev = map[string]string{
	"خ": "خیابان", "خیابون": "خیابان",
	"ک": "کوچه", "کوچۀ": "کوچه",
	"بل": "بلوار", "بلور": "بلوار",
	"م": "میدان", "میدون": "میدان",
	"پ": "پلاک", "پلاك": "پلاک",
	"ط": "طبقه", "طبقۀ": "طبقه",
	"بنبست": "بن\u200cبست",
}

// persianAddressWords are the full words (libpostal's fa street types plus
// the unit words) before which a number is written with a space.
// They are sorted longest first, so the longest word glued to a number
// wins.
var loadPersianAddressWords = sync.OnceValue(func() []string {
	words := []string{"پلاک", "طبقه", "واحد", "میدان", "کوچه", "بن\u200cبست"}
	for line := range strings.Lines(faStreetTypesTxt) {
		if w := strings.TrimSpace(line); w != "" && !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	slices.SortStableFunc(words, func(a, b string) int { return len(b) - len(a) })
	return words
})

// PersianStreet writes the address words of a Persian street line in
// full: خ → خیابان، ک → کوچه، بل → بلوار، م → میدان، پ → پلاک، ط → طبقه،
// (each as a word of its own or followed by a dot: "خ.آزادی"),
// and puts a space between such a word and a number glued to it
// ("پلاک۱۲" → "پلاک 12"). Other words are left as written.
func PersianStreet(s string) string {
	words := strings.Fields(s)
	full := loadPersianAddressWords()
	out := make([]string, 0, len(words)+2)
	for _, w := range words {
		// "خ.آزادی": an abbreviation glued by a dot.
		if a, rest, ok := strings.Cut(w, "."); ok && a != "" {
			if f := persianStreetAbbrev[a]; f != "" {
				out = append(out, f)
				if rest != "" {
					w = rest
				} else {
					continue
				}
			}
		}
		if f := persianStreetAbbrev[w]; f != "" {
			out = append(out, f)
			continue
		}
		// "پلاک12": a full word glued to its number.
		split := false
		for _, word := range full {
			if strings.HasPrefix(w, word) && len(w) > len(word) {
				if rest := w[len(word):]; rest[0] >= '0' && rest[0] <= '9' {
					out = append(out, word, rest)
					split = true
					break
				}
			}
		}
		if !split {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// City cleans a city name as Text does; a US city is written in capitals,
// as USPS Publication 28 writes the whole address and StreetLine the
// street line, so that an address reads in one style.
func City(s, country string) (string, []Fix) {
	var f fixes
	s, tf := Text(s)
	f = append(f, tf...)
	if s != "" && strings.EqualFold(country, "US") {
		s = f.step(RuleCityUSPS, s, strings.ToUpper(s))
	}
	return s, f
}

// StreetLine standardizes an address line for a country: Text, then for
// the US the USPS form (USStreet), and for a line in Persian script the
// Persian address words written in full (PersianStreet).
func StreetLine(s, country string) (string, []Fix) {
	var f fixes
	s, tf := Text(s)
	f = append(f, tf...)
	if s == "" {
		return s, f
	}
	switch {
	case strings.EqualFold(country, "US"):
		s = f.step(RuleStreetUSPS, s, USStreet(s))
	case isArabicScript(s):
		s = f.step(RuleStreetPersian, s, PersianStreet(s))
	}
	return s, f
}
