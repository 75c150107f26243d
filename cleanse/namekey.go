package cleanse

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed data/names/persian-names.txt
var persianNamesTxt string

// nameTables maps spellings of common Persian and Arabic given names to one
// canonical Latin key.
type nameTables struct {
	persian map[string]string // Persian-script spelling (MatchKey form) → key
	latin   map[string]string // Latin spelling (latinSpelling form) → key
}

var loadNameTables = sync.OnceValue(func() *nameTables {
	t := &nameTables{persian: map[string]string{}, latin: map[string]string{}}
	for _, line := range strings.Split(persianNamesTxt, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		fa, la, ok := strings.Cut(line, ";")
		if !ok {
			continue
		}
		latins := strings.Fields(la)
		if len(latins) == 0 {
			continue
		}
		canon := latinSpelling(latins[0])
		for _, p := range strings.Fields(fa) {
			t.persian[MatchKey(p)] = canon
		}
		for _, l := range latins {
			t.latin[latinSpelling(l)] = canon
		}
	}
	return t
})

// NameKey returns a key for comparing person names across scripts and
// transliterations: MatchKey, then every word spelled in one canonical Latin
// form, vowels kept.
//
// Rules, per word:
//
//  1. A Persian- or Arabic-script word that is a known given name (a table
//     of about 120 common names) becomes that name's canonical key, so محمد
//     and Mohammad meet. Other Arabic-script words are transliterated letter
//     by letter (ش→sh, خ→kh, ق/غ→gh, ژ→zh, initial ی→y, final ه→e …);
//     short vowels are not written in Persian, so an unknown name only
//     meets its Latin spelling in NameSkeleton.
//  2. A Latin word is respelled by rules that merge the usual variants of
//     transliterated names without touching most English names:
//     "ee"→"i", "oo"→"u", "ou"→"u", doubled letters collapsed, a final
//     "eh" after three or more letters → "e" (Fatemeh/Fateme,
//     Hossein/Hosein, Mahmoud/Mahmood/Mahmud, Nasreen/Nasrin). The vowel
//     changes of Arabic names (Mohammed/Muhammad, Hussein/Husain,
//     Fatima/Fatemeh) come only from the name table, never from a general
//     e/a or u/o rule, so Ellen and Allan, or Mario and Maria, stay apart.
//  3. A word that is two known names written together (محمدرضا after the
//     ZWNJ is dropped, Mohammadreza, Alireza) becomes both keys, separated
//     by a space, so it meets "Mohammad Reza".
//  4. A family name made of a known name and a Persian ending (ی, زاده,
//     پور, نژاد, نیا, فر, راد; -i, -ei, -zadeh, -pour, -nejad …) becomes
//     the name's key and the ending's: حسینی, Hosseini and Husseini are
//     all "hoseini"; رضایی and Rezaei "rezai"; Alipour and علی‌پور
//     "alipur".
//
// NameKey(NameKey(s)) == NameKey(s).
func NameKey(s string) string {
	k := MatchKey(s)
	if k == "" {
		return ""
	}
	t := loadNameTables()
	var b strings.Builder
	b.Grow(len(k) + 8)
	for w := range strings.SplitSeq(k, " ") {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(nameWordKey(t, w))
	}
	return b.String()
}

func nameWordKey(t *nameTables, w string) string {
	if isArabicScript(w) {
		if c, ok := t.persian[w]; ok {
			return c
		}
		if c, ok := splitCompound(t.persian, w); ok {
			return c
		}
		if c, ok := surnameOf(t.persian, w, persianSurnameEndings); ok {
			return c
		}
		w = transliterate(w)
	}
	l := latinSpelling(w)
	if c, ok := t.latin[l]; ok {
		return c
	}
	if c, ok := splitCompound(t.latin, l); ok {
		return c
	}
	if c, ok := surnameOf(t.latin, l, latinSurnameEndings); ok {
		return c
	}
	return l
}

// surnameEnding is an ending that makes a family name of a given name
// (Hosseini, Ahmadi, Rezaei, Hosseinzadeh, Alipour) and its key.
type surnameEnding struct{ ending, key string }

// persianSurnameEndings are in MatchKey form, longest first.
var persianSurnameEndings = []surnameEnding{
	{"زاده", "zade"}, {"نژاد", "nejad"}, {"پور", "pur"}, {"نیا", "nia"}, {"فر", "far"},
	{"راد", "rad"}, {"یی", "i"}, {"ی", "i"},
}

