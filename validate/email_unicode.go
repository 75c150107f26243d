package validate

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkRune judges one non-ASCII character of an address: invisible,
// bidirectional-control, full-width, whitespace, control, symbol and
// unassigned or private-use characters are rejected; letters, marks and
// digits of any script are allowed (scripts are judged per label later).
func checkRune(r rune, inDomain bool) Reason {
	switch {
	case r == 0x061C || r == 0x200E || r == 0x200F ||
		(r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
		return ReasonBidiControl
	case r == 0x00AD || r == 0x034F || r == 0x115F || r == 0x1160 ||
		r == 0x17B4 || r == 0x17B5 || (r >= 0x180B && r <= 0x180F) ||
		(r >= 0x200B && r <= 0x200D) || (r >= 0x2060 && r <= 0x206F) ||
		r == 0x3164 || (r >= 0xFE00 && r <= 0xFE0F) || r == 0xFEFF ||
		r == 0xFFA0 || (r >= 0x1D173 && r <= 0x1D17A) ||
		(r >= 0xE0000 && r <= 0xE0FFF):
		return ReasonInvisibleChar
	case r == 0x3000 || (r >= 0xFF01 && r <= 0xFF60) || (r >= 0xFFE0 && r <= 0xFFE6):
		return ReasonFullwidth
	case unicode.In(r, unicode.Z) || unicode.IsSpace(r):
		return ReasonWhitespace
	case unicode.Is(unicode.Cc, r):
		return ReasonControlChar
	case unicode.Is(unicode.Cf, r):
		return ReasonInvisibleChar
	case unicode.In(r, unicode.L, unicode.M, unicode.N):
		return ReasonOK
	case unicode.In(r, unicode.S):
		return ReasonSymbol
	}
	if inDomain {
		return ReasonInvalidCharDom
	}
	return ReasonInvalidCharLocal
}

// scriptTables lists the scripts checked first; a character of any other
// script is looked up in unicode.Scripts.
var scriptTables = []*unicode.RangeTable{
	unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Arabic,
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
	unicode.Bopomofo, unicode.Hebrew, unicode.Armenian, unicode.Georgian,
	unicode.Devanagari, unicode.Thai, unicode.Cherokee,
}

// scriptOf returns the script of r, or nil for characters shared by scripts
// (digits, punctuation, combining marks).
func scriptOf(r rune) *unicode.RangeTable {
	if r < utf8.RuneSelf {
		if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
			return unicode.Latin
		}
		return nil
	}
	if unicode.In(r, unicode.Common, unicode.Inherited) {
		return nil
	}
	for _, t := range scriptTables {
		if unicode.Is(t, r) {
			return t
		}
	}
	for _, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return t
		}
	}
	return nil
}

// mixedScriptOK applies the "moderately restrictive" profile of Unicode
// TS #39 to one label or atom: a single script; Latin with Han and Japanese
// kana, with Han and Bopomofo, or with Han and Hangul; or Latin with one
// other script that has no Latin lookalikes (not Cyrillic, Greek or
// Cherokee). So "m端ller" passes and "pаypal" with a Cyrillic а does not.
func mixedScriptOK(s string) bool {
	var seen [4]*unicode.RangeTable
	n := 0
	for _, r := range s {
		t := scriptOf(r)
		if t == nil {
			continue
		}
		dup := false
		for _, x := range seen[:n] {
			if x == t {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		if n == len(seen) {
			return false
		}
		seen[n] = t
		n++
	}
	if n <= 1 {
		return true
	}
	has := func(t *unicode.RangeTable) bool {
		for _, x := range seen[:n] {
			if x == t {
				return true
			}
		}
		return false
	}
	only := func(ts ...*unicode.RangeTable) bool {
		for _, x := range seen[:n] {
			ok := false
			for _, t := range ts {
				if x == t {
					ok = true
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	if only(unicode.Latin, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		only(unicode.Latin, unicode.Han, unicode.Bopomofo) ||
		only(unicode.Latin, unicode.Han, unicode.Hangul) {
		return true
	}
	return n == 2 && has(unicode.Latin) &&
		!has(unicode.Cyrillic) && !has(unicode.Greek) && !has(unicode.Cherokee)
}

// cyrillicLookalikes are Cyrillic letters that look like Latin letters.
const cyrillicLookalikes = "аеорсухіјѕԁԛԝһӏ"

// checkDomainScripts checks each label of a Unicode domain for confusable
// mixed scripts, and for whole-script Cyrillic lookalikes ("раура1" spelt
// only with Cyrillic letters that look Latin) under an ASCII top-level
// domain, as browsers do before showing a domain in Unicode.
func checkDomainScripts(domain string) Reason {
	tld := domain
	if k := strings.LastIndexByte(domain, '.'); k >= 0 {
		tld = domain[k+1:]
	}
	asciiTLD := isASCII(tld)
	for label := range strings.SplitSeq(domain, ".") {
		if isASCII(label) {
			continue
		}
		lower := strings.ToLower(label)
		if !mixedScriptOK(lower) {
			return ReasonConfusable
		}
		if asciiTLD && label != tld && wholeScriptLookalike(lower) {
			return ReasonConfusable
		}
	}
	return ReasonOK
}

func wholeScriptLookalike(label string) bool {
	letters := 0
	for _, r := range label {
		if !unicode.IsLetter(r) {
			continue
		}
		if !strings.ContainsRune(cyrillicLookalikes, r) {
			return false
		}
		letters++
	}
	return letters > 0
}
