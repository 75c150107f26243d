package gen

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// headShare is the share of people whose family name is one of the listed
// common ones (names/*_last.txt). In national name statistics the few
// hundred commonest family names cover about a third of the people, not
// all of them: drawing every family name from a list of 200–350 made
// each name, as written with its first name, shared by 15 other records
// at a million and by 149 at ten million, where a real file's namesakes
// grow far more slowly. The rest of the people bear a name from the long
// tail that surnameTail builds.
const headShare = 0.35

// faSuffixes are the endings Persian family names are built with, most
// common first, with their usual Latin spellings (Hosseinzadeh,
// Alipour, Rezanejad).
var faSuffixes = []struct {
	fa    string
	latin []string
}{
	{"زاده", []string{"zadeh", "zade"}}, {"پور", []string{"pour", "pur", "poor"}},
	{"نژاد", []string{"nejad", "nezhad"}}, {"فر", []string{"far"}}, {"نیا", []string{"nia"}},
	{"راد", []string{"rad"}}, {"منش", []string{"manesh"}}, {"فرد", []string{"fard"}},
	{"خواه", []string{"khah"}}, {"دوست", []string{"doost", "dust"}}, {"بخش", []string{"bakhsh"}},
	{"مهر", []string{"mehr"}}, {"کیا", []string{"kia"}}, {"پناه", []string{"panah"}},
	{"وند", []string{"vand"}}, {"نسب", []string{"nasab"}},
}

// enStems and enSuffixes make English family names of the kind most of
// them are, after a place or a feature of the land (Ashford, Blackwood,
// Thornley). A stem's rank is its place in the list (its Zipf weight);
// Dun and Hol stand twice, their second names dropped as built twice,
// and stay so that the generated data stays the data measured.
var (
	enStems = strings.Fields(`Ash Ald Alder Bar Beck Bel Ben Berk Birch Black Blan Brad Bram Bran
		Brook Brom Burn Cal Cam Car Chad Chal Chat Cliff Cold Cole Crom Dal Dar Den Ding Dun East
		Eld Elm Ever Fair Farn Fell Fen Fox Gar Glad Gold Gor Graf Green Hal Ham Har Hart Hay Hazel
		Heath Hol Holl Horn Hunt Kel Ken Kings Lang Lark Lea Lind Lock Long Mar Mel Mid Mill Moor
		Nor North Oak Ock Pem Pen Pick Pres Rad Rams Red Ros Rush Sal Sand Shel Sher South Stan
		Stock Stone Sum Sut Thorn Ting Wal War Wes West Whit Wick Wil Win Wood Wor Wyn Ab Ack Ains
		Ark Aston Bain Bass Bex Bing Bol Bud Cad Chis Clay Cor Crad Dray Dun Egg Fal Fin Gat Gil
		Hadd Hen Hol Ing Kirk Knap Lid Lud Mab Mort Ned Og Pad Pud Rid Sel Snow Tad Ul Wad Yar`)
	enSuffixes = strings.Fields(`ley ton ford field wood well by ham worth stone more croft brook
		bridge hurst combe den dale land wick shaw low ridge wright man`)
)

// surnameTail returns the long tail of family names for the Persian or
// the English lists: names built the way most of a country's names are
// (a given name or a place with a suffix, two names joined), each far
// rarer than a listed one, with a Zipf skew over stems and suffixes so
// that the tail too has its common and its rare names. head's names are
// left out, and so is any name built twice.
func surnameTail(head nameList, given nameList, iranian bool, stemOf map[*nameEntry]*nameEntry) nameList {
	seen := make(map[string]bool, len(head.entries))
	for _, e := range head.entries {
		seen[strings.Join(e.parts, "")] = true
	}
	// Each kind of tail name gets an equal share of the tail, spread
	// over its names by their Zipf weights (sum: of every name the kind
	// builds, kept or not).
	var l nameList
	var w []float64
	var kindOf []int
	var sum []float64
	add := func(kind int, e nameEntry, weight float64) {
		sum[kind] += weight
		key := strings.Join(e.parts, "")
		if seen[key] {
			return
		}
		seen[key] = true
		l.entries = append(l.entries, e)
		w = append(w, weight)
		kindOf = append(kindOf, kind)
	}
	if !iranian {
		sum = make([]float64, 1)
		for i, s := range enStems {
			for j, x := range enSuffixes {
				if strings.HasSuffix(strings.ToLower(s), x[:1]) && x[:1] != "l" {
					continue // Ashshaw, Bennden: not how such names are spelled
				}
				add(0, nameEntry{parts: []string{s + x}}, zipfWeight(i, 10)*zipfWeight(j, 5))
			}
		}
		// One kind: the weights need no scaling.
		l.w = newWeights(w...)
		return l
	}
	// Stems are the single given names: a stem with an ending
	// (حسین‌زاده), or with a family name made of a given name
	// (علی‌محمدی).
	var stems []*nameEntry
	for i := range given.entries {
		if e := &given.entries[i]; len(e.parts) == 1 && len(e.latin) > 0 {
			stems = append(stems, e)
		}
	}
	var made []*nameEntry // family names made of a given name: حسینی
	for i := range head.entries {
		if e := &head.entries[i]; stemOf[e] != nil && len(e.parts) == 1 {
			made = append(made, e)
		}
	}
	const ended, joined = 0, 1
	sum = make([]float64, 2)
	for i, s := range stems {
		for j, x := range faSuffixes {
			e := nameEntry{parts: []string{s.parts[0], x.fa}, latin: joinLatin(s.latin, x.latin, false)}
			add(ended, e, zipfWeight(i, 10)*zipfWeight(j, 4))
		}
		for j, m := range made {
			if stemOf[m] == s {
				continue
			}
			e := nameEntry{parts: []string{s.parts[0], m.parts[0]}, latin: joinLatin(s.latin, m.latin[:min(2, len(m.latin))], true)}
			add(joined, e, zipfWeight(i, 10)*zipfWeight(j, 10))
		}
	}
	for i := range w {
		w[i] /= sum[kindOf[i]]
	}
	l.w = newWeights(w...)
	return l
}

// joinLatin spells a compound family name in Latin letters: each of the
// stem's two usual spellings joined with each of the ending's, the
// ending's first letter lower-cased when lower (Ali + Mohammadi is
// Alimohammadi), each spelling once.
func joinLatin(stem, ending []string, lower bool) []string {
	var out []string
	for _, a := range stem[:min(2, len(stem))] {
		for _, b := range ending {
			if lower {
				r, n := utf8.DecodeRuneInString(b)
				b = string(unicode.ToLower(r)) + b[n:]
			}
			if !slices.Contains(out, a+b) {
				out = append(out, a+b)
			}
		}
	}
	return out
}
