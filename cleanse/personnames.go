package cleanse

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/steward-crm/steward"
)

// PersonNameParts are a person's names after PersonNames: what belongs in
// the first and last name fields, and the titles and generational suffix
// found in them.
type PersonNameParts struct {
	First, Last, Title, Suffix string
}

// PersonNames standardizes a record's first and last name together, since
// what belongs where shows only in the pair. Each field goes through
// PersonName without its casing (titles and a suffix moved out); then:
//
//   - a first name that is nothing but a title ("Sir", "Miss", "Dr",
//     "Hon.", "Lady", "آقای", "خانم", "سید") is a title, and the first
//     name is empty: it was never a name, and comparing it with a real
//     first name would count as a disagreement;
//   - "Lady", "Lord" and "Dame" before a name, and "Hon." with its dot, are
//     titles in the first-name field (alone in a last-name field, or "Hon"
//     without a dot, they may be names: Lord, Hon Wai);
//   - initials glued to a family name in the first-name field with no last
//     name ("h.nicholson", "J.R.R.Tolkien") are split: "H." and
//     "Nicholson";
//   - a full name in one field with the other empty is split
//     (SplitFullName);
//   - Latin names are cased (CaseName).
//
// The fixes carry their fields (first_name, last_name, and "title" or
// "name_suffix" for what moved there). PersonNames(PersonNames(x)) changes
// nothing.
func PersonNames(first, last string) (PersonNameParts, []Fix) {
	p, out := personNameSplit(first, last, true)
	if c := CaseName(p.First); c != p.First {
		out = append(out, Fix{Field: steward.FieldFirstName, Before: p.First, After: c, Rule: RuleNameCase})
		p.First = c
	}
	if c := CaseName(p.Last); c != p.Last {
		out = append(out, Fix{Field: steward.FieldLastName, Before: p.Last, After: c, Rule: RuleNameCase})
		p.Last = c
	}
	return p, out
}

// MatchNames returns the first and last name as a comparison should see
// them: PersonNames' moves without its casing and fixes, and a leading
// Seyyed (سید, Seyed, Sayyed, Syed) dropped from the first name, since
// one record of a person writes the hereditary title and another leaves
// it out. Duplicate detection calls it before building name keys, so that
// records nobody standardized compare as standardized ones do.
func MatchNames(first, last string) (string, string) {
	if plainNames(first, last) {
		return first, last
	}
	return matchNamesSlow(first, last)
}

// matchNamesSlow is MatchNames without its shortcut.
func matchNamesSlow(first, last string) (string, string) {
	p, _ := personNameSplit(first, last, false)
	if w, rest, ok := strings.Cut(p.First, " "); ok && seyyed(w) {
		p.First = rest
	}
	return p.First, p.Last
}

// seyyed reports whether w is a spelling of Seyyed.
func seyyed(w string) bool { return seyyedKeys[MatchKey(w)] }

// firstNameTitles are the words that are titles at the start of a
// first-name field but may be names elsewhere (MatchKey form), and
// loneTitles those that are titles when they are all a first-name field
// holds, besides every one-word title SplitTitle knows. "Hon" is a title
// only with its dot.
var firstNameTitles = map[string]bool{"lady": true, "lord": true, "dame": true}

var loneTitles = sync.OnceValue(func() map[string]string {
	m := map[string]string{
		"lady": "Lady", "lord": "Lord", "dame": "Dame", "sir": "Sir", "سید": "سید",
		"seyed": "Seyed", "seyyed": "Seyyed", "sayed": "Sayed", "sayyed": "Sayyed", "syed": "Syed",
	}
	for k, d := range loadTitles().titles {
		if !strings.Contains(k, " ") {
			m[k] = d
		}
	}
	return m
})

