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
	cmpContact
	cmpCompany
	cmpNationalID
	numComparisons
)

// levelBits is the width of one comparison's level in a packed pattern.
const levelBits = 4

// pattern packs one level per comparison, levelBits each, and above them
// the flag patCityExact.
type pattern uint64

// patCityExact flags a pattern whose address and phone comparison is at a
// city level (same_city, city) and whose cities are equal: the levels
// alone cannot say so, as a postal code one edit apart or a city with a
// typo make them too, and only an equal city is weighed by how common it
// is (termAgrees).
const patCityExact pattern = 1 << 63

func (p pattern) level(c int) uint8 { return uint8(p>>(c*levelBits)) & (1<<levelBits - 1) }

// termAgrees reports whether the records of pattern p agree on the value
// comparison c's term frequency counts (tfValue): the exact level of a
// name, an equal city at a city level of the address and phone
// comparison.
func termAgrees(p pattern, c int) bool {
	if c == cmpContact {
		return p&patCityExact != 0
	}
	return p.level(c) == 1
}

func (p *pattern) set(c int, l uint8) { *p |= pattern(l) << (c * levelBits) }

// reset sets comparison c's level to l, whatever it was.
func (p *pattern) reset(c int, l uint8) { *p = *p&^fieldMask(c) | pattern(l)<<(c*levelBits) }

// fieldMask covers comparison c's level in a pattern.
func fieldMask(c int) pattern { return (1<<levelBits - 1) << (c * levelBits) }

// atOnePlace reports whether a contact level says two records share an
// address or a phone (the levels up to phone_other_address).
func atOnePlace(contact uint8) bool { return contact != 0 && contact <= conPhoneOtherAddress }

// comparisonSpec names a comparison, its levels, and whether its
// agreement on a value is adjusted by term frequency (termAgrees).
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
		cmpFirstName: {"first_name", []string{LevelMissing, LevelExact, "nickname", "close", "transliterated", "prefix", "phonetic", "similar", "swapped", LevelDifferent}, true},
		cmpLastName:  {"last_name", []string{LevelMissing, LevelExact, "close", "transliterated", "phonetic", "similar", LevelDifferent, "exact_household"}, true},
		cmpBirthDate: {"birth_date", []string{LevelMissing, LevelExact, "transposed_digits", "one_digit", "day_month_swapped", "same_year", "placeholder", "years_apart", LevelDifferent}, false},
		cmpEmail:     {"email", []string{LevelMissing, LevelExact, "exact_spells_names", "same_local_part", "two_edits", "near_spells_names", "exact_other_first_name", "placeholder", LevelDifferent}, false},
		cmpContact: {"address+phone", []string{LevelMissing, "address_and_phone", "address_other_phone", "address",
			"phone", "phone_other_address", "same_street", "same_postal_code", "same_city", "city", "same_region", "other_phone", LevelDifferent}, true},
		cmpCompany:    {"company", []string{LevelMissing, LevelExact, "close", LevelDifferent}, false},
		cmpNationalID: {"national_id", []string{LevelMissing, LevelExact, "one_edit", LevelDifferent}, false},
	}
}

// Levels of the name comparisons, by index.
const (
	fnExact = 1 + iota
	fnNickname
	fnClose
	fnTranslit
	fnPrefix
	fnPhonetic
	fnSimilar
	fnSwapped
	fnDifferent
)

const (
	lnExact = 1 + iota
	lnClose
	lnTranslit
	lnPhonetic
	lnSimilar
	lnDifferent
	// lnHousehold is an exact last name of two records at one address or
	// phone (set by comparePlace): see there.
	lnHousehold
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
	p := comparePerson(a, b)
	comparePlace(a, b, &p)
	return p
}

