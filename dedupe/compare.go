package dedupe

import "strings"

// Comparison indexes: the fields a pair is compared on, in the order of
// Model.Comparisons. Each comparison yields a level; level 0 is always
// "missing" (one side or both empty), which carries no weight.
const (
	cmpFirstName = iota
	cmpLastName
	cmpBirthDate
	cmpEmail
	cmpPhone
	cmpStreet
	cmpAddress2
	cmpCity
	cmpPostalCode
	cmpRegion
	cmpCountry
	cmpCompany
	cmpNationalID
	numComparisons
)

// levelBits is the width of one comparison's level in a packed pattern.
const levelBits = 4

// pattern packs one level per comparison, levelBits each.
type pattern uint64

func (p pattern) level(c int) uint8 { return uint8(p>>(c*levelBits)) & (1<<levelBits - 1) }

func (p *pattern) set(c int, l uint8) { *p |= pattern(l) << (c * levelBits) }

// comparisonSpec names a comparison, its levels, and whether its exact
// level is adjusted by term frequency.
type comparisonSpec struct {
	field  string
	levels []string
	tf     bool
}

// Level names shared by several comparisons.
const (
	LevelMissing   = "missing"
	LevelExact     = "exact"
	LevelDifferent = "different"
)

// comparisonSpecs describes every comparison in index order.
func comparisonSpecs() [numComparisons]comparisonSpec {
	return [numComparisons]comparisonSpec{
		cmpFirstName:  {"first_name", []string{LevelMissing, LevelExact, "nickname", "close", "prefix", "similar", "swapped", LevelDifferent}, true},
		cmpLastName:   {"last_name", []string{LevelMissing, LevelExact, "close", "phonetic", "similar", LevelDifferent}, true},
		cmpBirthDate:  {"birth_date", []string{LevelMissing, LevelExact, "transposed_digits", "one_digit", "day_month_swapped", "same_year", LevelDifferent}, false},
		cmpEmail:      {"email", []string{LevelMissing, LevelExact, "same_local_part", "close", LevelDifferent}, false},
		cmpPhone:      {"phone", []string{LevelMissing, LevelExact, "close", LevelDifferent}, false},
		cmpStreet:     {"address_line1", []string{LevelMissing, LevelExact, "close", "same_street", "similar", LevelDifferent}, false},
		cmpAddress2:   {"address_line2", []string{LevelMissing, LevelExact, "close", LevelDifferent}, false},
		cmpCity:       {"city", []string{LevelMissing, LevelExact, "close", LevelDifferent}, true},
		cmpPostalCode: {"postal_code", []string{LevelMissing, LevelExact, "one_edit", LevelDifferent}, true},
		cmpRegion:     {"region", []string{LevelMissing, LevelExact, LevelDifferent}, false},
		cmpCountry:    {"country", []string{LevelMissing, LevelExact, LevelDifferent}, false},
		cmpCompany:    {"company", []string{LevelMissing, LevelExact, "close", LevelDifferent}, false},
		cmpNationalID: {"national_id", []string{LevelMissing, LevelExact, "one_edit", LevelDifferent}, false},
	}
}

// Levels of the name comparisons, by index.
const (
	fnExact = 1 + iota
	fnNickname
	fnClose
	fnPrefix
	fnSimilar
	fnSwapped
	fnDifferent
)

const (
	lnExact = 1 + iota
	lnClose
	lnPhonetic
	lnSimilar
	lnDifferent
)

// Similarity thresholds of the name and text levels (Jaro-Winkler).
const (
	jwClose   = 0.92
	jwSimilar = 0.80
	// tokenClose and tokenSimilar bound the soft token-set similarity of
	// street lines and company names.
	tokenClose   = 0.90
	tokenSimilar = 0.70
)

