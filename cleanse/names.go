package cleanse

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Rule names of the person-name standardizers.
const (
	RuleNameCase   = "name.case"   // Latin-script name cased: JOHN → John
	RuleNameTitle  = "name.title"  // title removed from the name, kept apart
	RuleNameSuffix = "name.suffix" // generational suffix removed, kept apart
	RuleNameSplit  = "name.split"  // full name split into first and last
)

var (
	//go:embed data/titles/en_personal_titles.txt
	enTitlesTxt string
	//go:embed data/titles/fa_personal_titles.txt
	faTitlesTxt string
	//go:embed data/titles/ar_personal_titles.txt
	arTitlesTxt string
	//go:embed data/titles/en_personal_suffixes.txt
	enSuffixesTxt string
)

// titleSpellings gives the spelling steward writes a title in, by the
// title's first (full) form in the upstream list.
var titleSpellings = map[string]string{
	"mr": "Mr", "mrs": "Mrs", "ms": "Ms", "doctor": "Dr", "professor": "Prof",
	"reverend": "Rev", "honorable": "Hon", "captain": "Capt", "colonel": "Col",
	"lieutenant": "Lt", "sargeant": "Sgt", "sir": "Sir", "dame": "Dame", "madame": "Madame",
	"father": "Fr", "brother": "Br", "sister": "Sr", "senator": "Sen", "president": "Pres",
	"junior": "Jr", "senior": "Sr", "mx": "Mx", "miss": "Miss", "commander": "Cmdr",
	"general": "Gen", "major": "Maj", "corporal": "Cpl", "representative": "Rep",
}

// skippedTitles are upstream titles that are as often names or place
// prefixes (King, Santa, St, Prince, Lord) as titles: never removed.
var skippedTitles = map[string]bool{
	"king": true, "kg": true, "san": true, "s": true, "santa": true, "sta": true, "saint": true,
	"st": true, "saints": true, "ss": true, "sainte": true, "ste": true, "prince": true,
	"princess": true, "queen": true, "lady": true, "lord": true, "duke": true, "dutchess": true,
	"emperor": true, "czar": true, "tsar": true, "judge": true, "pope": true, "general": true,
	"gen": true, "major": true, "maj": true, "officer": true, "secretary": true, "sec": true,
	"private first class": true, "mp": true, "pm": true, "rep": true, "reps": true, "sen": true,
	"doc": true, "br": true, "fr": true, "sr": true, "pres": true, "misses": true, "hon": true,
	"bishop": true, "cardinal": true, "rh": true, "r h": true, "h r h": true, "r hon": true,
	"مدرس": true, "شهریار": true, "امام": true, "شیخ": true,
}

// extraTitles are Persian titles of address missing upstream, and a few
// English ones.
var extraTitles = []string{
	"آقای", "آقا", "خانم", "بانو", "جناب", "سرکار", "دکتر", "مهندس", "استاد", "حاج", "حاجی", "حاجیه",
	"سید", // kept as part of the name, see nameTitles
	"mx", "mrs", "ms", "miss", "dr", "prof",
}

type titleTable struct {
	titles   map[string]string // MatchKey form → display spelling
	suffixes map[string]string
	maxWords int
	// firstWords holds the first word of every title, so most names are
	// turned away without building phrases.
	firstWords map[string]bool
}

var loadTitles = sync.OnceValue(func() *titleTable {
	t := &titleTable{titles: map[string]string{}, suffixes: map[string]string{}, firstWords: map[string]bool{}}
	addLines := func(m map[string]string, txt string) {
		for line := range strings.Lines(txt) {
			forms := strings.Split(strings.TrimSpace(line), "|")
			if forms[0] == "" {
				continue
			}
			display := titleSpellings[forms[0]]
			for _, f := range forms {
				k := MatchKey(f)
				if k == "" || skippedTitles[k] {
					continue
				}
				d := display
				if own := titleSpellings[f]; own != "" {
					d = own // "miss" is listed as a form of "ms", but is Miss
				}
				if d == "" {
					d = titleCaseWords(f)
				}
				if _, ok := m[k]; !ok {
					m[k] = d
				}
				if n := strings.Count(k, " ") + 1; n > t.maxWords {
					t.maxWords = n
				}
			}
		}
	}
	addLines(t.titles, enTitlesTxt)
	addLines(t.titles, faTitlesTxt)
	addLines(t.titles, arTitlesTxt)
	for _, x := range extraTitles {
		if x == "سید" {
			// Seyyed is a hereditary part of the name, not a title of
			// address: it stays.
			continue
		}
		k := MatchKey(x)
		if _, ok := t.titles[k]; !ok {
			d := titleSpellings[k]
			if d == "" {
				d = titleCaseWords(x)
			}
			t.titles[k] = d
		}
	}
	for k := range t.titles {
		first, _, _ := strings.Cut(k, " ")
		t.firstWords[first] = true
	}
	addLines(t.suffixes, enSuffixesTxt)
	for _, x := range []string{"ii", "iii", "iv"} {
		t.suffixes[x] = strings.ToUpper(x)
	}
	return t
})

