package cleanse

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
)

//go:embed data/company-forms/termdata.json
var termdataJSON []byte

// legalForm is one legal form of a company with the spelling steward
// writes it in.
type legalForm struct {
	canonical string   // display spelling: "Inc", "GmbH", "سهامی خاص"
	variants  []string // other spellings, matched after MatchKey
}

// curatedForms are the legal forms steward normalizes to one spelling.
// Terms that only appear in the upstream term list are recognised (and left
// out of CompanyKey) but kept as written.
var curatedForms = []legalForm{
	{"Inc", []string{"inc", "inc.", "incorporated", "incorp"}},
	{"Corp", []string{"corp", "corp.", "corporation"}},
	{"Co", []string{"co", "co.", "company", "& co", "& co.", "and co", "and company", "& company"}},
	{"LLC", []string{"llc", "l.l.c.", "l l c", "limited liability company", "ltd liability co"}},
	{"Ltd", []string{"ltd", "ltd.", "limited", "l.t.d."}},
	{"PLC", []string{"plc", "p.l.c.", "public limited company"}},
	{"LLP", []string{"llp", "l.l.p.", "limited liability partnership"}},
	{"LP", []string{"lp", "l.p.", "limited partnership"}},
	{"PLLC", []string{"pllc", "p.l.l.c."}},
	{"Pty Ltd", []string{"pty ltd", "pty. ltd.", "pty limited", "proprietary limited"}},
	{"Pte Ltd", []string{"pte ltd", "pte. ltd.", "pte limited", "private limited"}},
	{"GmbH", []string{"gmbh", "g.m.b.h.", "gesellschaft mit beschränkter haftung", "gesellschaft mit beschraenkter haftung"}},
	{"GmbH & Co. KG", []string{"gmbh & co. kg", "gmbh & co kg", "gmbh und co kg"}},
	{"AG", []string{"ag", "a.g.", "aktiengesellschaft"}},
	{"KG", []string{"kg", "kommanditgesellschaft"}},
	{"SA", []string{"sa", "s.a.", "société anonyme", "sociedad anónima"}},
	{"SARL", []string{"sarl", "s.a.r.l.", "s.à r.l."}},
	{"SAS", []string{"sas", "s.a.s."}},
	{"SRL", []string{"srl", "s.r.l."}},
	{"SpA", []string{"spa", "s.p.a."}},
	{"BV", []string{"bv", "b.v."}},
	{"NV", []string{"nv", "n.v."}},
	{"AB", []string{"ab"}},
	{"AS", []string{"as", "a/s"}},
	{"ASA", []string{"asa"}},
	{"Oy", []string{"oy"}},
	{"Oyj", []string{"oyj"}},
	{"Sdn Bhd", []string{"sdn bhd", "sdn. bhd."}},
	// Iranian forms (Commercial Code): not in the upstream list.
	{"سهامی خاص", []string{"سهامی خاص", "سهامي خاص", "سهامی\u200cخاص", "(سهامی خاص)", "س خ", "سخ"}},
	{"سهامی عام", []string{"سهامی عام", "سهامي عام", "سهامی\u200cعام", "س ع"}},
	{"با مسئولیت محدود", []string{"با مسئولیت محدود", "با مسوولیت محدود", "مسئولیت محدود", "با مسؤولیت محدود"}},
	{"تعاونی", []string{"تعاونی", "تعاوني"}},
	{"تضامنی", []string{"تضامنی", "تضامني"}},
	{"نسبی", []string{"نسبی"}},
	{"مختلط سهامی", []string{"مختلط سهامی"}},
	{"مختلط غیرسهامی", []string{"مختلط غیرسهامی", "مختلط غیر سهامی"}},
}

// companyPrefixes are words that open a company name and say only that it
// is a company: "شرکت …", "The …".
var companyPrefixes = []string{"شرکت", "شركت", "the"}

// ambiguousForms are upstream terms that are also ordinary words or common
// abbreviations in company names; they are not treated as legal forms.
var ambiguousForms = map[string]bool{
	"uk": true, "ok": true, "up": true, "at": true, "da": true, "ad": true, "ee": true,
	"ba": true, "ip": true, "ps": true, "sp": true, "sd": true, "sf": true, "ec": true,
	"ep": true, "ij": true, "mb": true, "bl": true, "kt": true, "dp": true, "ud": true,
	"ae": true, "oe": true, "ay": true, "fa": true, "ev": true, "et": true, "private": true,
	"pt": true, "ei": true, "ik": true, "og": true, "ks": true, "hf": true, "kf": true,
	"bm": true, "ao": true, "tob": true, "pp": true, "sem": true, "sep": true, "cic": true,
	"gp": true, "e g": true, "s": true, "at t": true, "vat": true, "sci": true, "sal": true,
	"ans": true, "pat": true, "teo": true, "tov": true, "ok t": true,
}

