package cleanse

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/steward-crm/steward/internal/lib/fold"
	"golang.org/x/text/unicode/norm"
)

// Fix is one change a standardizer made to a value, or one finding about a
// value it kept: Field names the canonical field (set by Record; empty from
// the single-value functions), Rule names the rule ("text.digits",
// "phone.e164"). A Fix whose After equals its Before is a flag: the value
// was kept as written and Rule says why ("phone.invalid").
type Fix struct {
	Field  string `json:"field,omitempty"`
	Before string `json:"before"`
	After  string `json:"after"`
	Rule   string `json:"rule"`
	// Why says what a guess was made from (RuleCountryInferred: "the
	// phone +989121234567 …"); empty for other fixes.
	Why string `json:"why,omitempty"`
}

// Rule names of Text, in the order they apply.
const (
	RuleInvisible     = "text.invisible"      // invisible and bidi control characters removed
	RuleNFC           = "text.nfc"            // Unicode NFC
	RuleArabicLetters = "text.arabic-letters" // ي ى → ی, ك → ک, presentation forms → letters
	RuleTashkeel      = "text.tashkeel"       // harakat and kashida removed
	RuleDigits        = "text.digits"         // Persian, Arabic-Indic, full-width digits → ASCII
	RuleWidth         = "text.width"          // full-width Latin letters and punctuation → ASCII
	RuleSpace         = "text.space"          // white space collapsed and trimmed
)

// fixes collects the steps of one standardizer.
type fixes []Fix

func (f *fixes) step(rule, before, after string) string {
	if before != after {
		*f = append(*f, Fix{Before: before, After: after, Rule: rule})
	}
	return after
}

// Text standardizes free text for storage and display:
//
//   - invisible and bidi control characters are removed (LRM, RLM, ALM,
//     embeddings, isolates, zero-width space, BOM, soft hyphen, other
//     control characters); a ZWNJ is kept only between two Arabic-script
//     letters, where it is part of Persian spelling (می‌خواهم), and a run
//     of them becomes one;
//   - Unicode NFC;
//   - Arabic letter forms to Persian: ي ى → ی, ك → ک, and Arabic
//     presentation forms to plain letters (ة and the hamza forms are left:
//     they are spelling, and only match keys fold them);
//   - tashkeel (harakat, tanwin, shadda, sukun) and kashida removed;
//   - Persian ۰-۹, Arabic-Indic ٠-٩ and full-width digits to ASCII;
//     full-width Latin letters and punctuation to ASCII;
//   - white space (including no-break and ideographic space, tabs, line
//     breaks) collapsed to one space and trimmed.
//
// It returns the new text and one Fix per rule that changed something.
// Text(Text(s)) == Text(s).
func Text(s string) (string, []Fix) {
	var f fixes
	if isPlainASCII(s) {
		return f.textSpace(s), f
	}
	s = f.step(RuleInvisible, s, removeInvisible(s))
	if !plainNFC(s) && !norm.NFC.IsNormalString(s) {
		s = f.step(RuleNFC, s, norm.NFC.String(s))
	}
	s = f.step(RuleArabicLetters, s, mapRunes(s, arabicToPersian))
	s = f.step(RuleTashkeel, s, mapRunes(s, dropTashkeel))
	s = f.step(RuleDigits, s, mapRunes(s, asciiDigit))
	s = f.step(RuleWidth, s, mapRunes(s, halfWidth))
	// A letter the maps made ("Ｂ" → "B") can compose with the mark after
	// it ("B" + U+0323 → "Ḅ"), which the next call would do: compose now.
	if !plainNFC(s) && !norm.NFC.IsNormalString(s) {
		s = f.step(RuleNFC, s, norm.NFC.String(s))
	}
	// Removing a mark can leave a ZWNJ next to a space; clean once more.
	s = f.step(RuleInvisible, s, removeInvisible(s))
	return f.textSpace(s), f
}

func (f *fixes) textSpace(s string) string {
	return f.step(RuleSpace, s, collapseSpace(s))
}