// latinSurnameEndings are in latinSpelling form, longest first.
var latinSurnameEndings = []surnameEnding{
	{"zade", "zade"}, {"nejad", "nejad"}, {"nezhad", "nejad"}, {"nejhad", "nejad"},
	{"pur", "pur"}, {"nia", "nia"}, {"far", "far"}, {"rad", "rad"},
	{"yi", "i"}, {"ei", "i"}, {"i", "i"},
}

// surnameOf returns the key of a family name made of a known given name
// of three letters or more and an ending: حسینی and Hosseini are both
// "hoseini", رضایی and Rezaei "rezai", حسین‌زاده and Hosseinzadeh
// "hoseinzade".
func surnameOf(m map[string]string, w string, endings []surnameEnding) (string, bool) {
	for _, e := range endings {
		stem, ok := strings.CutSuffix(w, e.ending)
		if !ok || utf8.RuneCountInString(stem) < 3 {
			continue
		}
		if c, ok := m[stem]; ok {
			return c + e.key, true
		}
	}
	return "", false
}

// splitCompound splits w into two known names of at least three letters
// each.
func splitCompound(m map[string]string, w string) (string, bool) {
	n := utf8.RuneCountInString(w)
	if n < 6 {
		return "", false
	}
	runes := 0
	for i := range w {
		if runes >= 3 && n-runes >= 3 {
			a, aok := m[w[:i]]
			b, bok := m[w[i:]]
			if aok && bok {
				return a + " " + b, true
			}
		}
		runes++
	}
	return "", false
}

// isArabicScript reports whether w holds any Arabic-script letter.
func isArabicScript(w string) bool {
	for _, r := range w {
		if r >= 0x0600 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F {
			return true
		}
	}
	return false
}

// latinSpelling applies the Latin respelling rules of NameKey to one
// lower-case word until nothing changes.
func latinSpelling(w string) string {
	for range 4 {
		n := latinSpellingOnce(w)
		if n == w {
			return w
		}
		w = n
	}
	return w
}

func latinSpellingOnce(w string) string {
	if !needsRespelling(w) {
		return w
	}
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		c := w[i]
		if i+1 < len(w) {
			switch {
			case c == 'e' && w[i+1] == 'e':
				c = 'i'
				i++
			case c == 'o' && (w[i+1] == 'o' || w[i+1] == 'u'):
				c = 'u'
				i++
			}
		}
		if n := len(b); n > 0 && b[n-1] == c && c < utf8.RuneSelf && isASCIILetter(c) {
			continue
		}
		b = append(b, c)
	}
	if n := len(b); n > 4 && b[n-2] == 'e' && b[n-1] == 'h' {
		b = b[:n-1]
	}
	return string(b)
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' }

func needsRespelling(w string) bool {
	for i := 1; i < len(w); i++ {
		p, c := w[i-1], w[i]
		if p == c && isASCIILetter(c) {
			return true
		}
		if (p == 'e' && c == 'e') || (p == 'o' && (c == 'o' || c == 'u')) {
			return true
		}
	}
	n := len(w)
	return n > 4 && w[n-2] == 'e' && w[n-1] == 'h'
}

// persianLatin is the plain letter-for-letter Latin spelling of Persian
// consonants; the vowel letters ا و ی ه and ع depend on their position and
// are handled in transliterate.
var persianLatin = map[rune]string{
	'ب': "b", 'پ': "p", 'ت': "t", 'ث': "s", 'ج': "j", 'چ': "ch", 'ح': "h",
	'خ': "kh", 'د': "d", 'ذ': "z", 'ر': "r", 'ز': "z", 'ژ': "zh", 'س': "s",
	'ش': "sh", 'ص': "s", 'ض': "z", 'ط': "t", 'ظ': "z", 'غ': "gh", 'ف': "f",
	'ق': "gh", 'ک': "k", 'گ': "g", 'ل': "l", 'م': "m", 'ن': "n",
}

