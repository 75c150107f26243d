package dedupe

import (
	"strings"
	"unicode/utf8"

	"github.com/steward-crm/steward"
)

// prepared holds one record's match keys, computed once so that comparing
// a pair does no normalization and no allocation.
type prepared struct {
	first, last   string // cleanse.NameKey
	firstFormal   [maxFormal]uint32
	lastPhonetic  string // cleanse.NameSkeleton of the last name
	firstPhonetic string
	email         string // cleanse.EmailKey
	emailAt       int32  // index of '@' in email, -1 if none
	// flags holds facts about the values (flag* constants): whether the
	// email spells the names, which names were written in Arabic script,
	// which values are placeholders.
	flags      uint8
	phone      string // cleanse.PhoneKey
	dob        date
	street     string // address line 1 match key
	house      string // house number token of street
	city       string
	postal     string // match key without spaces
	region     string
	country    string
	company    string // cleanse.CompanyKey
	nationalID string
}

// date is a birth date as year, month and day; zero year means missing.
type date struct {
	y    uint16
	m, d uint8
}

func (d date) missing() bool { return d.y == 0 }

// digits returns the date as the eight digits YYYYMMDD.
func (d date) digits() [8]byte {
	var b [8]byte
	v := [3]int{int(d.y), int(d.m), int(d.d)}
	w := [3]int{4, 2, 2}
	p := 0
	for k := range 3 {
		x := v[k]
		for i := w[k] - 1; i >= 0; i-- {
			b[p+i] = byte('0' + x%10)
			x /= 10
		}
		p += w[k]
	}
	return b
}

// prepare computes the match keys of r, each cut to maxKeyLen bytes.
// Index files store its results: bump indexFormat (persist.go) whenever
// prepare, the match keys it calls or the stored layout change.
func prepare(r *steward.Record) prepared {
	var p prepared
	// Titles, initials glued to a family name and a full name in one
	// field are put where they belong first (cleanse.MatchNames), so that
	// "Sir" is not compared as a first name.
	first, last := matchNames(r.FirstName, r.LastName)
	fk, lk := nameKey(first), nameKey(last)
	p.first, p.last = cutKey(fk), cutKey(lk)
	p.firstFormal = nicknames().formalIDs(p.first)
	p.firstPhonetic = cutKey(skeletonOfKey(fk))
	p.lastPhonetic = cutKey(skeletonOfKey(lk))
	if arabicScript(first) {
		p.flags |= flagFirstArabic
	}
	if arabicScript(last) {
		p.flags |= flagLastArabic
	}
	p.email = cutKey(emailKey(r.Email))
	p.emailAt = int32(strings.LastIndexByte(p.email, '@'))
	if spellsName(p.email, p.emailAt, p.first, p.last, p.firstPhonetic, p.lastPhonetic) {
		p.flags |= flagEmailByName
	}
	p.country = cutKey(countryKey(r.Country))
	p.phone = cutKey(phoneKey(r.Phone))
	p.dob = parseDate(textKey(r.BirthDate))
	p.street = cutKey(textKey(r.AddressLine1))
	p.house = houseNumber(p.street)
	p.city = cutKey(textKey(r.City))
	p.postal = cutKey(strings.ReplaceAll(textKey(r.PostalCode), " ", ""))
	p.region = cutKey(regionKey(r.Region, p.country))
	p.company = cutKey(companyKey(r.Company))
	p.nationalID = cutKey(strings.ReplaceAll(textKey(r.NationalID), " ", ""))
	return p
}