// titleCaseWords upper-cases the first letter of each Latin word.
func titleCaseWords(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[size:]
	}
	return strings.Join(words, " ")
}

// SplitTitle removes titles of address from the start of a name ("Dr.
// John", "جناب آقای دکتر رضایی") and returns them, in display spelling and
// separated by spaces, with the rest of the name. Titles come from
// libpostal's English, Persian and Arabic lists plus آقای، آقا، خانم، جناب،
// سرکار، دکتر، مهندس، حاج; words that are as often names as titles (King,
// Prince, Lord, Santa, St) are not titles here. A name that is nothing but
// a title is returned unchanged.
func SplitTitle(name string) (title, rest string) {
	t := loadTitles()
	first, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	first, _, _ = strings.Cut(first, ".")
	if !t.firstWords[MatchKey(first)] {
		return "", name
	}
	words := strings.Fields(name)
	// "Dr.John": a title glued to the name by its dot.
	if a, rest, ok := strings.Cut(words[0], "."); ok && rest != "" && t.titles[MatchKey(a)] != "" {
		words = append([]string{a + ".", rest}, words[1:]...)
	}
	var found []string
	i := 0
	for i < len(words) {
		n, display := matchWords(t.titles, t.maxWords, words[i:])
		if n == 0 || n >= len(words)-i {
			break
		}
		found = append(found, display)
		i += n
	}
	if len(found) == 0 {
		return "", name
	}
	return strings.Join(found, " "), strings.Join(words[i:], " ")
}

// SplitSuffix removes a generational suffix (Jr, Sr, II, III) from the end
// of a name and returns it with the rest.
func SplitSuffix(name string) (suffix, rest string) {
	t := loadTitles()
	name = strings.TrimSpace(name)
	sp := strings.LastIndexByte(name, ' ')
	if sp < 0 {
		return "", name
	}
	if _, ok := t.suffixes[MatchKey(strings.TrimSuffix(name[sp+1:], "."))]; !ok {
		return "", name
	}
	words := strings.Fields(name)
	last := strings.TrimSuffix(words[len(words)-1], ".")
	d, ok := t.suffixes[MatchKey(last)]
	if !ok {
		return "", name
	}
	rest = strings.TrimSuffix(strings.Join(words[:len(words)-1], " "), ",")
	return d, rest
}

// matchWords finds the longest entry of m (keys in MatchKey form, up to
// max words) at the start of words and returns how many words it took and
// its display spelling.
func matchWords(m map[string]string, max int, words []string) (int, string) {
	for n := min(max, len(words)); n >= 1; n-- {
		k := MatchKey(strings.Join(words[:n], " "))
		if d, ok := m[k]; ok && k != "" {
			return n, d
		}
	}
	return 0, ""
}

// nameParticles stay lower case inside a Latin name unless they open it.
var nameParticles = map[string]bool{
	"van": true, "von": true, "der": true, "den": true, "de": true, "del": true, "della": true,
	"di": true, "da": true, "dos": true, "das": true, "du": true, "la": true, "le": true,
	"ter": true, "ten": true, "bin": true, "binti": true, "ibn": true, "al": true, "el": true,
	"y": true, "e": true, "zu": true, "af": true, "av": true,
}

// CaseName gives a Latin-script person name sensible capitals: JOHN SMITH
// → John Smith, o'brien → O'Brien, mcdonald → McDonald, mary-anne →
// Mary-Anne, ludwig van beethoven → Ludwig van Beethoven. A name written
// in deliberate mixed case is left as written: any word cased other than
// all-lower, ALL-UPPER or Capitalized (DeShawn, McDonald, MacLeod), or
// lower-case particles next to capitalized words (van der Berg, Ludwig
// van Beethoven). Words without Latin letters (Persian) are left alone.
func CaseName(s string) string {
	if c := latinCaseClass(s); !strings.Contains(s, " ") && c != caseLower && c != caseUpper {
		return s
	}
	words := strings.Split(s, " ")
	var lower, upper, capital bool
	for _, w := range words {
		switch latinCaseClass(w) {
		case caseMixed:
			return s
		case caseLower:
			lower = true
		case caseUpper:
			upper = true
		case caseCapital:
			capital = true
		}
	}
	if lower && capital && !upper {
		return s
	}
	if !lower && !upper {
		return s
	}
	out := make([]string, len(words))
	for i, w := range words {
		c := latinCaseClass(w)
		if c != caseLower && c != caseUpper {
			out[i] = w
			continue
		}
		if i > 0 && nameParticles[strings.ToLower(w)] {
			out[i] = strings.ToLower(w)
			continue
		}
		out[i] = caseNameWord(w)
	}
	return strings.Join(out, " ")
}

