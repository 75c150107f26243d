package gen

import (
	"strings"
	"testing"
)

func TestEveryErrorKindAppears(t *testing.T) {
	recs := collect(t, Options{N: 40000, Seed: 31, DupRate: 0.3})
	var count [numKinds]int
	dups := 0
	for i := range recs {
		if recs[i].variant == 0 {
			if recs[i].kinds != 0 {
				t.Fatalf("original record carries errors %b", recs[i].kinds)
			}
			continue
		}
		dups++
		for k := range numKinds {
			if recs[i].kinds&(1<<k) != 0 {
				count[k]++
			}
		}
	}
	for k := range numKinds {
		t.Logf("%-16s %5d  %4.1f%% of duplicates", k, count[k], 100*float64(count[k])/float64(dups))
		if count[k] < 20 {
			t.Errorf("error kind %s appears %d times in %d duplicates", k, count[k], dups)
		}
	}
}

func TestDuplicatesDifferLikeRealOnes(t *testing.T) {
	recs := collect(t, Options{N: 40000, Seed: 32, DupRate: 0.3})
	tb, err := newTables()
	if err != nil {
		t.Fatal(err)
	}
	nicknames := map[string]map[string]bool{}
	for _, l := range []nameList{tb.enMale, tb.enFemale} {
		for _, e := range l.entries {
			for _, n := range e.latin {
				if nicknames[e.parts[0]] == nil {
					nicknames[e.parts[0]] = map[string]bool{}
				}
				nicknames[e.parts[0]][n] = true
			}
		}
	}
	var nick, arabic, digitScript, translit, zwnj int
	for _, rs := range byEntity(recs) {
		orig := rs[0]
		if orig.variant != 0 {
			continue // the original was cut off by N
		}
		for _, d := range rs[1:] {
			a, b := orig.row[colFirst], d.row[colFirst]
			if a != b && (nicknames[a][b] || nicknames[b][a]) {
				nick++
			}
			if a != b && foldArabic(b) == a && hasPersianScript(a) {
				arabic++
			}
			if p, q := orig.row[colPhone], d.row[colPhone]; p != "" && p != q && foldDigits(q) == p {
				digitScript++
			}
			if hasPersianScript(a) && b != "" && !hasPersianScript(b) {
				translit++
			}
			if hasPersianScript(a) && a != b && strings.NewReplacer("\u200c", "", " ", "").Replace(a) == strings.NewReplacer("\u200c", "", " ", "").Replace(b) {
				zwnj++
			}
		}
	}
	t.Logf("duplicates that differ by nickname %d, Arabic letters %d, digit script %d, script %d, ZWNJ/space %d",
		nick, arabic, digitScript, translit, zwnj)
	if nick < 20 || arabic < 20 || digitScript < 20 || translit < 20 || zwnj < 20 {
		t.Fatal("an error kind real CRMs see is (almost) missing")
	}
}

func TestHardNegatives(t *testing.T) {
	recs := collect(t, Options{N: 40000, Seed: 33, DupRate: 0})
	type key struct{ a, b, c string }
	family := map[key]map[uint32]bool{}
	namesake := map[key]map[uint32]bool{}
	add := func(m map[key]map[uint32]bool, k key, e uint32) {
		if m[k] == nil {
			m[k] = map[uint32]bool{}
		}
		m[k][e] = true
	}
	for i := range recs {
		r := &recs[i].row
		if r[colLast] != "" && r[colAddr1] != "" && r[colPhone] != "" {
			phone := onlyDigits(r[colPhone])
			add(family, key{r[colLast], r[colAddr1], phone[max(0, len(phone)-9):]}, recs[i].entity)
		}
		if r[colFirst] != "" && r[colLast] != "" && r[colBirth] != "" {
			add(namesake, key{r[colFirst], r[colLast], r[colBirth]}, recs[i].entity)
		}
	}
	companies := map[string]map[uint32]bool{}
	for i := range recs {
		if c := recs[i].row[colCompany]; c != "" {
			if companies[c] == nil {
				companies[c] = map[uint32]bool{}
			}
			companies[c][recs[i].entity] = true
		}
	}
	colleagues := 0
	for _, es := range companies {
		if len(es) > 1 {
			colleagues++
		}
	}
	sharedHome := 0
	for _, es := range family {
		if len(es) > 1 {
			sharedHome++
		}
	}
	// Same name with different birth dates: different people, one name.
	names := map[key]int{}
	for k, es := range namesake {
		names[key{k.a, k.b, ""}] += len(es)
	}
	sameName := 0
	for _, n := range names {
		if n > 1 {
			sameName++
		}
	}
	t.Logf("%d groups of distinct people sharing surname, address and phone; %d names shared by distinct people; %d companies with several contacts",
		sharedHome, sameName, colleagues)
	if sharedHome < 100 || sameName < 100 || colleagues < 100 {
		t.Fatal("too few hard negatives")
	}
}

