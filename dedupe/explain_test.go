package dedupe

import (
	"context"
	"slices"
	"testing"

	"github.com/steward-crm/steward"
)

// explainFixture is a small set whose first two records are one person
// with a nickname, a typo in the street and another phone.
func explainFixture() []steward.Record {
	recs := []steward.Record{
		{SourceID: "a", FirstName: "Robert", LastName: "Mortimer", BirthDate: "1980-03-02", Email: "rob.mortimer@example.com",
			AddressLine1: "12 Baker Street", City: "London", PostalCode: "NW1 6XE", Country: "GB", Phone: "+44 20 7946 0001"},
		{SourceID: "b", FirstName: "Bob", LastName: "Mortimer", BirthDate: "1980-03-02", Email: "rob.mortimer@example.com",
			AddressLine1: "12 Bakr Street", City: "London", PostalCode: "NW1 6XE", Country: "GB", Phone: "+44 20 7946 0999"},
	}
	// Filler so that training has random pairs to learn u from.
	for i := range 200 {
		recs = append(recs, steward.Record{SourceID: "f" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			FirstName: []string{"Ann", "Carl", "Dora", "Emil", "Fay"}[i%5] + string(rune('a'+i%7)),
			LastName:  []string{"Stone", "Ward", "Price", "Hill"}[i%4] + string(rune('a'+i/7%26)),
			BirthDate: "19" + string(rune('5'+i%4)) + string(rune('0'+i%10)) + "-0" + string(rune('1'+i%9)) + "-1" + string(rune('0'+i%9)),
			City:      []string{"Leeds", "York", "Bath"}[i%3], Country: "GB"})
	}
	return recs
}

// fieldOf returns the explanation's entry for field, failing when it is
// not there.
func fieldOf(t *testing.T, ex []FieldWeight, field string) FieldWeight {
	t.Helper()
	for _, fw := range ex {
		if fw.Field == field {
			return fw
		}
	}
	t.Fatalf("no %s in explanation %+v", field, ex)
	return FieldWeight{}
}