// cutKey cuts a match key to at most maxKeyLen bytes, before a character
// that would not fit whole.
func cutKey(s string) string {
	if len(s) <= maxKeyLen {
		return s
	}
	n := maxKeyLen
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// spellsName reports whether the local part of email (before at) spells
// the first or the last name: holds it (letters only, at least three), or
// its consonant skeleton holds the name's skeleton (at least two
// consonants), so transliteration variants (rezaei, rezaee) count too.
func spellsName(email string, at int32, first, last, firstSkel, lastSkel string) bool {
	if at <= 0 {
		return false
	}
	local := make([]byte, 0, at)
	for i := range int(at) {
		if c := email[i]; c >= 'a' && c <= 'z' {
			local = append(local, c)
		}
	}
	for _, name := range [2]string{first, last} {
		name = strings.ReplaceAll(name, " ", "")
		if len(name) >= 3 && strings.Contains(string(local), name) {
			return true
		}
	}
	if len(local) == 0 {
		return false
	}
	skel := nameSkeleton(string(local))
	for _, s := range [2]string{firstSkel, lastSkel} {
		s = strings.ReplaceAll(s, " ", "")
		if len(s) >= 2 && strings.Contains(skel, s) {
			return true
		}
	}
	return false
}

// Orders of the records in an oversized block, which sorted
// neighbourhood pairs by: each blocking key orders its blocks by what the
// key does not hold, so that within a block of namesakes the records of
// one person, which agree on more than the key, stand side by side.
const (
	// orderName sorts by last name, then first name: for keys of places,
	// dates, emails and phones.
	orderName = iota
	// orderDate sorts by birth date, then first name: for keys of names.
	orderDate
	// orderPlace sorts by city, then postal code, then first name; and
	// orderContact by the email's local part, then the phone's last
	// digits: for other keys of names, so that one person's records
	// that lack a birth date still meet in some sorted neighbourhood.
	orderPlace
	orderContact
	numOrders
)

// sortKeysOf returns p's sort key in every order.
func sortKeysOf(p *prepared) [numOrders]uint64 {
	return [numOrders]uint64{orderName: nameSortKey(p.last, p.first), orderDate: dateSortKey(p),
		orderPlace: placeSortKey(p), orderContact: contactSortKey(p)}
}

// packBytes appends the first n bytes of s (zeros past its end) to k.
func packBytes(k uint64, s string, n int) uint64 {
	for i := range n {
		k <<= 8
		if i < len(s) {
			k |= uint64(s[i])
		}
	}
	return k
}

// placeSortKey packs the first three bytes of the city, three of the
// postal code and two of the first name.
func placeSortKey(p *prepared) uint64 {
	return packBytes(packBytes(packBytes(0, p.city, 3), p.postal, 3), p.first, 2)
}

// contactSortKey packs the first five bytes of the email (not a
// placeholder) and the phone's last three digits.
func contactSortKey(p *prepared) uint64 {
	email, phone := p.email, p.phone
	if p.flags&flagEmailPlaceholder != 0 {
		email = ""
	}
	if p.flags&flagPhonePlaceholder != 0 {
		phone = ""
	}
	return packBytes(packBytes(0, email, 5), phone[max(0, len(phone)-3):], 3)
}

// nameSortKey packs the first five bytes of last and three of first into an
// integer that sorts like the names do.
func nameSortKey(last, first string) uint64 {
	var k uint64
	for i := range 5 {
		k <<= 8
		if i < len(last) {
			k |= uint64(last[i])
		}
	}
	for i := range 3 {
		k <<= 8
		if i < len(first) {
			k |= uint64(first[i])
		}
	}
	return k
}

// dateSortKey packs the birth date (year, month, day in 24 bits; 0 when
// missing or a placeholder) and the first five bytes of the first name
// into an integer that sorts like them.
func dateSortKey(p *prepared) uint64 {
	var k uint64
	if !p.dob.missing() && p.flags&flagDatePlaceholder == 0 {
		k = uint64(p.dob.y)<<10 | uint64(p.dob.m&15)<<6 | uint64(p.dob.d&63)
	}
	for i := range 5 {
		k <<= 8
		if i < len(p.first) {
			k |= uint64(p.first[i])
		}
	}
	return k
}

// houseNumber returns the first token of a street line that starts with a
// digit ("12", "12a"), or "".
func houseNumber(street string) string {
	for tok := range strings.FieldsSeq(street) {
		if tok[0] >= '0' && tok[0] <= '9' {
			return tok
		}
	}
	return ""
}

// parseDate reads a birth date match key: YYYYMMDD, YYYY MM DD (any
// separators), or DD MM YYYY (MM DD YYYY when the middle part cannot be a
// month). Anything else is missing.
func parseDate(s string) date {
	var parts [3]string
	n := 0
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if n == 3 {
			return date{}
		}
		parts[n] = s[i:j]
		n++
		i = j
	}
	atoi := func(t string) int {
		v := 0
		for i := 0; i < len(t); i++ {
			v = v*10 + int(t[i]-'0')
		}
		return v
	}
	var y, m, d int
	switch {
	case n == 1 && len(parts[0]) == 8:
		y, m, d = atoi(parts[0][:4]), atoi(parts[0][4:6]), atoi(parts[0][6:])
	case n == 3 && len(parts[0]) == 4:
		y, m, d = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
	case n == 3 && len(parts[2]) == 4:
		y, m, d = atoi(parts[2]), atoi(parts[1]), atoi(parts[0])
		if m > 12 && d <= 12 {
			m, d = d, m
		}
	default:
		return date{}
	}
	if y < 1000 || y > 9999 || m > 99 || d > 99 {
		return date{}
	}
	return date{y: uint16(y), m: uint8(m), d: uint8(d)}
}