// TestHardPatterns checks that the generator produces each of the
// patterns that make matching hard, so the matcher's tests hold them:
// placeholder birth dates and emails, first names that are titles or
// initials glued to the family name, duplicates with little but a name,
// people named crosswise (رضا حسینی and حسین رضایی in one town), and
// family members who bear the same name.
func TestHardPatterns(t *testing.T) {
	recs := collect(t, Options{N: 40000, Seed: 34, DupRate: 0.3})
	tb, err := newTables()
	if err != nil {
		t.Fatal(err)
	}
	var jan1, dated, year1900, noemail, glued, sparse int
	type name struct{ first, last string }
	entities := map[name]map[uint32]bool{}
	type home struct{ first, last, addr string }
	homes := map[home]map[string]uint32{}
	for i := range recs {
		r := &recs[i].row
		if d := r[colBirth]; d != "" {
			dated++
			if strings.HasSuffix(d, "-01-01") {
				jan1++
			}
			if d == "1900-01-01" {
				year1900++
			}
		}
		if strings.HasPrefix(r[colEmail], "noemail@") {
			noemail++
		}
		if f := r[colFirst]; r[colLast] == "" && len(f) > 3 && f[1] == '.' {
			glued++
		}
		if r[colFirst] != "" && r[colLast] != "" && r[colPhone] == "" && r[colAddr1] == "" && r[colCity] == "" && r[colBirth] == "" {
			sparse++
		}
		n := name{r[colFirst], r[colLast]}
		if entities[n] == nil {
			entities[n] = map[uint32]bool{}
		}
		entities[n][recs[i].entity] = true
		if r[colAddr1] != "" && r[colBirth] != "" && recs[i].variant == 0 {
			h := home{r[colFirst], r[colLast], r[colAddr1]}
			if homes[h] == nil {
				homes[h] = map[string]uint32{}
			}
			homes[h][r[colBirth][:4]] = recs[i].entity
		}
	}
	// Crosswise names of different people.
	crossed := 0
	for n, es := range entities {
		for i := range tb.faMale.entries {
			g := &tb.faMale.entries[i]
			if strings.Join(g.parts, "") != n.first || tb.surnameOf[g] == nil {
				continue
			}
			for j := range tb.faLast.entries {
				l := &tb.faLast.entries[j]
				if strings.Join(l.parts, "") != n.last || tb.stemOf[l] == nil {
					continue
				}
				other := name{strings.Join(tb.stemOf[l].parts, ""), strings.Join(tb.surnameOf[g].parts, "")}
				for e := range entities[other] {
					if !es[e] {
						crossed++
					}
				}
			}
		}
	}
	sameNameFamilies := 0
	for _, years := range homes {
		if len(years) > 1 {
			sameNameFamilies++
		}
	}
	tests := []struct {
		name     string
		got, min int
	}{
		{"birth dates on 1 January, per mille of dates (a day's share of a year is 2.7)", jan1 * 1000 / max(dated, 1), 30},
		{"birth dates 1900-01-01", year1900, 100},
		{"a shop's noemail@ address", noemail, 100},
		{"initials glued to the family name", glued, 20},
		{"records with names and little else", sparse, 200},
		{"people named crosswise", crossed, 20},
		{"family members of one name", sameNameFamilies, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Logf("%d", tt.got)
			if tt.got < tt.min {
				t.Errorf("%d, want at least %d", tt.got, tt.min)
			}
		})
	}
}