// comparePerson compares who two records are: names, birth date, email
// and national id, the cheaper half of compare. Its pattern leaves the
// place comparisons missing, so that a pair whose person fields disagree
// too much can be dropped before its addresses are compared (see
// Index.placeBound).
func comparePerson(a, b *prepared) pattern {
	var p pattern
	fl, ll := compareNames(a, b)
	p.set(cmpFirstName, fl)
	p.set(cmpLastName, ll)
	p.set(cmpBirthDate, compareDates(a.dob, b.dob, a.flags|b.flags))
	el := compareEmails(a, b)
	if el != 0 && el != emailDifferent && a.flags&b.flags&flagEmailByName != 0 &&
		fl != 0 && fl < fnSimilar && ll != 0 && ll < lnSimilar {
		// Two addresses that spell agreeing names agree partly because
		// the names do: namesakes' addresses look alike too. These
		// levels get their u among pairs whose names agree (see Train).
		if el == emailExact {
			el = emailSpellsExact
		} else {
			el = emailSpellsNear
		}
	}
	if (el == emailExact || el == emailSameLocal || el == emailTwoEdits) && a.flags&b.flags&flagEmailByName != 0 &&
		fl != 0 && fl < fnSimilar && (ll == 0 || ll >= lnSimilar) && !spellsLast(a, b.email) && !spellsLast(b, a.email) {
		// An address made of the first name that two records of one
		// first name hold (john85@), and no last name to tell them
		// apart: namesakes born in one year pick such addresses alike,
		// and the more namesakes a data set holds, the more of them
		// share one. It weighs as an address that spells agreeing names.
		if el == emailExact {
			el = emailSpellsExact
		} else {
			el = emailSpellsNear
		}
	}
	if el == emailExact && fl == fnDifferent && ll != 0 && ll < lnSimilar {
		// One address held by two people of one family name: a
		// household's shared mailbox as often as one person's. This
		// level gets its u among pairs that share a family name and a
		// place (see Train), where such mailboxes are common; it stays
		// unless comparePlace finds them at different places.
		el = emailOtherFirst
	}
	p.set(cmpEmail, el)
	p.set(cmpNationalID, compareIDs(a.nationalID, b.nationalID, false))
	return p
}

// spellsLast reports whether email's local part spells p's last name.
func spellsLast(p *prepared, email string) bool {
	return p.last != "" && spellsName(email, int32(strings.LastIndexByte(email, '@')), "", p.last, "", p.lastPhonetic)
}

// comparePlace adds to p where two records live and work: address and
// phone, and company, the costlier half of compare.
func comparePlace(a, b *prepared, p *pattern) {
	contact := compareContacts(a, b)
	p.set(cmpContact, contact)
	if (contact == conSameCity || contact == conCity) && a.city != "" && a.city == b.city {
		*p |= patCityExact
	}
	if p.level(cmpLastName) == lnExact && atOnePlace(contact) {
		// One family name at one address or phone is what a household
		// shares, husband and wife, parent and child, as often as one
		// person's two records do: given the shared place, which weighs
		// for itself, the name is weak evidence, however rare it is. This
		// level gets its u among the pairs blocked on an address or a
		// phone (see Train) and no term-frequency bonus; counted as an
		// exact name with u from random pairs, it took the place's
		// evidence twice, and spouses with a rare family name were
		// merged (false links with different first names, one family
		// name, address and phone: 1,824 at a million generated customers).
		p.reset(cmpLastName, lnHousehold)
	}
	if p.level(cmpEmail) == emailOtherFirst && contact != 0 && !atOnePlace(contact) {
		// At different places: no household to share a mailbox. With no
		// place on one side or both, a family's web-form mailbox is as
		// likely as before (false links at a million generated
		// customers with different first names, one family name and
		// email, and no place to compare: 630 when they weighed as one
		// person's address).
		p.reset(cmpEmail, emailExact)
	}
	if contact == 0 || contact > conAddress {
		// A shared employer at a shared address is one fact (colleagues
		// at one office), not two: the company counts only when the
		// address does not already agree.
		p.set(cmpCompany, compareTokens(a.company, b.company))
	}
}

