package dedupe

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/steward-crm/steward/cleanse"
)

// The match keys of each field come from package cleanse; these wrappers
// are the only place dedupe depends on it, so every comparison sees one
// spelling of each value.

func nameKey(s string) string { return cleanse.NameKey(s) }
func matchNames(first, last string) (string, string) {
	return cleanse.MatchNames(first, last)
}
func nameSkeleton(s string) string { return cleanse.NameSkeleton(s) }

// skeletonOfKey is nameSkeleton of a name already in nameKey form.
func skeletonOfKey(k string) string { return cleanse.SkeletonOfKey(k) }
func emailKey(s string) string      { return cleanse.EmailKey(s) }
func companyKey(s string) string    { return cleanse.CompanyKey(s) }

// phoneKey returns the last nine digits of a phone number (Persian and
// Arabic-Indic digits folded), or "" when it has fewer than six.
// Formatting, the country code and the trunk prefix fall away, so
// "+98 912 123 4567", "0098 912-123-4567" and "09121234567" meet, as do
// "+1 718 368 4934" and "(718) 368-4934". cleanse.PhoneKey parses numbers
// fully (E.164); at some 15 µs a number it would cost a million-record run
// a quarter of its time, and the comparison needs only the subscriber
// digits, which a parse would not change.
func phoneKey(s string) string {
	d := digitsOnly(cleanse.MatchKey(s))
	if len(d) < 6 {
		return ""
	}
	return d[max(0, len(d)-9):]
}

func digitsOnly(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	if n == len(s) {
		return s
	}
	b := make([]byte, 0, n)
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}
func textKey(s string) string { return cleanse.MatchKey(s) }

// countryKey returns a country's ISO 3166-1 alpha-2 code in lower case
// when cleanse knows it (United States, U.S.A. and US meet), else its
// match key.
func countryKey(s string) string {
	if s == "" {
		return ""
	}
	return countries.get(s, func(s string) string {
		if code, ok := cleanse.LookupCountry(s); ok {
			return strings.ToLower(code)
		}
		return textKey(s)
	})
}

// memo remembers the keys of a field whose values are few (countries,
// regions): a key costs microseconds to compute, and millions of records
// hold a few hundred distinct values. It keeps at most memoMax values;
// later ones are computed each time. The functions it remembers are pure,
// so sharing it changes no result.
type memo struct {
	m sync.Map
	n atomic.Int32
}

const memoMax = 1 << 12

var countries, regions memo

func (c *memo) get(s string, key func(string) string) string {
	if v, ok := c.m.Load(s); ok {
		return v.(string)
	}
	v := key(s)
	if c.n.Load() < memoMax {
		c.n.Add(1)
		c.m.Store(strings.Clone(s), v)
	}
	return v
}

// arabicScript reports whether s holds an Arabic-script letter (Persian
// and Arabic).
func arabicScript(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xd8 && s[i] <= 0xdb || s[i] == 0xdd {
			// UTF-8 lead bytes of U+0600-U+06FF and U+0750-U+077F.
			r, _ := utf8.DecodeRuneInString(s[i:])
			if r >= 0x0600 && r <= 0x06ff || r >= 0x0750 && r <= 0x077f {
				return true
			}
		}
	}
	return false
}

// regionKey returns the match key of a region standardized for its
// country (cleanse.Region: New South Wales and NSW, Tehran Province and
// تهران meet); country is countryKey's code.
func regionKey(s, country string) string {
	if s == "" {
		return ""
	}
	return regions.get(country+"\x00"+s, func(string) string {
		if len(country) == 2 {
			s, _ = cleanse.Region(s, country)
		}
		return textKey(s)
	})
}
