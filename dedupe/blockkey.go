package dedupe

import "unicode/utf8"

// keyHasher builds a 64-bit FNV-1a hash of a blocking key's parts. Blocks
// are runs of equal hashes in a sorted array, so a record costs twelve
// bytes per key instead of a string; two different keys sharing a hash only
// add candidate pairs, which the comparison then rejects.
type keyHasher uint64

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func newKeyHasher(kind int) keyHasher {
	h := keyHasher(fnvOffset)
	h.byte(byte(kind))
	return h
}

func (h *keyHasher) byte(c byte) {
	*h ^= keyHasher(c)
	*h *= fnvPrime
}

func (h *keyHasher) str(s string) {
	for i := 0; i < len(s); i++ {
		h.byte(s[i])
	}
	h.byte(0xff)
}

// sum returns the hash, never 0 (0 means "no key").
func (h keyHasher) sum() uint64 {
	if h == 0 {
		return 1
	}
	return uint64(h)
}

// valueHash hashes one value for term-frequency counting; 0 for "".
func valueHash(kind int, s string) uint64 {
	if s == "" {
		return 0
	}
	h := newKeyHasher(kind)
	h.str(s)
	return h.sum()
}

func initial(s string) string {
	if s == "" {
		return ""
	}
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// blockHash returns the hash of record p's key of the given kind, or 0 when
// the record lacks the fields the key needs. Index files store its results:
// bump indexFormat (persist.go) whenever it changes.
func blockHash(kind BlockingKey, kindIndex int, p *prepared) uint64 {
	h := newKeyHasher(kindIndex)
	// Placeholder values make no blocks (placeholder.go).
	if p.flags&flagsPlaceholder != 0 {
		switch kind {
		case BlockEmail, BlockEmailLocal:
			if p.flags&flagEmailPlaceholder != 0 {
				return 0
			}
		case BlockPhone:
			if p.flags&flagPhonePlaceholder != 0 {
				return 0
			}
		case BlockBirthDateFirst, BlockBirthDateLast, BlockBirthDateCity:
			if p.flags&(flagDatePlaceholder|flagDayPlaceholder) != 0 {
				return 0
			}
		case BlockFirstNameYear, BlockLastNameYear:
			if p.flags&flagDatePlaceholder != 0 {
				return 0
			}
		}
	}
	switch kind {
	case BlockEmail:
		if p.email == "" || p.emailAt <= 0 {
			return 0
		}
		h.str(p.email)
	case BlockEmailLocal:
		if p.emailAt < 3 {
			return 0
		}
		h.str(p.email[:p.emailAt])
	case BlockSortedSkeletons:
		a, b := p.firstPhonetic, p.lastPhonetic
		if a == "" || b == "" {
			return 0
		}
		if b < a {
			a, b = b, a
		}
		h.str(a)
		h.str(b)
	case BlockFirstNameYear, BlockLastNameYear:
		name := p.first
		if kind == BlockLastNameYear {
			name = p.lastPhonetic
		}
		if name == "" || p.dob.missing() {
			return 0
		}
		h.str(name)
		h.byte(byte(p.dob.y >> 8))
		h.byte(byte(p.dob.y))
	case BlockStreetPostal, BlockStreetCity:
		place := p.postal
		if kind == BlockStreetCity {
			place = p.city
		}
		if place == "" {
			return 0
		}
		var toks [maxTokens]string
		n := splitWords(p.street, p.house, &toks)
		if n == 0 {
			return 0
		}
		for _, t := range toks[:n] {
			h.str(t)
		}
		h.str(place)
	case BlockBirthDateCity:
		if p.dob.missing() || p.city == "" {
			return 0
		}
		d := p.dob.digits()
		for _, c := range d {
			h.byte(c)
		}
		h.str(p.city)
	case BlockPhone:
		if len(p.phone) < 6 {
			return 0
		}
		h.str(p.phone)
	case BlockLastNamePhonetic:
		if p.lastPhonetic == "" {
			return 0
		}
		h.str(p.lastPhonetic)
		h.str(initial(p.first))
	case BlockPostalHouse:
		if p.postal == "" || p.house == "" {
			return 0
		}
		h.str(p.postal)
		h.str(p.house)
	case BlockSortedNames:
		var toks [maxTokens]string
		n := splitWords(p.first+" "+p.last, "", &toks)
		if n < 2 {
			return 0
		}
		for i := 1; i < n; i++ {
			for j := i; j > 0 && toks[j] < toks[j-1]; j-- {
				toks[j], toks[j-1] = toks[j-1], toks[j]
			}
		}
		for _, t := range toks[:n] {
			h.str(t)
		}
	case BlockBirthDateFirst, BlockBirthDateLast:
		name := p.first
		if kind == BlockBirthDateLast {
			name = p.last
		}
		if p.dob.missing() || name == "" {
			return 0
		}
		d := p.dob.digits()
		for _, c := range d {
			h.byte(c)
		}
		h.byte(0xff)
		h.str(initial(name))
	case BlockFirstNamePostal:
		if p.firstPhonetic == "" || p.postal == "" {
			return 0
		}
		h.str(p.firstPhonetic)
		h.str(p.postal)
	case BlockNationalID:
		if p.nationalID == "" {
			return 0
		}
		h.str(p.nationalID)
	case BlockCompany:
		if p.company == "" {
			return 0
		}
		h.str(p.company)
		h.str(p.city)
	case BlockLastNameCity, BlockLastNamePostal:
		place := p.city
		if kind == BlockLastNamePostal {
			place = p.postal
		}
		if p.lastPhonetic == "" || place == "" {
			return 0
		}
		h.str(p.lastPhonetic)
		h.str(place)
	default:
		return 0
	}
	return h.sum()
}