// TestExplanationCarriesComparedValues checks that every explained field
// names the two values it compared, for a run's pairs, Match and
// MatchIndexed alike.
func TestExplanationCarriesComparedValues(t *testing.T) {
	recs := explainFixture()
	res, err := Run(context.Background(), recs, DefaultConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var pair *Pair
	for k := range res.Pairs {
		if res.Pairs[k].A == 0 && res.Pairs[k].B == 1 {
			pair = &res.Pairs[k]
		}
	}
	if pair == nil {
		t.Fatalf("the nickname pair was not kept: %+v", res.Pairs)
	}
	want := []struct {
		field, a, b string
	}{
		{"first_name", "robert", "bob"},
		{"last_name", "mortimer", "mortimer"},
		{"birth_date", "1980-03-02", "1980-03-02"},
		{"email", "rob.mortimer@example.com", "rob.mortimer@example.com"},
		// The phone key is the last nine digits.
		{"address+phone", "12 baker street, nw16xe, london, gb, 079460001", "12 bakr street, nw16xe, london, gb, 079460999"},
	}
	check := func(t *testing.T, ex []FieldWeight, swap bool) {
		for _, w := range want {
			fw := fieldOf(t, ex, w.field)
			a, b := w.a, w.b
			if swap {
				a, b = b, a
			}
			if fw.A != a || fw.B != b {
				t.Errorf("%s: compared %q and %q, want %q and %q", w.field, fw.A, fw.B, a, b)
			}
		}
	}
	t.Run("run", func(t *testing.T) { check(t, res.Explain(*pair), false) })
	t.Run("match", func(t *testing.T) {
		probe := recs[1]
		probe.SourceID = "probe"
		cands, err := res.Index.Match(&probe)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(cands, func(c Candidate) bool { return c.ID == "a" })
		if i < 0 {
			t.Fatalf("Match did not find a: %+v", cands)
		}
		check(t, cands[i].Explanation, true)
	})
	t.Run("match indexed", func(t *testing.T) {
		cands, err := res.Index.MatchIndexed(res.Index, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(cands) == 0 || cands[0].ID != "a" {
			t.Fatalf("MatchIndexed(1) = %+v, want a first", cands)
		}
		check(t, cands[0].Explanation, true)
	})
}

// TestSharedKeys checks the keys named for the fixture's pair and that
// SharedKeys is non-empty exactly for the pairs a run compares, with
// blocks small enough that sorted neighbourhoods decide many pairs.
func TestSharedKeys(t *testing.T) {
	ctx := context.Background()
	t.Run("fixture", func(t *testing.T) {
		ix, err := NewIndex(ctx, explainFixture(), DefaultConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		got := ix.SharedKeys(0, 1)
		for _, k := range []BlockingKey{BlockEmail, BlockEmailLocal, BlockPostalHouse, BlockBirthDateLast} {
			if !slices.Contains(got, k) {
				t.Errorf("SharedKeys(0, 1) = %v, want %s among them", got, k)
			}
		}
		for _, k := range []BlockingKey{BlockPhone, BlockSortedNames, BlockBirthDateFirst} {
			if slices.Contains(got, k) {
				t.Errorf("SharedKeys(0, 1) = %v: %s does not hold both", got, k)
			}
		}
		if !slices.Equal(ix.SharedKeys(1, 0), got) {
			t.Errorf("SharedKeys(1, 0) = %v, want %v", ix.SharedKeys(1, 0), got)
		}
		if keys := ix.SharedKeys(0, 5); keys != nil {
			t.Errorf("SharedKeys(0, 5) = %v for records with nothing in common", keys)
		}
		probe := explainFixture()[1]
		if keys := ix.SharedKeysOf(&probe, 0); !slices.Equal(keys, got) {
			t.Errorf("SharedKeysOf(copy of 1, 0) = %v, want %v", keys, got)
		}
	})
	d := generated(t, 3000, 61)
	small := DefaultConfig()
	small.MaxBlock, small.Window = 4, 2
	ix, err := NewIndex(ctx, d.records[:2500], small, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 2500; i < 2600; i++ {
		ix.Add(&d.records[i]) // pending records
	}
	t.Run("agrees with candidates", func(t *testing.T) {
		ix.positions()
		var sc candScratch
		compared, checked := 0, 0
		// Run compares a pair from its lower record: rawCandidates(i)
		// holds j > i met under some key, of which candidates keeps
		// some.
		for i := 0; i < ix.Len(); i += 5 {
			ix.rawCandidates(i, &sc, true)
			met := make(map[int32]bool)
			for _, r := range sc.raw {
				met[int32(r>>32)] = true
			}
			for _, j := range ix.candidates(i, &sc, true) {
				if !met[j] {
					t.Fatalf("candidates(%d) holds %d, which no key brought", i, j)
				}
			}
			for j := i + 1; j < ix.Len(); j++ {
				want := met[int32(j)]
				keys := ix.SharedKeys(i, j)
				if (keys != nil) != want {
					t.Fatalf("SharedKeys(%d, %d) = %v; blocks pair them: %v", i, j, keys, want)
				}
				if back := ix.SharedKeys(j, i); !slices.Equal(back, keys) {
					t.Fatalf("SharedKeys(%d, %d) = %v, SharedKeys(%d, %d) = %v", i, j, keys, j, i, back)
				}
				if want {
					compared++
				}
				checked++
			}
		}
		if compared < 100 {
			t.Fatalf("only %d of %d pairs compared: the test needs more", compared, checked)
		}
	})
	t.Run("agrees with match", func(t *testing.T) {
		other, err := NewIndex(ctx, d.records[2600:], small, nil)
		if err != nil {
			t.Fatal(err)
		}
		met := 0
		for i := range other.Len() {
			var q prepared
			other.rec(int32(i), &q)
			ix.markPlaceholders(&q)
			want := matchCandidates(ix, &q)
			for j := range ix.Len() {
				_, ok := slices.BinarySearch(want, int32(j))
				if keys := ix.SharedKeysWith(other, i, j); (keys != nil) != ok {
					t.Fatalf("SharedKeysWith(%d, %d) = %v; match meets them: %v", i, j, keys, ok)
				}
			}
			met += len(want)
		}
		if met < 100 {
			t.Fatalf("only %d candidates: the test needs more", met)
		}
	})
}

// matchCandidates returns the indexed records match compares q with,
// sorted, as matchReference collects them.
func matchCandidates(ix *Index, q *prepared) []int32 {
	var buf []int32
	s := sortKeysOf(q)
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		h := blockHash(kb.key, kb.kind, q)
		if h == 0 {
			continue
		}
		lo, hi, _ := ix.windowFor(kb, h, s[kb.order])
		for _, e := range kb.sorted[lo:hi] {
			buf = append(buf, e.idx)
		}
		buf = append(buf, kb.pending[h]...)
	}
	slices.Sort(buf)
	return slices.Compact(buf)
}
