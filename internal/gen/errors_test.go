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
