package cleanse

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/steward-crm/steward/internal/lib/fold"
	"golang.org/x/text/unicode/norm"
)

// MatchKey returns a folded form of s for comparing any text: two values
// that a person would read as the same word meet on the same key.
//
// The rules, applied in one pass over the runes:
//
//   - compatibility decomposition (NFKD): full-width forms, ligatures and
//     Arabic presentation forms become their plain letters;
//   - combining marks of Latin, Greek and Cyrillic letters are removed
//     (é→e, ü→u), and a few letters without a decomposition are spelled
//     out (ß→ss, æ→ae, ø→o, ł→l, đ→d, þ→th, ı→i);
//   - Arabic letter forms become the Persian ones: ي ى ئ → ی, ك → ک,
//     ة ۀ ە → ه, أ إ ٱ آ → ا, ؤ → و; a standalone hamza ء is dropped;
//   - tashkeel (harakat, shadda, sukun, superscript alef) and kashida (ـ)
//     are removed;
//   - Persian ۰-۹, Arabic-Indic ٠-٩ and full-width digits become ASCII;
//   - invisible and bidi control characters are removed; a ZWNJ becomes
//     nothing, so "محمد‌رضا" and "محمدرضا" meet (name splitting treats a ZWNJ
//     as part of one word too);
//   - apostrophes are removed ("O'Brien" meets "OBrien"); every other
//     punctuation mark or symbol becomes a space;
//   - letters are lower-cased;
//   - white space is collapsed to single spaces and trimmed.
//
// ASCII input takes a fast path and, when already folded, is returned
// without allocating. MatchKey(MatchKey(s)) == MatchKey(s).
func MatchKey(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return matchKeyUnicode(s)
		}
	}
	return matchKeyASCII(s)
}

// asciiClass classifies ASCII bytes for the fast path.
const (
	acKeep  = iota // lower-case letter or digit
	acUpper        // upper-case letter: lower it
	acSpace        // white space, punctuation, symbol, control: separator
	acDrop         // apostrophe and back quote: removed
)

var asciiClasses = func() (t [128]uint8) {
	for c := 0; c < 128; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			t[c] = acKeep
		case c >= 'A' && c <= 'Z':
			t[c] = acUpper
		case c == '\'' || c == '`':
			t[c] = acDrop
		default:
			t[c] = acSpace
		}
	}
	return t
}()