// compareNames compares first and last names. When they agree better
// crosswise, each name close to the other record's other name (and
// neither a prefix of the other: Reza and Rezaei, Hossein and Hosseini are
// a given name and the family name made of it, not a swap), the first
// name is "swapped" and the last name missing: a swap is one piece of
// evidence, weighed once. A name that equals the other record's other
// name while its own counterpart there is missing (Caleb with no last
// name against Scott Caleb) may be swapped or not: it is missing, not
// different.
func compareNames(a, b *prepared) (first, last uint8) {
	first = compareFirst(a, b)
	last = compareLast(a.last, a.lastPhonetic, b.last, b.lastPhonetic, (a.flags^b.flags)&flagLastArabic != 0)
	if (first <= fnClose && first != 0) && (last <= lnClose && last != 0) {
		return first, last
	}
	if a.first == "" || a.last == "" || b.first == "" || b.last == "" {
		if first == fnDifferent && (a.last == "" && a.first == b.last || b.last == "" && b.first == a.last) {
			first = 0
		}
		if last == lnDifferent && (a.first == "" && a.last == b.first || b.first == "" && b.last == a.first) {
			last = 0
		}
		return first, last
	}
	if crossMatch(a.first, a.firstPhonetic, b.last, b.lastPhonetic) && crossMatch(a.last, a.lastPhonetic, b.first, b.firstPhonetic) {
		return fnSwapped, 0
	}
	return first, last
}

// crossMatch reports whether a name (key x, skeleton px) matches another
// record's other name well enough to count towards a swap: equal, within a
// typo by Jaro-Winkler, or of the same skeleton and similar (Sctot and
// Scott), but not one a prefix of the other.
func crossMatch(x, px, y, py string) bool {
	if x == y {
		return true
	}
	if strings.HasPrefix(x, y) || strings.HasPrefix(y, x) {
		return false
	}
	jw := jaroWinklerFloor(x, y, jwSimilar)
	return jw >= jwClose || jw >= jwSimilar && px == py
}

func compareFirst(a, b *prepared) uint8 {
	switch {
	case a.first == "" || b.first == "":
		return 0
	case a.first == b.first:
		return fnExact
	case sameFormal(&a.firstFormal, &b.firstFormal):
		return fnNickname
	case (a.flags^b.flags)&flagFirstArabic != 0 && a.firstPhonetic == b.firstPhonetic:
		// One name in Persian script, the other in Latin: the
		// transliteration writes no short vowels, so their skeletons
		// are what can agree.
		return fnTranslit
	}
	x, y := a.first, b.first
	jw := jaroWinklerFloor(x, y, jwSimilar)
	switch {
	case jw >= jwClose:
		return fnClose
	case strings.HasPrefix(x, y) || strings.HasPrefix(y, x):
		return fnPrefix
	case (a.flags|b.flags)&flagFirstArabic != 0 && initialOf(a.firstPhonetic, b.firstPhonetic):
		// A Persian initial of a name that starts with a vowel: ع. is
		// "a", عیسی "eisa", and only their skeletons ("a", "as") share
		// the first letter.
		return fnPrefix
	case a.firstPhonetic == b.firstPhonetic:
		return fnPhonetic
	case a.flags&b.flags&flagFirstArabic != 0 && jaroWinklerFloor(a.firstPhonetic, b.firstPhonetic, jwClose) >= jwClose:
		// Both in Persian script: a common name has its key from the
		// name table, with vowels (مصطفی is "mostafa"), and a typo of it
		// one spelled letter by letter, without them ("msfti"), so the
		// keys have little in common; their skeletons ("mstf", "msft")
		// keep the likeness.
		return fnPhonetic
	case jw >= jwSimilar:
		return fnSimilar
	}
	return fnDifferent
}

// initialOf reports whether one of two skeletons is a single letter that
// begins the other.
func initialOf(a, b string) bool {
	return len(a) == 1 && len(b) > 1 && b[0] == a[0] || len(b) == 1 && len(a) > 1 && a[0] == b[0]
}

// compareLast grades two last names; crossScript tells that one was
// written in Arabic script and the other not.
func compareLast(a, pa, b, pb string, crossScript bool) uint8 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return lnExact
	case crossScript && pa == pb:
		return lnTranslit
	}
	jw := jaroWinklerFloor(a, b, jwSimilar)
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
	dobPlaceholder
	dobYearsApart
	dobDifferent
)

// yearsApart is the gap between birth years from which two dates that
// share no digit pattern are a generation apart (a father and the son who
// bears his name), not a typo.
const yearsApart = 12

