package phonemeta

import (
	"slices"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/nyaruka/phonenumbers/v2/metadata"
)

// Limits of libphonenumber's parser.
const (
	maxInputLength       = 250 // longer input is "too long"
	minLengthForNSN      = 2
	maxLengthCountryCode = 3
)

// Parse returns what phonenumbers.Parse(s, defaultRegion) returns, the
// same number or the same error, with less work for the commonest input:
// a number written with digits and the usual punctuation only is read in
// its Plain form; a number in E.164 form ("+" and digits), such as
// cleanse writes, whose national number needs no national prefix
// stripped, and a national number of digits only for a region that does
// not rewrite its national prefix, are read without the library's parser
// and its extension patterns. Anything else goes to phonenumbers.Parse.
func Parse(s, defaultRegion string) (*phonenumbers.PhoneNumber, error) {
	return callingCodes().parse(s, defaultRegion)
}

func (t table) parse(s, defaultRegion string) (*phonenumbers.PhoneNumber, error) {
	if p, exact := Plain(s); exact {
		s = p
	}
	if n, ok := t.parseE164(s); ok {
		return n, nil
	}
	if n, ok := t.parseNational(s, defaultRegion); ok {
		return n, nil
	}
	return phonenumbers.Parse(s, defaultRegion)
}

// parseE164 returns what phonenumbers.Parse makes of s, for any default
// region, when s is "+" and digits, the leading ones a calling code the
// library knows, the rest a national number of 2 to 17 digits that does
// not start with the national prefix of the calling code's main region;
// ok is false for anything else, which the library must read.
func (t table) parseE164(s string) (n *phonenumbers.PhoneNumber, ok bool) {
	if len(s) < 2 || s[0] != '+' || s[1] == '0' || len(s) > 1+maxLengthCountryCode+maxLengthForNSN {
		return nil, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return nil, false
		}
	}
	digits := s[1:]
	// The shortest known calling code that starts the digits, as the
	// library's extractCountryCode takes it.
	for i := 1; i <= maxLengthCountryCode && i <= len(digits); i++ {
		code, _ := strconv.Atoi(digits[:i])
		c := t[code]
		if c == nil {
			continue
		}
		national := digits[i:]
		if len(national) < minLengthForNSN || len(national) > maxLengthForNSN {
			return nil, false
		}
		regions := c.compiled()
		if len(regions) == 0 {
			return nil, false
		}
		// The library strips a national prefix (and maybe rewrites the
		// number) by the metadata of the calling code's main region;
		// when the prefix is not there, it keeps the number as it is.
		if p := regions[0].nationalPrefix; p != nil && p.MatchString(national) {
			return nil, false
		}
		return numberOf(int32(code), national), true
	}
	return nil, false
}

// parseNational returns what phonenumbers.Parse(s, defaultRegion) makes
// of s when s is 3 or more digits, defaultRegion a region the library
// supports, and s does not start with the region's international prefix
// or calling code, nor with a national prefix the region's metadata
// rewrites rather than drops (Argentina, Brazil, Japan, the Caribbean
// regions of +1 …); ok is false for anything else, which the library must
// read.
func (t table) parseNational(s, defaultRegion string) (n *phonenumbers.PhoneNumber, ok bool) {
	if len(s) < 3 || len(s) > maxInputLength || !metadata.SupportedRegions()[defaultRegion] {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return nil, false
		}
	}
	m, ok := metadata.RegionMetadata(defaultRegion)
	if !ok || m == nil {
		return nil, false
	}
	code := m.GetCountryCode()
	c := t[int(code)]
	if c == nil {
		return nil, false
	}
	var r *region
	for _, x := range c.compiled() {
		if x.id == defaultRegion {
			r = x
		}
	}
	if r == nil || !r.known || len(r.general.lengths) == 0 ||
		r.internationalPrefix.MatchString(s) || strings.HasPrefix(s, r.countryCode) {
		return nil, false
	}
	national := s
	if r.nationalPrefix != nil {
		if loc := r.nationalPrefix.FindStringIndex(s); loc != nil {
			if r.transformRule != "" {
				return nil, false
			}
			// The prefix is dropped unless that turns a number that
			// matched the general pattern into one that does not, and
			// what is left must be of a possible length (or too long),
			// not too short, local only, or of no length the region has.
			stripped := s[loc[1]:]
			if (!r.general.matchesPattern(s) || r.general.matchesPattern(stripped)) && r.keepsLength(len(stripped)) {
				national = stripped
			}
		}
	}
	if len(national) < minLengthForNSN || len(national) > maxLengthForNSN {
		return nil, false
	}
	return numberOf(code, national), true
}

// keepsLength reports whether the library's testNumberLength says a
// national number of length l is possible or too long for the region, as
// Parse asks before it keeps a number stripped of its national prefix.
func (r *region) keepsLength(l int) bool {
	lengths := r.general.lengths
	if lengths[0] == -1 || slices.Contains(r.localOnlyLengths, int32(l)) {
		return false
	}
	switch {
	case lengths[0] == int32(l):
		return true
	case lengths[0] > int32(l):
		return false
	case lengths[len(lengths)-1] < int32(l):
		return true
	}
	return slices.Contains(lengths[1:], int32(l))
}

// numberOf is the number the library makes of a calling code and a
// national number of digits: leading zeros become the Italian leading
// zero flag and, when more than one, their count (all but the last digit
// of an all-zero number).
func numberOf(code int32, national string) *phonenumbers.PhoneNumber {
	nn, _ := strconv.ParseUint(national, 10, 64)
	n := &phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &nn}
	if len(national) >= 2 && national[0] == '0' {
		yes := true
		n.ItalianLeadingZero = &yes
		zeros := 1
		for zeros < len(national)-1 && national[zeros] == '0' {
			zeros++
		}
		if zeros != 1 {
			count := int32(zeros)
			n.NumberOfLeadingZeros = &count
		}
	}
	return n
}

// Plain returns "+" and the digits of a number written with only digits,
// spaces and the usual punctuation (- . ( ) /), the "+" only before the
// first digit; or s itself when it holds anything else (an extension,
// letters, "tel:"). The plain form spares libphonenumber its slow
// extension patterns. exact reports that libphonenumber reads plain as it
// reads s: always, but for s longer than the library takes (250 bytes),
// which the library rejects and plain may shorten enough, and for two
// digits with punctuation ("1-2"), which the library takes for no number
// at all and plain ("12") for a short one.
func Plain(s string) (plain string, exact bool) {
	var b []byte // nil until a character is dropped
	digits, kept := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9' || c == '+' && kept == 0:
			if c != '+' {
				digits++
			}
			kept++
			if b != nil {
				b = append(b, c)
			}
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
			if b == nil {
				b = append(make([]byte, 0, len(s)), s[:i]...)
			}
		default:
			return s, true
		}
	}
	if b == nil {
		return s, true
	}
	return string(b), len(s) <= maxInputLength && digits >= 3
}