func matchKeyASCII(s string) string {
	// Check whether s is already a key: only keep bytes and single inner
	// spaces.
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch asciiClasses[c] {
		case acKeep:
			continue
		case acSpace:
			if c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' ' && s[i+1] != ' ' {
				continue
			}
		}
		clean = false
		break
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch asciiClasses[c] {
		case acKeep:
		case acUpper:
			c += 'a' - 'A'
		case acDrop:
			continue
		default:
			space = true
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return string(b)
}

// Arabic-script code points used by the folding rules.
const (
	zwnj           = '\u200C'
	persianYeh     = 'ی'
	persianKaf     = 'ک'
	heh            = 'ه'
	alef           = 'ا'
	waw            = 'و'
	arabicYeh      = 'ي'
	alefMaksura    = 'ى'
	arabicKaf      = 'ك'
	tehMarbuta     = 'ة'
	kashida        = 'ـ'
	hamza          = 'ء'
	alefMadda      = 'آ'
	alefHamzaUp    = 'أ'
	alefHamzaDown  = 'إ'
	alefWasla      = 'ٱ'
	wawHamza       = 'ؤ'
	yehHamza       = 'ئ'
	hehYeh         = 'ۀ'
	ae             = 'ە'
	hehGoal        = 'ہ'
	hehDoachashmee = 'ھ'
)

// isTashkeel reports Arabic diacritics: harakat, tanwin, shadda, sukun,
// superscript alef, Quranic marks.
func isTashkeel(r rune) bool {
	return (r >= 0x0610 && r <= 0x061A) || (r >= 0x064B && r <= 0x065F) ||
		r == 0x0670 || (r >= 0x06D6 && r <= 0x06DC) || (r >= 0x06DF && r <= 0x06E4) ||
		r == 0x06E7 || r == 0x06E8 || (r >= 0x06EA && r <= 0x06ED)
}

// foldArabic maps Arabic letter forms to the Persian letter a match key
// uses; 0 means drop the rune.
func foldArabic(r rune) rune {
	switch r {
	case arabicYeh, alefMaksura, yehHamza:
		return persianYeh
	case arabicKaf:
		return persianKaf
	case tehMarbuta, hehYeh, ae, hehGoal, hehDoachashmee:
		return heh
	case alefMadda, alefHamzaUp, alefHamzaDown, alefWasla:
		return alef
	case wawHamza:
		return waw
	case hamza, 0x0674:
		return 0
	}
	return r
}

// isLatinMark reports combining marks that decorate Latin, Greek and
// Cyrillic letters (removed in keys) as opposed to marks that are part of
// other scripts' spelling.
func isLatinMark(r rune) bool {
	return (r >= 0x0300 && r <= 0x036F) || (r >= 0x1AB0 && r <= 0x1AFF) ||
		(r >= 0x1DC0 && r <= 0x1DFF) || (r >= 0x20D0 && r <= 0x20FF) || (r >= 0xFE20 && r <= 0xFE2F)
}

// latinSpelled lists letters NFKD leaves alone that keys spell out.
func latinSpelled(r rune) string {
	switch r {
	case 'ß', 'ẞ':
		return "ss"
	case 'æ', 'Æ':
		return "ae"
	case 'œ', 'Œ':
		return "oe"
	case 'ø', 'Ø':
		return "o"
	case 'ł', 'Ł':
		return "l"
	case 'đ', 'Đ', 'ð', 'Ð':
		return "d"
	case 'þ', 'Þ':
		return "th"
	case 'ı':
		return "i"
	case 'ħ', 'Ħ':
		return "h"
	}
	return ""
}

// isApostrophe reports apostrophe-like characters, which keys drop.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '´', '‘', '’', 'ʼ', 'ʻ', '′':
		return true
	}
	return false
}

// plainNFKD reports, quickly, that MatchKey need not decompose s: ASCII,
// the Arabic block except the letters whose hamza or madda NFKD splits off
// and foldArabic does not handle itself, and ZWNJ. false means "do not
// know".
func plainNFKD(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x80:
		case r >= 0x600 && r <= 0x6FF && !(r >= 0x675 && r <= 0x678) && r != 0x6C2 && r != 0x6D3:
		case r == zwnj:
		default:
			return false
		}
	}
	return true
}

func matchKeyUnicode(s string) string {
	if !plainNFKD(s) && !norm.NFKD.IsNormalString(s) {
		s = norm.NFKD.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	emit := func(r rune) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	for _, r := range s {
		if r < utf8.RuneSelf {
			switch asciiClasses[r] {
			case acKeep:
				emit(r)
			case acUpper:
				emit(r + 'a' - 'A')
			case acSpace:
				space = true
			}
			continue
		}
		if d := fold.Digit(r); d >= 0 {
			emit(d)
			continue
		}
		if r >= 0x0600 && r <= 0x06FF {
			if r == kashida || isTashkeel(r) || r == 0x061C {
				continue
			}
			if f := foldArabic(r); f == 0 {
				continue
			} else {
				r = f
			}
		}
		switch {
		case fold.Invisible(r), isLatinMark(r), isApostrophe(r):
			continue
		}
		if sp := latinSpelled(r); sp != "" {
			for _, c := range sp {
				emit(c)
			}
			continue
		}
		switch {
		case unicode.IsLetter(r), unicode.IsNumber(r), unicode.IsMark(r):
			emit(unicode.ToLower(r))
		default:
			space = true
		}
	}
	out := b.String()
	if !plainNFKD(out) && !norm.NFKD.IsNormalString(out) {
		// Lower-casing can, rarely, produce a decomposable letter; fold it
		// again so the key stays a fixed point.
		return matchKeyUnicode(out)
	}
	return out
}