// compare compares two prepared records into a pattern of levels.
func compare(a, b *prepared) pattern {
	var p pattern
	fl, ll := compareNames(a, b)
	p.set(cmpFirstName, fl)
	p.set(cmpLastName, ll)
	p.set(cmpBirthDate, compareDates(a.dob, b.dob))
	p.set(cmpEmail, compareEmails(a, b))
	p.set(cmpPhone, compareIDs(a.phone, b.phone, true))
	p.set(cmpStreet, compareStreets(a, b))
	p.set(cmpAddress2, compareText(a.addr2, b.addr2))
	p.set(cmpCity, compareText(a.city, b.city))
	p.set(cmpPostalCode, compareIDs(a.postal, b.postal, false))
	p.set(cmpRegion, compareExact(a.region, b.region))
	p.set(cmpCountry, compareExact(a.country, b.country))
	p.set(cmpCompany, compareTokens(a.company, b.company))
	p.set(cmpNationalID, compareIDs(a.nationalID, b.nationalID, false))
	return p
}

// compareNames compares first and last names, and when they agree better
// crosswise (first against last) reports the first name as swapped and the
// last name by its crosswise level.
func compareNames(a, b *prepared) (first, last uint8) {
	first = compareFirst(a.first, b.first, &a.firstFormal, &b.firstFormal)
	last = compareLast(a.last, a.lastPhonetic, b.last, b.lastPhonetic)
	if (first <= fnClose && first != 0) && (last <= lnClose && last != 0) {
		return first, last
	}
	if a.first == "" || a.last == "" || b.first == "" || b.last == "" {
		return first, last
	}
	if jaroWinkler(a.first, b.last) >= jwClose && jaroWinkler(a.last, b.first) >= jwClose {
		return fnSwapped, compareLast(a.last, a.lastPhonetic, b.first, b.firstPhonetic)
	}
	return first, last
}

func compareFirst(a, b string, fa, fb *[maxFormal]uint32) uint8 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return fnExact
	case sameFormal(fa, fb):
		return fnNickname
	}
	jw := jaroWinkler(a, b)
	switch {
	case jw >= jwClose:
		return fnClose
	case strings.HasPrefix(a, b) || strings.HasPrefix(b, a):
		return fnPrefix
	case jw >= jwSimilar:
		return fnSimilar
	}
	return fnDifferent
}

func compareLast(a, pa, b, pb string) uint8 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return lnExact
	}
	jw := jaroWinkler(a, b)
	switch {
	case jw >= jwClose:
		return lnClose
	case pa == pb:
		return lnPhonetic
	case jw >= jwSimilar:
		return lnSimilar
	}
	return lnDifferent
}

// Birth date levels.
const (
	dobExact = 1 + iota
	dobTransposed
	dobOneDigit
	dobDayMonth
	dobSameYear
	dobDifferent
)

// compareDates grades two birth dates: equal; two adjacent digits
// transposed; one digit wrong; day and month swapped; same year; else
// different.
func compareDates(a, b date) uint8 {
	if a.missing() || b.missing() {
		return 0
	}
	if a == b {
		return dobExact
	}
	da, db := a.digits(), b.digits()
	diff, first := 0, -1
	for i := range da {
		if da[i] != db[i] {
			if first < 0 {
				first = i
			}
			diff++
		}
	}
	if diff == 2 && first < 7 && da[first] == db[first+1] && da[first+1] == db[first] {
		return dobTransposed
	}
	if diff == 1 {
		return dobOneDigit
	}
	if a.y == b.y && a.m == b.d && a.d == b.m {
		return dobDayMonth
	}
	if a.y == b.y {
		return dobSameYear
	}
	return dobDifferent
}

func compareEmails(a, b *prepared) uint8 {
	switch {
	case a.email == "" || b.email == "":
		return 0
	case a.email == b.email:
		return 1
	case a.emailAt > 0 && b.emailAt > 0 && a.email[:a.emailAt] == b.email[:b.emailAt]:
		return 2
	case jaroWinkler(a.email, b.email) >= tokenClose:
		return 3
	}
	return 4
}