// transliterate spells a MatchKey-folded Arabic-script word in Latin
// letters. Short vowels are not written in Persian, so the result keeps
// only what the letters say: شهرام → shhram.
func transliterate(w string) string {
	rs := []rune(w)
	var b strings.Builder
	b.Grow(len(w))
	for i, r := range rs {
		var prev, next rune
		if i > 0 {
			prev = rs[i-1]
		}
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		if s, ok := persianLatin[r]; ok {
			if s == "h" {
				hSeparate(&b)
			}
			b.WriteString(s)
			continue
		}
		switch r {
		case alef:
			switch {
			case i == 0 && next == persianYeh:
				// initial ای is written by the yeh as "i"
			case i == 0 && next == waw:
				b.WriteString("o")
			default:
				b.WriteString("a")
			}
		case waw:
			switch {
			case i == 1 && prev == alef:
				// initial او was written as "o"
			case i == 0, next == alef, next == persianYeh, prev == alef && i+1 < len(rs):
				b.WriteString("v")
			default:
				b.WriteString("u")
			}
		case persianYeh:
			switch {
			case i == 0, next == alef, next == waw, prev == alef && i+1 < len(rs) && i > 1:
				b.WriteString("y")
			default:
				b.WriteString("i")
			}
		case heh:
			if i == len(rs)-1 && i > 0 {
				b.WriteString("e")
			} else {
				hSeparate(&b)
				b.WriteString("h")
			}
		case 'ع':
			if i == 0 || (prev != alef && prev != waw && prev != persianYeh && next != alef && next != waw && next != persianYeh && next != 0) {
				b.WriteString("a")
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hSeparate writes an "e" before an "h" that would otherwise read as part
// of a digraph (س+ه is "seh", not ش "sh"); Persian leaves the vowel
// unwritten there, and the skeleton drops it again.
func hSeparate(b *strings.Builder) {
	s := b.String()
	if s == "" {
		return
	}
	switch s[len(s)-1] {
	case 's', 'c', 'k', 'z', 'g', 'p', 't':
		b.WriteByte('e')
	}
}

// NameSkeleton returns a coarse consonant skeleton of a name for blocking
// and fuzzy comparison: NameKey, then per word the consonants only, with
// sounds that transliterations spell differently merged (sh→x, ch/zh→j,
// kh/ck/c→k, gh/q→q, ph→f, th→t, w→v), a leading vowel kept as "a", an h
// that ends a word after a vowel or follows one of those consonants
// dropped, and repeats collapsed, so the skeleton of a skeleton is itself. An unknown
// Persian name meets its Latin spelling here (شهرام and Shahram are both
// "xhrm"), at the price of also merging names that differ only in vowels
// (Maria, Mario and Moore are all "mr"): use it to find candidates, not to
// decide.
func NameSkeleton(s string) string {
	return SkeletonOfKey(NameKey(s))
}

// SkeletonOfKey returns the skeleton of a name already in NameKey form:
// NameSkeleton(s) == SkeletonOfKey(NameKey(s)), without computing the key
// again.
func SkeletonOfKey(k string) string {
	if k == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(k))
	for w := range strings.SplitSeq(k, " ") {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		skeletonWord(&b, w)
	}
	return b.String()
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

func skeletonWord(b *strings.Builder, w string) {
	start := b.Len()
	var last byte
	put := func(c byte) {
		if c == last {
			return
		}
		last = c
		b.WriteByte(c)
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			// Other scripts keep their letters.
			r, size := utf8.DecodeRuneInString(w[i:])
			b.WriteRune(r)
			last = 0
			i += size - 1
			continue
		}
		var n byte
		if i+1 < len(w) {
			n = w[i+1]
		}
		switch {
		case isVowel(c) || (c == 'y' && i > 0):
			if i == 0 {
				put('a')
			}
			continue
		case c == 'h' && i > 1 && i == len(w)-1 && isVowel(w[i-1]):
			continue
		case c == 'h' && i > 0 && strings.IndexByte("skzgptcxjqf", last) >= 0:
			// An h after a vowel that was dropped would read as a digraph
			// the next time round (Sohrab is "srb", not "xrb").
			continue
		}
		switch {
		case c == 's' && n == 'h':
			put('x')
			i++
		case c == 'c' && n == 'h':
			put('j')
			i++
		case c == 'k' && n == 'h', c == 'c' && n == 'k':
			put('k')
			i++
		case c == 'g' && n == 'h':
			put('q')
			i++
		case c == 'z' && n == 'h':
			put('j')
			i++
		case c == 'p' && n == 'h':
			put('f')
			i++
		case c == 't' && n == 'h':
			put('t')
			i++
		case c == 'c':
			put('k')
		case c == 'w':
			put('v')
		default:
			put(c)
		}
	}
	if b.Len() == start && len(w) > 0 {
		b.WriteByte('a')
	}
}
