package dedupe

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/steward-crm/steward"
)

// cityTF is the term-frequency comparison of the city.
func cityTF(t testing.TB) int {
	t.Helper()
	k := slices.Index(tfComparisons[:], cmpContact)
	if k < 0 {
		t.Fatal("the city has no term-frequency counts")
	}
	return k
}

// townRecords returns records of a name and a city only: big of them in
// a big city, two in each of towns small towns, each of another name but
// the last two of each place, who share one.
func townRecords(big, towns int) []steward.Record {
	var recs []steward.Record
	add := func(city string, n int) {
		for i := range n {
			first, last := fmt.Sprintf("Given%04d", len(recs)), fmt.Sprintf("Family%04d", len(recs))
			if i >= n-2 {
				first, last = "Mary", "Jones"
			}
			recs = append(recs, steward.Record{SourceID: fmt.Sprint(len(recs)), FirstName: first, LastName: last, City: city, Country: "GB"})
		}
	}
	add("London", big)
	for k := range towns {
		add(fmt.Sprintf("Town%02d", k), 2)
	}
	return recs
}

// TestCityTermFrequency checks that two records of one name agreeing on a
// small town weigh more than two agreeing on a big city, by the log of
// how much more common the big city is, and that a city level reached
// without equal cities gets no adjustment.
func TestCityTermFrequency(t *testing.T) {
	ctx := context.Background()
	model := trainedIndex(t, generated(t, 5000, 3).records, DefaultConfig()).Model()
	if !model.Comparisons[cmpContact].TermFrequency {
		t.Fatal("a trained model does not weigh the city by its frequency")
	}
	const big, towns = 200, 20
	recs := townRecords(big, towns)
	ix, err := NewIndex(ctx, recs, DefaultConfig(), model)
	if err != nil {
		t.Fatal(err)
	}
	weigh := func(i, j int) (pattern, float64) {
		var a, b prepared
		ix.rec(int32(i), &a)
		ix.rec(int32(j), &b)
		tw := ix.termWeightsOf(&a)
		p := compare(&a, &b)
		return p, ix.weight(p, &tw)
	}
	// The last two London records and the two of the last town.
	pBig, wBig := weigh(big-2, big-1)
	pSmall, wSmall := weigh(len(recs)-2, len(recs)-1)
	for _, p := range []pattern{pBig, pSmall} {
		if got := levelName(cmpContact, p); got != "city" || !termAgrees(p, cmpContact) {
			t.Fatalf("pattern %x: level %q, city agrees %v; want city, true", p, got, termAgrees(p, cmpContact))
		}
	}
	if pBig != pSmall {
		t.Fatalf("patterns %x and %x differ: the test compares cities alone", pBig, pSmall)
	}
	if want := math.Log2(big / 2.0); math.Abs(wSmall-wBig-want) > 1e-9 {
		t.Errorf("a town of 2 weighs %.4f bits, a city of %d %.4f: %.4f more, want %.4f", wSmall, big, wBig, wSmall-wBig, want)
	}
	// Against the share of pairs that agree on a city, the big city is
	// common (a negative adjustment) and a town rare (a positive one).
	k := cityTF(t)
	var a prepared
	ix.rec(0, &a)
	twBig := ix.termWeightsOf(&a)
	ix.rec(int32(len(recs)-1), &a)
	twSmall := ix.termWeightsOf(&a)
	if !(twBig[cmpContact] < 0 && twSmall[cmpContact] > 0) {
		t.Errorf("adjustments %.3f (London) and %.3f (a town), want one below 0 and one above", twBig[cmpContact], twSmall[cmpContact])
	}
	total := float64(big + 2*towns)
	if want := (big*big + towns*4) / (total * total); math.Abs(ix.tfChance(cmpContact, k)-want) > 1e-12 {
		t.Errorf("chance agreement on a city %g, want %g", ix.tfChance(cmpContact, k), want)
	}

	// A postal code one edit apart makes the city level too, with no
	// city to weigh.
	x, y := Prepare(&steward.Record{FirstName: "Mary", LastName: "Jones", PostalCode: "4011"}), Prepare(&steward.Record{FirstName: "Mary", LastName: "Jones", PostalCode: "4012"})
	if p := compare(&x.p, &y.p); levelName(cmpContact, p) != "same_city" || termAgrees(p, cmpContact) {
		t.Errorf("postal codes one edit apart: level %q, city agrees %v; want same_city, false", levelName(cmpContact, p), termAgrees(p, cmpContact))
	}
	// Cities with a typo agree, but not on one town's frequency.
	x, y = Prepare(&steward.Record{City: "Ashby", Country: "GB"}), Prepare(&steward.Record{City: "Ashbey", Country: "GB"})
	if p := compare(&x.p, &y.p); levelName(cmpContact, p) != "city" || termAgrees(p, cmpContact) {
		t.Errorf("cities with a typo: level %q, city agrees %v; want city, false", levelName(cmpContact, p), termAgrees(p, cmpContact))
	}
}