// personNameSplit is PersonNames without the casing; fixes are collected
// only when withFixes is set.
func personNameSplit(first, last string, withFixes bool) (PersonNameParts, []Fix) {
	var out []Fix
	add := func(field string, fs []Fix) {
		if !withFixes {
			return
		}
		for _, f := range fs {
			f.Field = field
			out = append(out, f)
		}
	}
	move := func(field, before, after, rule string) {
		if withFixes && before != after {
			out = append(out, Fix{Field: field, Before: before, After: after, Rule: rule})
		}
	}
	var p PersonNameParts
	var title1, title2, suffix1, suffix2 string
	var fs []Fix
	p.First, title1, suffix1, fs = personNameParts(first)
	add(steward.FieldFirstName, fs)
	p.Last, title2, suffix2, fs = personNameParts(last)
	add(steward.FieldLastName, fs)

	// A title SplitTitle leaves in the first-name field: alone, or one of
	// the words that are titles only there.
	for p.First != "" {
		w, rest, _ := strings.Cut(p.First, " ")
		k := MatchKey(w)
		display, lone := loneTitles()[k]
		switch {
		case k == "hon" && strings.HasSuffix(w, "."):
			// Hon Wai is a name, "Hon." a title.
			display = "Hon"
		case rest == "" && lone:
		case rest != "" && firstNameTitles[k]:
			display = titleCaseWords(k)
		default:
			display = ""
		}
		if display == "" {
			break
		}
		title1 = strings.TrimSpace(title1 + " " + display)
		move(steward.FieldFirstName, p.First, rest, RuleNameTitle)
		p.First = rest
	}

	switch {
	case p.Last == "" && !strings.Contains(p.First, " ") && strings.Contains(p.First, "."):
		// Initials glued to the family name: "h.nicholson".
		if f, l, ok := splitGluedInitials(p.First); ok {
			move(steward.FieldFirstName, p.First, f, RuleNameSplit)
			move(steward.FieldLastName, "", l, RuleNameSplit)
			p.First, p.Last = f, l
		}
	case p.Last == "" && strings.Contains(p.First, " "):
		// "سید علی" is a given name with its Seyyed, not Seyyed Ali.
		if f, l := SplitFullName(p.First); l != "" && !seyyed(f) {
			move(steward.FieldFirstName, p.First, f, RuleNameSplit)
			move(steward.FieldLastName, "", l, RuleNameSplit)
			p.First, p.Last = f, l
		}
	case p.First == "" && strings.Contains(p.Last, ","):
		// "Smith, John" in last_name. Without the comma a multi-word
		// family name (van Beethoven, حسین زاده) cannot be told from a
		// full name, so it is left alone.
		f, l := SplitFullName(p.Last)
		move(steward.FieldFirstName, "", f, RuleNameSplit)
		move(steward.FieldLastName, p.Last, l, RuleNameSplit)
		p.First, p.Last = f, l
	}
	p.Title = strings.TrimSpace(title1 + " " + title2)
	p.Suffix = strings.TrimSpace(suffix1 + " " + suffix2)
	return p, out
}

// splitGluedInitials splits "h.nicholson" or "J.R.R.Tolkien" into the
// initials ("h.", "J. R. R.") and the family name: every part but the
// last a single letter, the last two letters or more.
func splitGluedInitials(s string) (initials, family string, ok bool) {
	parts := strings.Split(s, ".")
	family = parts[len(parts)-1]
	if len(parts) < 2 || utf8.RuneCountInString(family) < 2 {
		return "", "", false
	}
	var b strings.Builder
	for _, x := range parts[:len(parts)-1] {
		if utf8.RuneCountInString(x) != 1 {
			return "", "", false
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
		b.WriteByte('.')
	}
	return b.String(), family, true
}

// plainNames reports, cheaply, that PersonNames would move nothing out of
// first and last: both present and plain text, neither opens with a word
// that may be a title or Seyyed, neither ends with a generational suffix.
// Their match keys are then those of the names MatchNames would return, so
// MatchNames can return them as they are.
func plainNames(first, last string) bool {
	if !plainText(first) || !plainText(last) {
		return false
	}
	t := loadTitles()
	var buf [32]byte
	for _, s := range [2]string{first, last} {
		w, _, _ := strings.Cut(s, " ")
		if k := wordKey(w, buf[:0]); t.firstWords[string(k)] || loneTitles()[string(k)] != "" || seyyedKeys[string(k)] {
			return false
		}
		if i := strings.LastIndexByte(s, ' '); i >= 0 {
			if _, ok := t.suffixes[string(wordKey(s[i+1:], buf[:0]))]; ok {
				return false
			}
		}
	}
	return true
}

// seyyedKeys are the match keys seyyed knows.
var seyyedKeys = map[string]bool{"سید": true, "seyed": true, "seyyed": true, "sayed": true, "sayyed": true, "seyyid": true, "syed": true, "sied": true, "seied": true}

// wordKey returns MatchKey of a word of plainText in buf: an ASCII word
// lower-cased there without allocating (hyphen and apostrophe as MatchKey
// has them), another through MatchKey.
func wordKey(w string, buf []byte) []byte {
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= utf8.RuneSelf:
			return append(buf[:0], MatchKey(w)...)
		case c == '-' || c == '\'':
			return append(buf[:0], MatchKey(w)...)
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// plainText reports whether s is non-empty and nothing but ASCII letters,
// hyphens and apostrophes, or the Persian alphabet's letters and ZWNJ, in
// words one space apart: text Text leaves as it is.
func plainText(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for _, r := range s {
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '-', r == '\'':
		case r >= 0x0627 && r <= 0x063A, r >= 0x0641 && r <= 0x0648, r == 0x0622,
			r == 0x067E, r == 0x0686, r == 0x0698, r == 0x06A9, r == 0x06AF, r == 0x06CC:
			// آ ا–غ ف–و پ چ ژ ک گ ی: no Arabic ي or ك, no harakat.
		case r == 0x200C:
		default:
			return false
		}
		prevSpace = false
	}
	return true
}
