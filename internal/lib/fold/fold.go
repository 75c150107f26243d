package fold

import "strings"

// Digit returns the ASCII digit r stands for (Persian U+06F0-U+06F9,
// Arabic-Indic U+0660-U+0669, full-width U+FF10-U+FF19 or ASCII), or -1.
func Digit(r rune) rune {
	switch {
	case r >= '0' && r <= '9':
		return r
	case r >= '۰' && r <= '۹':
		return '0' + r - '۰'
	case r >= '٠' && r <= '٩':
		return '0' + r - '٠'
	case r >= '０' && r <= '９':
		return '0' + r - '０'
	}
	return -1
}

// Invisible reports a character that shows nothing but can sit inside
// typed text: soft hyphen, Arabic letter mark, zero-width spaces and
// joiners (ZWNJ among them), direction marks and embeddings, word joiner,
// byte order mark.
func Invisible(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x061C, r == 0x180E, r == 0xFEFF:
		return true
	case r >= 0x200B && r <= 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E:
		return true
	case r >= 0x2060 && r <= 0x206F:
		return true
	}
	return false
}

// Digits turns Persian, Arabic-Indic and full-width digits (and the
// full-width plus sign) into ASCII and drops invisible characters, leaving
// everything else: "۰۹۱۲‌۳" reads "09123".
func Digits(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.Map(func(r rune) rune {
				if d := Digit(r); d >= 0 {
					return d
				}
				if r == '＋' {
					return '+'
				}
				if Invisible(r) {
					return -1
				}
				return r
			}, s)
		}
	}
	return s
}