// compareIDs compares identifiers: exact, within one edit (for phones also
// the same last seven digits, which survives a missing or wrong prefix), or
// different.
func compareIDs(a, b string, suffix bool) uint8 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return 1
	case withinOneEdit(a, b):
		return 2
	case suffix && len(a) >= 7 && len(b) >= 7 && a[len(a)-7:] == b[len(b)-7:]:
		return 2
	}
	return 3
}

func compareExact(a, b string) uint8 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return 1
	}
	return 2
}

func compareText(a, b string) uint8 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return 1
	case jaroWinkler(a, b) >= tokenClose:
		return 2
	}
	return 3
}

func compareTokens(a, b string) uint8 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return 1
	case tokenSimilarity(a, b, "") >= tokenClose:
		return 2
	}
	return 3
}

// Street levels.
const (
	streetExact = 1 + iota
	streetClose
	streetSame
	streetSimilar
	streetDifferent
)

// compareStreets grades street lines: equal; same house number (or one
// missing) and the street names agree token by token; street names agree
// but the numbers differ; street names are similar; else different.
func compareStreets(a, b *prepared) uint8 {
	switch {
	case a.street == "" || b.street == "":
		return 0
	case a.street == b.street:
		return streetExact
	}
	sim := tokenSimilarity(a.street, b.street, a.house)
	sameHouse := a.house == b.house || a.house == "" || b.house == ""
	switch {
	case sim >= tokenClose && sameHouse:
		return streetClose
	case sim >= tokenClose:
		return streetSame
	case sim >= tokenSimilar && sameHouse:
		return streetSimilar
	}
	return streetDifferent
}

// maxTokens bounds the tokens tokenSimilarity looks at.
const maxTokens = 8

// tokenSimilarity is a symmetric Monge-Elkan similarity of two space
// separated token lists: each token is matched to its most similar token on
// the other side by Jaro-Winkler, and the best scores are averaged both
// ways. Tokens of digits only (house numbers) are skipped, so the result
// is about the words; skip is one more token to ignore.
func tokenSimilarity(a, b, skip string) float64 {
	var ta, tb [maxTokens]string
	na := splitWords(a, skip, &ta)
	nb := splitWords(b, skip, &tb)
	if na == 0 || nb == 0 {
		if na == nb {
			return 1
		}
		return 0
	}
	// Each token's best match on the other side, both ways, from one
	// matrix of similarities.
	var bestA, bestB [maxTokens]float64
	for i, x := range ta[:na] {
		for j, y := range tb[:nb] {
			s := 1.0
			if x != y {
				s = jaroWinkler(x, y)
			}
			bestA[i] = max(bestA[i], s)
			bestB[j] = max(bestB[j], s)
		}
	}
	var sa, sb float64
	for _, s := range bestA[:na] {
		sa += s
	}
	for _, s := range bestB[:nb] {
		sb += s
	}
	return (sa/float64(na) + sb/float64(nb)) / 2
}

func splitWords(s, skip string, out *[maxTokens]string) int {
	n := 0
	for i := 0; i < len(s) && n < maxTokens; {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		j := i
		allDigits := true
		for j < len(s) && s[j] != ' ' {
			if s[j] < '0' || s[j] > '9' {
				allDigits = false
			}
			j++
		}
		if j > i {
			tok := s[i:j]
			if !allDigits && tok != skip {
				out[n] = tok
				n++
			}
		}
		i = j
	}
	return n
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion or substitution of a byte (Levenshtein distance ≤ 1, as
// strutil's Levenshtein measures it on these ASCII keys).
func withinOneEdit(a, b string) bool {
	la, lb := len(a), len(b)
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if lb-la > 1 {
		return false
	}
	i := 0
	for i < la && a[i] == b[i] {
		i++
	}
	if la == lb {
		return i == la || a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