// compareDates grades two birth dates: equal; two adjacent digits
// transposed; one digit wrong; day and month swapped; same year; else
// different, or years apart (a generation, see yearsApart). A date that is
// a placeholder (flagDatePlaceholder: 1900-01-01
// in hundreds of records) is missing; one whose day and month are
// (flagDayPlaceholder: 1 January where a third of the dates are) says only
// its year, so the same year is "placeholder" and another year different.
func compareDates(a, b date, flags uint8) uint8 {
	if a.missing() || b.missing() || flags&flagDatePlaceholder != 0 {
		return 0
	}
	if flags&flagDayPlaceholder != 0 {
		if a.y == b.y {
			return dobPlaceholder
		}
		return dobDifferent
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
	if abs(int(a.y)-int(b.y)) >= yearsApart {
		return dobYearsApart
	}
	return dobDifferent
}

// Email levels.
const (
	emailExact = 1 + iota
	emailSpellsExact
	emailSameLocal
	emailTwoEdits
	emailSpellsNear
	emailOtherFirst
	emailPlaceholder
	emailDifferent
)

// compareEmails grades two email keys. An address many records share
// (flagEmailPlaceholder: info@, a shop's own address typed in for
// customers without one) is "placeholder" when both hold it and missing
// otherwise: it says nothing of either record's own address.
func compareEmails(a, b *prepared) uint8 {
	switch {
	case a.email == "" || b.email == "":
		return 0
	case (a.flags|b.flags)&flagEmailPlaceholder != 0:
		if a.email == b.email {
			return emailPlaceholder
		}
		return 0
	case a.email == b.email:
		return emailExact
	case a.emailAt > 0 && b.emailAt > 0 && a.email[:a.emailAt] == b.email[:b.emailAt]:
		return emailSameLocal
	case levenshtein(a.email, b.email, 2) <= 2:
		return emailTwoEdits
	}
	return emailDifferent
}

// maxEditLen bounds the strings levenshtein measures exactly; longer ones
// are compared on their first maxEditLen bytes.
const maxEditLen = 64

// levenshtein returns the Levenshtein distance of the bytes of a and b as
// strutil's Levenshtein measures it, or a number above limit as soon as the
// distance must exceed limit. It does not allocate, and fills only the
// cells of the dynamic programme within limit of the diagonal (Ukkonen's
// band): a path through any other cell costs more than limit.
// TestLevenshteinAgreesWithStrutil holds it to strutil.
func levenshtein(a, b string, limit int) int {
	a, b = a[:min(len(a), maxEditLen)], b[:min(len(b), maxEditLen)]
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	if limit > maxEditLen {
		limit = maxEditLen // no distance is larger; the cells then fit a byte
	}
	big := uint8(limit + 1) // stands for every distance above limit
	var rows [2][maxEditLen + 2]uint8
	prev, cur := &rows[0], &rows[1]
	for j := range min(len(b), int(big)) + 1 {
		prev[j] = uint8(j)
	}
	if int(big) <= len(b) {
		prev[big] = big
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(len(b), i+limit)
		cur[lo-1] = big
		if lo == 1 {
			cur[0] = uint8(min(i, int(big)))
		}
		rowMin := cur[lo-1]
		for j := lo; j <= hi; j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			v := min(prev[j]+1, cur[j-1]+1, sub, big)
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		cur[hi+1] = big // the next row reads it above its band's last cell
		if rowMin >= big {
			return int(big)
		}
		prev, cur = cur, prev
	}
	return int(prev[len(b)])
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
	case jaroWinklerFloor(a, b, tokenClose) >= tokenClose:
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
	case tokenSimilarity(a, "", b, "") >= tokenClose:
		return 2
	}
	return 3
}

// Contact levels: address and phone judged together.
const (
	conAddressPhone = 1 + iota
	conAddressOtherPhone
	conAddress
	conPhone
	conPhoneOtherAddress
	conSameStreet
	conSamePostal
	conSameCity
	conCity
	conSameRegion
	conOtherPhone
	conDifferent
)

