package gen

import (
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
// Thornley).
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
	var l nameList
	var w []float64
	add := func(e nameEntry, weight float64) {
		key := strings.Join(e.parts, "")
		if seen[key] {
			return
		}
		seen[key] = true
		l.entries = append(l.entries, e)
		w = append(w, weight)
	}
	zw := func(rank int, offset float64) float64 { return 1 / (float64(rank) + offset) }
	if !iranian {
		for i, s := range enStems {
			for j, x := range enSuffixes {
				if strings.HasSuffix(strings.ToLower(s), x[:1]) && x[:1] != "l" {
					continue // Ashshaw, Bennden: not how such names are spelled
				}
				add(nameEntry{parts: []string{s + x}}, zw(i, 10)*zw(j, 5))
			}
		}
	} else {
		// Stems are the single given names; the two kinds of tail name
		// (stem and suffix, stem and a family name made of a given name)
		// share the tail equally.
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
		var sumA, sumB float64
		for i := range stems {
			for j := range faSuffixes {
				sumA += zw(i, 10) * zw(j, 4)
			}
			for j := range made {
				if stemOf[made[j]] != stems[i] {
					sumB += zw(i, 10) * zw(j, 10)
				}
			}
		}
		for i, s := range stems {
			for j, x := range faSuffixes {
				e := nameEntry{parts: []string{s.parts[0], x.fa}}
				for _, sl := range s.latin[:min(2, len(s.latin))] {
					for _, xl := range x.latin {
						e.latin = appendNew(e.latin, sl+xl)
					}
				}
				add(e, zw(i, 10)*zw(j, 4)/sumA)
			}
			for j, m := range made {
				if stemOf[m] == s {
					continue
				}
				e := nameEntry{parts: []string{s.parts[0], m.parts[0]}}
				for _, sl := range s.latin[:min(2, len(s.latin))] {
					for _, ml := range m.latin[:min(2, len(m.latin))] {
						e.latin = appendNew(e.latin, sl+lowerFirst(ml))
					}
				}
				add(e, zw(i, 10)*zw(j, 10)/sumB)
			}
		}
	}
	l.w = newWeights(w...)
	return l
}

// appendNew appends s to list unless it is there.
func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// lowerFirst lower-cases the first letter of s: Ali + Mohammadi is
// Alimohammadi.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
