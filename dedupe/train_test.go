package dedupe

import (
	"context"
	"math"
	"testing"
)

// TestTrainConverges: with the default settings expectation-maximisation
// converges on the labelled sets; stopped early, the model says so and
// names the sessions that did not.
func TestTrainConverges(t *testing.T) {
	tests := []struct {
		name      string
		load      func(testing.TB, string) labelled
		path      string
		maxIter   int
		converged bool
	}{
		{"febrl2", loadFEBRL, "../testdata/er/febrl2.csv", DefaultConfig().MaxIterations, true},
		{"splink", loadSplink, "../testdata/er/splink_fake_1000.csv", DefaultConfig().MaxIterations, true},
		{"splink stopped early", loadSplink, "../testdata/er/splink_fake_1000.csv", 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.MaxIterations = tt.maxIter
			ix, err := NewIndex(context.Background(), tt.load(t, tt.path).records, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			m, err := ix.Train(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			tr := m.Training
			if tr.Converged != tt.converged || tr.Converged != (len(tr.Unconverged) == 0) {
				t.Errorf("converged %v after %d iterations (unconverged %v), want %v", tr.Converged, tr.Iterations, tr.Unconverged, tt.converged)
			}
			if !tt.converged && tr.Iterations != tt.maxIter {
				t.Errorf("stopped after %d iterations, want %d", tr.Iterations, tt.maxIter)
			}
		})
	}
}

// TestRandomPairsGrowWithData: the u probabilities are estimated from
// RandomPairs random pairs or RandomPairsPerRecord per record, whichever
// is more, and never from more pairs than the records make; a negative or
// NaN share per record is refused.
func TestRandomPairsGrowWithData(t *testing.T) {
	records := loadSplink(t, "../testdata/er/splink_fake_1000.csv").records
	tests := []struct {
		name      string
		n         int
		least     int
		perRecord float64
		want      int
	}{
		{"fixed", 1000, 3000, 0, 3000},
		{"least wins", 1000, 3000, 2, 3000},
		{"per record wins", 1000, 3000, 5, 5000},
		{"all pairs of a few records", 50, 100, 1000, 50 * 49 / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.RandomPairs, cfg.RandomPairsPerRecord = tt.least, tt.perRecord
			ix, err := NewIndex(context.Background(), records[:tt.n], cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			m, err := ix.Train(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Training.RandomPairs; got != tt.want {
				t.Errorf("%d random pairs, want %d", got, tt.want)
			}
		})
	}
	for _, bad := range []float64{-1, math.NaN()} {
		cfg := DefaultConfig()
		cfg.RandomPairsPerRecord = bad
		if _, err := NewIndex(context.Background(), records[:10], cfg, nil); err == nil {
			t.Errorf("random pairs per record %g accepted", bad)
		}
	}
}

// trainGenerated trains the default model on n generated customers
// (seed 1).
func trainGenerated(t *testing.T, n int) *Model {
	t.Helper()
	ix, err := NewIndex(context.Background(), generated(t, n, 1).records, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ix.Train(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSharedMailboxWeighsLess trains on generated customers, among whom
// family members share one mailbox: an exact email of two people of one
// family name must weigh less than an exact email otherwise, with its u
// taken among pairs that share a family name and a place.
func TestSharedMailboxWeighsLess(t *testing.T) {
	m := trainGenerated(t, 20000)
	levels := m.Comparisons[cmpEmail].Levels
	exact, other := levels[emailExact], levels[emailOtherFirst]
	if other.U <= exact.U*10 {
		t.Errorf("u of exact_other_first_name %.3g, want well above exact's %.3g", other.U, exact.U)
	}
	if we, wo := m.weights[cmpEmail][emailExact], m.weights[cmpEmail][emailOtherFirst]; wo >= we-4 {
		t.Errorf("exact_other_first_name weighs %.1f bits, exact %.1f: want at least 4 bits less", wo, we)
	}
}

// TestHouseholdNameWeighsLittle trains on generated customers, among
// whom family members share an address, a landline and a family name: an
// exact family name at one address or phone must weigh far less than an
// exact family name elsewhere, with its u taken among the pairs blocked
// on an address or a phone, and one m with the exact level's. Counted
// as an exact name with u from random pairs, it weighed the shared place
// twice, and at a million generated customers 1,824 spouses and children
// with a rare family name were merged.
func TestHouseholdNameWeighsLittle(t *testing.T) {
	m := trainGenerated(t, 20000)
	levels := m.Comparisons[cmpLastName].Levels
	exact, household := levels[lnExact], levels[lnHousehold]
	if household.Name != "exact_household" || household.M != exact.M {
		t.Errorf("%s m %.3g, exact m %.3g: want exact_household with exact's m", household.Name, household.M, exact.M)
	}
	if household.U < 0.05 || household.U > 0.95 {
		t.Errorf("u of exact_household %.3g: want the share of non-matches at one place who share a family name, neither rare nor certain", household.U)
	}
	if we, wh := m.weights[cmpLastName][lnExact], m.weights[cmpLastName][lnHousehold]; wh > we-6 || wh > 3 {
		t.Errorf("exact_household weighs %.1f bits, exact %.1f: want at most 3, and 6 less than exact", wh, we)
	}
}

// TestExactEmailOneM trains on generated customers: an exact email is as
// likely among matches whether or not their names agree, so the exact
// level and the level of an exact address that spells agreeing names get
// one m, that of most matches; only their u differ. Counted apart, a
// duplicate whose last name was left out had its shared address weighed
// by the few matches with names that disagree (three bits less at a
// million).
func TestExactEmailOneM(t *testing.T) {
	m := trainGenerated(t, 20000)
	levels := m.Comparisons[cmpEmail].Levels
	exact, spells := levels[emailExact], levels[emailSpellsExact]
	if exact.M != spells.M || exact.M < 0.5 {
		t.Errorf("m of exact %.3g, of exact_spells_names %.3g: want one m, that of most matches", exact.M, spells.M)
	}
	if we, ws := m.weights[cmpEmail][emailExact], m.weights[cmpEmail][emailSpellsExact]; we < ws {
		t.Errorf("exact weighs %.1f bits, exact_spells_names %.1f: want exact at least as much (its u is among random pairs)", we, ws)
	}
}

// TestTrainFollowsSize: each run judges names and the prior by the records
// it dedupes. Generated customers draw names from one distribution, so a
// file four times larger holds each name four times as often while a
// customer's duplicates stay as many: the term-frequency counts must be
// the file's own, and the prior odds of a match, trained again, must fall
// by about log2(4) = 2 bits.
func TestTrainFollowsSize(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		n    int
	}{
		{"5k", 5_000},
		{"20k", 20_000},
	}
	if tfComparisons[0] != cmpFirstName {
		t.Fatal("the first term-frequency table is not the first name's")
	}
	priors := make([]float64, len(tests))
	for k, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := NewIndex(ctx, generated(t, tt.n, 7).records, DefaultConfig(), nil)
			if err != nil {
				t.Fatal(err)
			}
			m, err := ix.Train(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			priors[k] = m.prior
			counts := make(map[uint64]int32)
			firsts := int32(0)
			var p prepared
			for i := range ix.Len() {
				ix.rec(int32(i), &p)
				if h := valueHash(cmpFirstName, p.first); h != 0 {
					counts[h]++
					firsts++
				}
			}
			if got := ix.tfTotalOf(0); got != firsts {
				t.Errorf("first names counted %d, records with one %d", got, firsts)
			}
			for h, c := range counts {
				if got := ix.tfCount[0][h]; got != c {
					t.Fatalf("a first name held by %d records counted %d times", c, got)
				}
			}
		})
	}
	t.Logf("prior %.2f bits at %d records, %.2f at %d", priors[0], tests[0].n, priors[1], tests[1].n)
	if fall := priors[0] - priors[1]; fall < 1.5 || fall > 2.5 {
		t.Errorf("prior %.2f bits at %d records, %.2f at %d: fell %.2f bits, want about 2", priors[0], tests[0].n, priors[1], tests[1].n, fall)
	}
}
