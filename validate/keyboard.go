package validate

import "strings"

// persianKeys maps the letters of the Persian keyboard layout (ISIRI 9147,
// and the legacy Windows layout where they differ) to the Latin letters on
// the same keys, so an address typed with the wrong layout active can be
// read back: "لپشهم.زخپ" is "gmail.com".
var persianKeys = map[rune]rune{
	'ض': 'q', 'ص': 'w', 'ث': 'e', 'ق': 'r', 'ف': 't', 'غ': 'y', 'ع': 'u', 'ه': 'i', 'خ': 'o', 'ح': 'p',
	'ش': 'a', 'س': 's', 'ی': 'd', 'ي': 'd', 'ب': 'f', 'ل': 'g', 'ا': 'h', 'ت': 'j', 'ن': 'k', 'م': 'l',
	'ظ': 'z', 'ط': 'x', 'ز': 'c', 'ر': 'v', 'ذ': 'b', 'د': 'n', 'پ': 'm', 'ئ': 'm', 'و': ',',
	'۱': '1', '۲': '2', '۳': '3', '۴': '4', '۵': '5', '۶': '6', '۷': '7', '۸': '8', '۹': '9', '۰': '0',
}

// persianLayoutToLatin returns s with each Persian-layout key read as its
// Latin letter, and whether s had any Persian letters and all of them map.
func persianLayoutToLatin(s string) (string, bool) {
	persian := false
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		l, ok := persianKeys[r]
		if !ok {
			return "", false
		}
		persian = true
		b.WriteRune(l)
	}
	return b.String(), persian
}

// SuggestAddress returns a corrected address for local@domain, or "": a
// provider typo fixed ("ali@gmial.com" → "ali@gmail.com"), or an address
// typed with the Persian keyboard layout active read back in Latin
// ("شمه@لپشهم.زخپ" → "ali@gmail.com") when its domain then names a known
// mail provider. domain is as typed (Unicode or ASCII).
func (l *Lists) SuggestAddress(local, domain string) string {
	if latin, ok := persianLayoutToLatin(domain); ok {
		d := strings.ToLower(latin)
		target := l.Suggest(d)
		if _, known := l.providers[d]; known {
			target = d
		} else if _, free := l.free[d]; free && target == "" {
			target = d
		}
		if target == "" {
			return ""
		}
		if ll, ok := persianLayoutToLatin(local); ok {
			local = ll
		}
		return local + "@" + target
	}
	if sug := l.Suggest(domain); sug != "" {
		return local + "@" + sug
	}
	return ""
}