type caseClass int

const (
	caseNone    caseClass = iota // no cased letters
	caseLower                    // all lower
	caseUpper                    // all upper, two letters or more
	caseCapital                  // first letter of each part upper, rest lower
	caseMixed                    // anything else: deliberate
)

func latinCaseClass(w string) caseClass {
	var nUpper, nLower, nLetters int
	capital := true
	startOfPart := true
	for _, r := range w {
		if !unicode.IsLetter(r) {
			startOfPart = r == '-' || r == '\'' || r == '’'
			continue
		}
		if !unicode.Is(unicode.Latin, r) {
			return caseNone
		}
		nLetters++
		if unicode.IsUpper(r) {
			nUpper++
			if !startOfPart {
				capital = false
			}
		} else if unicode.IsLower(r) {
			nLower++
			if startOfPart {
				capital = false
			}
		}
		startOfPart = false
	}
	switch {
	case nLetters == 0:
		return caseNone
	case nUpper == 0:
		return caseLower
	case nLower == 0 && nLetters >= 2:
		return caseUpper
	case nLower == 0:
		return caseCapital
	case capital:
		return caseCapital
	}
	return caseMixed
}

// caseNameWord capitalizes one word: each hyphen- or apostrophe-separated
// part, with Mc and O' prefixes (McDonald, O'Brien).
func caseNameWord(w string) string {
	switch strings.ToLower(w) {
	case "ii", "iii", "iv", "vi", "vii", "viii":
		return strings.ToUpper(w)
	}
	w = strings.ToLower(w)
	var b strings.Builder
	b.Grow(len(w))
	start := true
	for i, r := range w {
		if start && unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
			start = false
			continue
		}
		if r == '-' || r == '\'' || r == '’' {
			b.WriteRune(r)
			start = true
			continue
		}
		if r == 'c' && i == 1 && w[0] == 'm' && len(w) > 3 {
			b.WriteRune(r)
			start = true
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// persianSurnameSuffixes end Persian family names and are sometimes written
// as separate words (حسین زاده, علی پور).
var persianSurnameSuffixes = map[string]bool{
	"زاده": true, "پور": true, "نژاد": true, "نیا": true, "فر": true, "راد": true, "منش": true,
	"وند": true, "لو": true, "نسب": true,
}

// SplitFullName splits a full name written in one field into first and
// last name. "Smith, John" → John / Smith. Otherwise the last word is the
// family name, together with lower-case particles before it (Ludwig /
// van Beethoven) and, in Persian, with a separated suffix (علی / حسین
// زاده); the rest is the given name (Mary Anne / Smith, محمد رضا / احمدی).
// A single word is a first name; a ZWNJ joins, so "محمد‌رضا" is one word.
func SplitFullName(full string) (first, last string) {
	full = strings.TrimSpace(full)
	if a, b, ok := strings.Cut(full, ","); ok {
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if a != "" && b != "" && !strings.Contains(b, ",") {
			return b, a
		}
	}
	words := strings.Fields(full)
	if len(words) < 2 {
		return full, ""
	}
	i := len(words) - 1
	if i > 1 && persianSurnameSuffixes[words[i]] {
		i--
	}
	for i > 1 && nameParticles[words[i-1]] {
		i--
	}
	return strings.Join(words[:i], " "), strings.Join(words[i:], " ")
}

// PersonName standardizes one name field: Text, titles removed from its
// start (returned apart), a generational suffix removed from its end
// (returned apart), and Latin capitals fixed. title and suffix are "" when
// there were none.
func PersonName(s string) (name, title, suffix string, fs []Fix) {
	name, title, suffix, fs = personNameParts(s)
	f := fixes(fs)
	name = f.step(RuleNameCase, name, CaseName(name))
	return name, title, suffix, f
}

// personNameParts is PersonName without the casing, which Record applies
// after splitting a full name.
func personNameParts(s string) (name, title, suffix string, fs []Fix) {
	var f fixes
	s, tf := Text(s)
	f = append(f, tf...)
	if t, rest := SplitTitle(s); t != "" {
		title = t
		s = f.step(RuleNameTitle, s, rest)
	}
	if x, rest := SplitSuffix(s); x != "" {
		suffix = x
		s = f.step(RuleNameSuffix, s, rest)
	}
	return s, title, suffix, f
}