// compareContacts judges address and phone as one comparison, because
// they are not independent evidence: the members of one household share
// the street line, the postal code, the city and the landline, and
// counting each would outweigh their different names and birth dates.
// Levels, strongest first: the address (exact or close, see
// compareLocations) and the phone agree; the address agrees and the phones
// differ; the address agrees and a phone is missing; the phone agrees and
// the address agrees only in part or is missing; the phone agrees and the
// addresses differ (a move); then the partial address levels; different;
// other phone (the phones differ and the addresses cannot be compared);
// missing when neither part is on both sides. A phone many records share
// (flagPhonePlaceholder: an office switchboard) is missing.
func compareContacts(a, b *prepared) uint8 {
	loc := compareLocations(a, b)
	var ph uint8
	if (a.flags|b.flags)&flagPhonePlaceholder == 0 {
		ph = compareIDs(a.phone, b.phone, true)
	}
	addr := loc == locExact || loc == locClose
	phone := ph == 1 || ph == 2
	switch {
	case addr && phone:
		return conAddressPhone
	case addr && ph == 3:
		return conAddressOtherPhone
	case addr:
		return conAddress
	case phone && loc == locDifferent:
		return conPhoneOtherAddress
	case phone:
		return conPhone
	}
	switch loc {
	case locSameStreet:
		return conSameStreet
	case locSamePostal:
		return conSamePostal
	case locSameCity:
		return conSameCity
	case locCity:
		return conCity
	case locSameRegion:
		return conSameRegion
	case locDifferent:
		return conDifferent
	}
	if ph == 3 {
		return conOtherPhone
	}
	return 0
}

// Location levels.
const (
	locExact = 1 + iota
	locClose
	locSameStreet
	locSamePostal
	locSameCity
	locCity
	locSameRegion
	locDifferent
)

// compareLocations grades where two records live as one comparison, since
// street, postal code, city, region and country are not independent
// evidence: members of one household or colleagues at one office share all
// of them, and counting each would outweigh their different names. Levels:
// exact (same street line and the place agrees), close (street line with a
// typo, or the place has one), same street with another house number,
// same postal code, same city while the street lines differ, city (the
// city agrees and nothing below it is on both sides), same region (or
// country when neither has a region) while the parts below it differ,
// different; missing when no part below the region is on both sides and
// the region and country do not differ.
func compareLocations(a, b *prepared) uint8 {
	pc := compareIDs(a.postal, b.postal, false)
	ci := compareText(a.city, b.city)
	placeSame := pc == 1 || (pc == 0 && ci == 1)
	placeNear := placeSame || pc == 2 || ci == 1 || ci == 2 || (pc == 0 && ci == 0)
	// The street line only counts where the place agrees, so it is not
	// compared otherwise (the costliest part of a comparison).
	if placeNear {
		switch st := compareStreets(a, b); {
		case st == streetExact && placeSame:
			return locExact
		case st == streetExact || st == streetClose:
			return locClose
		case st == streetSame:
			return locSameStreet
		}
	}
	switch {
	case pc == 1:
		return locSamePostal
	case ci == 1 || ci == 2 || pc == 2:
		if pc == 0 && (a.street == "" || b.street == "") {
			// The city agrees and nothing below it is on both sides:
			// not a move within the city.
			return locCity
		}
		return locSameCity
	}
	rg := compareExact(a.region, b.region)
	co := compareExact(a.country, b.country)
	if pc == 0 && ci == 0 && (a.street == "" || b.street == "") {
		// Nothing below the region is on both sides (one record has a
		// city or postal code, the other only its country): that is
		// missing, not a move within the region. A different region or
		// country still disagrees.
		if rg == 2 || co == 2 {
			return locDifferent
		}
		return 0
	}
	if rg == 1 || (rg == 0 && co == 1) {
		return locSameRegion
	}
	return locDifferent
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
	sim := tokenSimilarity(a.street, a.house, b.street, b.house)
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
// is about the words; skipA and skipB are one more token to ignore on each
// side (its house number).
func tokenSimilarity(a, skipA, b, skipB string) float64 {
	var ta, tb [maxTokens]string
	na := splitWords(a, skipA, &ta)
	nb := splitWords(b, skipB, &tb)
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