// companyForms is the built legal-form table.
type companyForms struct {
	// byKey maps a legal form's MatchKey to its canonical spelling ("" for
	// upstream terms without a curated spelling).
	byKey    map[string]string
	maxWords int
	// lastWords holds the last word of every form, so most names are
	// turned away without building phrases.
	lastWords map[string]bool
}

var loadCompanyForms = sync.OnceValue(func() *companyForms {
	t := &companyForms{byKey: map[string]string{}, lastWords: map[string]bool{}}
	add := func(term, canonical string) {
		k := MatchKey(term)
		if k == "" || ambiguousForms[k] {
			return
		}
		t.lastWords[k[strings.LastIndexByte(k, ' ')+1:]] = true
		if _, ok := t.byKey[k]; ok && canonical == "" {
			return
		}
		t.byKey[k] = canonical
		if n := strings.Count(k, " ") + 1; n > t.maxWords {
			t.maxWords = n
		}
	}
	var td struct {
		TermsByCountry map[string][]string `json:"terms_by_country"`
		TermsByType    map[string][]string `json:"terms_by_type"`
	}
	if err := json.Unmarshal(termdataJSON, &td); err != nil {
		panic("cleanse: embedded termdata.json: " + err.Error())
	}
	for _, terms := range td.TermsByCountry {
		for _, term := range terms {
			add(term, "")
		}
	}
	for _, terms := range td.TermsByType {
		for _, term := range terms {
			add(term, "")
		}
	}
	for _, f := range curatedForms {
		add(f.canonical, f.canonical)
		for _, v := range f.variants {
			add(v, f.canonical)
		}
	}
	return t
})

// CompanyKey returns a key for comparing company names: MatchKey without
// legal forms and filler words, so "The Acme Company, Inc." and "ACME" meet,
// and so do "شركت ايران خودرو (سهامي عام)" and "ایران خودرو".
//
// Legal forms (Inc, LLC, Ltd, GmbH, SA, Co, Corp … from the upstream term
// list, plus the Iranian سهامی خاص، سهامی عام، با مسئولیت محدود، تعاونی،
// تضامنی …) are removed from the end of the name, repeatedly, and Persian
// forms also from its start; "شرکت" and "the" are removed from the start,
// and "and" wherever it stands. A name that is nothing but a legal form
// keeps its MatchKey. Words stay separated by spaces; since MatchKey drops
// a ZWNJ, "ایران‌خودرو" (one word) does not meet "ایران خودرو" (two) here:
// compare tokens joined, or by similarity, for that.
func CompanyKey(s string) string {
	k := MatchKey(s)
	if k == "" {
		return ""
	}
	words := strings.Split(k, " ")
	core, _, _ := splitLegalForms(words)
	if len(core) == 0 {
		return k
	}
	out := core[:0:0]
	for _, w := range core {
		if w == "and" {
			continue
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return k
	}
	return strings.Join(out, " ")
}

// splitLegalForms removes leading prefixes ("the", "شرکت", Persian legal
// forms) and trailing legal forms from words (MatchKey words) and returns
// what is left, the trailing forms found (outermost last) and the leading
// ones.
func splitLegalForms(words []string) (core []string, trailing []string, leading []string) {
	t := loadCompanyForms()
	core = words
	for len(core) > 0 {
		matched := false
		for _, p := range companyPrefixes {
			if core[0] == p && len(core) > 1 {
				leading = append(leading, p)
				core = core[1:]
				matched = true
				break
			}
		}
		if !matched {
			if n, ok := prefixForm(t, core); ok && isArabicScript(core[0]) && n < len(core) {
				leading = append(leading, strings.Join(core[:n], " "))
				core = core[n:]
				matched = true
			}
		}
		if !matched {
			break
		}
	}
	for len(core) > 1 {
		n, ok := suffixForm(t, core)
		if !ok || n >= len(core) {
			break
		}
		trailing = append([]string{strings.Join(core[len(core)-n:], " ")}, trailing...)
		core = core[:len(core)-n]
	}
	return core, trailing, leading
}

// suffixForm returns the length in words of the longest legal form that
// ends words.
func suffixForm(t *companyForms, words []string) (int, bool) {
	if !t.lastWords[words[len(words)-1]] {
		return 0, false
	}
	for n := min(t.maxWords, len(words)); n >= 1; n-- {
		if _, ok := t.byKey[strings.Join(words[len(words)-n:], " ")]; ok {
			return n, true
		}
	}
	return 0, false
}

// prefixForm returns the length in words of the longest legal form that
// starts words.
func prefixForm(t *companyForms, words []string) (int, bool) {
	for n := min(t.maxWords, len(words)); n >= 1; n-- {
		if _, ok := t.byKey[strings.Join(words[:n], " ")]; ok {
			return n, true
		}
	}
	return 0, false
}
