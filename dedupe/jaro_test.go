package dedupe

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/adrg/strutil/metrics"
)

// TestJaroWinklerAgreesWithStrutil holds the allocation-free Jaro-Winkler
// to strutil's definition on names, typos and random strings of Latin and
// Persian letters.
func TestJaroWinklerAgreesWithStrutil(t *testing.T) {
	ref := metrics.NewJaroWinkler()
	pairs := [][2]string{
		{"", ""}, {"a", ""}, {"", "a"}, {"martha", "marhta"}, {"dixon", "dicksonx"},
		{"robert", "rupert"}, {"jones", "johnson"}, {"mohammad", "muhammad"},
		{"محمد", "محمود"}, {"abc", "abc"}, {"crate", "trace"}, {"dwayne", "duane"},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabets := [][]rune{[]rune("abcde"), []rune("abcdefghijklmnopqrstuvwxyz "), []rune("ابپتثجچحخدذرزسشصضطظعغفقکگلمنوهی")}
	for range 20000 {
		al := alphabets[rng.IntN(len(alphabets))]
		mk := func() string {
			n := rng.IntN(12)
			r := make([]rune, n)
			for i := range r {
				r[i] = al[rng.IntN(len(al))]
			}
			return string(r)
		}
		a := mk()
		b := a
		if rng.IntN(2) == 0 {
			b = mk()
		} else if len(b) > 0 {
			rb := []rune(b)
			k := rng.IntN(len(rb))
			rb[k] = al[rng.IntN(len(al))]
			if k+1 < len(rb) && rng.IntN(2) == 0 {
				rb[k], rb[k+1] = rb[k+1], rb[k]
			}
			b = string(rb)
		}
		pairs = append(pairs, [2]string{a, b})
	}
	for _, p := range pairs {
		want := ref.Compare(p[0], p[1])
		got := jaroWinkler(p[0], p[1])
		if math.Abs(got-want) > 1e-12 {
			t.Fatalf("jaroWinkler(%q, %q) = %v, strutil says %v", p[0], p[1], got, want)
		}
	}
}

// TestWithinOneEditAgreesWithStrutil holds withinOneEdit to strutil's
// Levenshtein distance.
func TestWithinOneEditAgreesWithStrutil(t *testing.T) {
	ref := metrics.NewLevenshtein()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		mk := func() string {
			b := make([]byte, rng.IntN(7))
			for i := range b {
				b[i] = "0123"[rng.IntN(4)]
			}
			return string(b)
		}
		a, b := mk(), mk()
		if got, want := withinOneEdit(a, b), ref.Distance(a, b) <= 1; got != want {
			t.Fatalf("withinOneEdit(%q, %q) = %v, strutil distance %d", a, b, got, ref.Distance(a, b))
		}
	}
}

// TestLevenshteinAgreesWithStrutil holds the bounded levenshtein to
// strutil's Levenshtein distance.
func TestLevenshteinAgreesWithStrutil(t *testing.T) {
	ref := metrics.NewLevenshtein()
	rng := rand.New(rand.NewPCG(5, 6))
	for n := range 40000 {
		mk := func() string {
			b := make([]byte, rng.IntN(10+n%3*12))
			for i := range b {
				b[i] = "abc.@"[rng.IntN(5)]
			}
			return string(b)
		}
		a, b := mk(), mk()
		want := ref.Distance(a, b)
		for _, limit := range []int{0, 1, 2, 3, 20, 100} {
			got := levenshtein(a, b, limit)
			if (want <= limit && got != want) || (want > limit && got <= limit) {
				t.Fatalf("levenshtein(%q, %q, %d) = %d, strutil distance %d", a, b, limit, got, want)
			}
		}
	}
}

func BenchmarkJaroWinkler(b *testing.B) {
	b.Run("steward", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			jaroWinkler("catherine", "kathryn")
		}
	})
	b.Run("strutil", func(b *testing.B) {
		ref := metrics.NewJaroWinkler()
		b.ReportAllocs()
		for b.Loop() {
			ref.Compare("catherine", "kathryn")
		}
	})
}

// TestJaroWinklerFloor: jaroWinklerFloor returns the measure itself, or 0
// only where the measure is below the floor, on random strings of Latin
// and Persian letters and on pairs of generated names, streets and cities.
func TestJaroWinklerFloor(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabets := [][]rune{[]rune("abcde"), []rune("abcdefghijklmnopqrstuvwxyz "), []rune("ابپتثجچحخدذرزسشصضطظعغفقکگلمنوهی")}
	var words []string
	for range 3000 {
		al := alphabets[rng.IntN(len(alphabets))]
		r := make([]rune, rng.IntN(14))
		for i := range r {
			r[i] = al[rng.IntN(len(al))]
		}
		words = append(words, string(r))
	}
	for _, r := range generated(t, 2000, 53).records {
		words = append(words, nameKey(r.FirstName), nameKey(r.LastName), textKey(r.City), textKey(r.AddressLine1))
	}
	pruned := 0
	for range 200_000 {
		a, b := words[rng.IntN(len(words))], words[rng.IntN(len(words))]
		for _, floor := range []float64{0.5, jwSimilar, tokenClose, jwClose} {
			jw, got := jaroWinkler(a, b), jaroWinklerFloor(a, b, floor)
			if got != jw && (got != 0 || jw >= floor) {
				t.Fatalf("jaroWinklerFloor(%q, %q, %g) = %g, jaroWinkler %g", a, b, floor, got, jw)
			}
			if got != jw {
				pruned++
			}
		}
	}
	if pruned == 0 {
		t.Fatal("the bound never ruled a pair out")
	}
}

// FuzzJaroWinklerFloor: on any strings jaroWinklerFloor is the measure or
// 0 below the floor.
func FuzzJaroWinklerFloor(f *testing.F) {
	f.Add("martha", "marhta", 0.8)
	f.Add("ali", "zahra", 0.92)
	f.Add("محمد", "محمود", 0.8)
	f.Fuzz(func(t *testing.T, a, b string, floor float64) {
		jw, got := jaroWinkler(a, b), jaroWinklerFloor(a, b, floor)
		if got != jw && (got != 0 || !(jw < floor)) {
			t.Fatalf("jaroWinklerFloor(%q, %q, %g) = %g, jaroWinkler %g", a, b, floor, got, jw)
		}
	})
}

// BenchmarkJaroWinklerFloor measures jaroWinklerFloor on pairs of
// generated first names, most of which the bound rules out, as Match
// meets them.
func BenchmarkJaroWinklerFloor(b *testing.B) {
	var names []string
	for _, r := range generated(b, 2000, 53).records {
		names = append(names, nameKey(r.FirstName), nameKey(r.LastName))
	}
	rng := rand.New(rand.NewPCG(7, 8))
	pairs := make([][2]string, 4096)
	for i := range pairs {
		pairs[i] = [2]string{names[rng.IntN(len(names))], names[rng.IntN(len(names))]}
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		p := &pairs[k%len(pairs)]
		jaroWinklerFloor(p[0], p[1], jwSimilar)
		k++
	}
}