// plainNFC reports, quickly, that s is in NFC because it holds only
// characters that never compose: Latin below the combining marks, the
// Arabic block without its hamza and madda marks, ZWNJ and ZWJ. false
// means "do not know".
func plainNFC(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x300:
		case r >= 0x600 && r <= 0x6FF && (r < 0x653 || r > 0x655):
		case r == 0x200C || r == 0x200D:
		default:
			return false
		}
	}
	return true
}

// isPlainASCII reports whether s is ASCII without control characters
// other than tab, CR and LF.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || (c < ' ' && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return false
		}
	}
	return true
}

// collapseSpace collapses runs of white space to one ASCII space and trims
// the ends; it returns s itself when nothing changes.
func collapseSpace(s string) string {
	clean := true
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if prevSpace {
				clean = false
				break
			}
			prevSpace = true
			continue
		}
		if c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c >= utf8.RuneSelf {
			clean = false
			break
		}
		prevSpace = false
	}
	if clean && (len(s) == 0 || s[len(s)-1] != ' ') {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u3000' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isArabicLetter reports letters of the Arabic script (Persian included).
func isArabicLetter(r rune) bool {
	return (r >= 0x0620 && r <= 0x064A) || (r >= 0x066E && r <= 0x06D3) || r == 0x06D5 ||
		(r >= 0x06FA && r <= 0x06FC) || r == 0x06FF || (r >= 0x0750 && r <= 0x077F)
}

// removeInvisible drops invisible and control characters, keeping one ZWNJ
// between two Arabic-script letters (marks and kashida may stand between
// the letter and the ZWNJ).
func removeInvisible(s string) string {
	need := false
	for _, r := range s {
		if fold.Invisible(r) || (r < ' ' && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r < 0xa0) {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		switch {
		case r == zwnj:
			if b.Len() > 0 && prevLetterArabic(b.String()) && nextLetterArabic(rs[i+1:]) {
				b.WriteRune(r)
			}
		case fold.Invisible(r), r < ' ' && r != '\t' && r != '\n' && r != '\r', r >= 0x7f && r < 0xa0:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// prevLetterArabic reports whether the text ends in an Arabic-script letter
// (possibly followed by marks or kashida) and not already in a ZWNJ.
func prevLetterArabic(s string) bool {
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		switch {
		case r == zwnj:
			return false
		case isTashkeel(r), r == kashida:
			s = s[:len(s)-size]
			continue
		}
		return isArabicLetter(r)
	}
	return false
}

// nextLetterArabic reports whether the next letter, past marks, kashida and
// invisible characters, is an Arabic-script letter.
func nextLetterArabic(rs []rune) bool {
	for _, r := range rs {
		if isTashkeel(r) || r == kashida || fold.Invisible(r) {
			continue
		}
		return isArabicLetter(r)
	}
	return false
}

// mapRunes maps every rune of s through m (a negative result drops the
// rune) and returns s itself when nothing changes.
func mapRunes(s string, m func(rune) rune) string {
	for i, r := range s {
		if m(r) != r {
			var b strings.Builder
			b.Grow(len(s))
			b.WriteString(s[:i])
			for _, r := range s[i:] {
				if n := m(r); n >= 0 {
					b.WriteRune(n)
				}
			}
			return b.String()
		}
	}
	return s
}

func arabicToPersian(r rune) rune {
	switch r {
	case arabicYeh, alefMaksura:
		return persianYeh
	case arabicKaf:
		return persianKaf
	}
	if r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFC {
		// Presentation forms: the compatibility mapping is one letter for
		// the common forms; ligatures (ﷲ, ﻻ) are left as written.
		d := norm.NFKC.String(string(r))
		if n, size := utf8.DecodeRuneInString(d); size == len(d) && n != utf8.RuneError && n != r {
			// A code point without a mapping (U+FDCD) maps to itself.
			return arabicToPersian(n)
		}
	}
	return r
}

func dropTashkeel(r rune) rune {
	if r == kashida || isTashkeel(r) {
		return -1
	}
	return r
}

func asciiDigit(r rune) rune {
	if d := fold.Digit(r); d >= 0 {
		return d
	}
	return r
}

func halfWidth(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFF01 + '!'
	}
	return r
}
