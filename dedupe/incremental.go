package dedupe

import (
	"slices"
)

// PairsOf returns the pairs of record i with the other records of the
// index, not removed, that Run on the index's records would keep: those it
// compares (from the lower record, as candidates chooses: i's own
// candidates after it, and each earlier record that keeps i among its
// own) and whose probability reaches Config.ReviewThreshold, each scored
// as Run scores it, ordered by A then B. Pairs hold A < B and explain
// themselves (Explain). A nightly run matches the records that changed,
// and the neighbours they reach, with it instead of comparing every pair.
// It must not run concurrently with Add or Remove.
func (ix *Index) PairsOf(i int) ([]Pair, error) {
	if ix.model == nil {
		return nil, ErrNoModel
	}
	if ix.isRemoved(int32(i)) {
		return nil, nil
	}
	ix.positions()
	minWeight := log2Odds(ix.cfg.ReviewThreshold)
	var out []Pair
	// One pair, scored from its lower record a as scoreAll scores it.
	score := func(a, b int32) {
		if ix.isRemoved(a) || ix.isRemoved(b) {
			return
		}
		var pa prepared
		ix.rec(a, &pa)
		tw := ix.termWeightsOf(&pa)
		p, w, ok := ix.compareAbove(&pa, b, &tw, ix.personCut(&pa, &tw, minWeight))
		if ok && w >= minWeight {
			out = append(out, Pair{A: a, B: b, Probability: probability(w), Weight: w, levels: p})
		}
	}
	var sc, other candScratch
	for _, j := range ix.candidates(i, &sc, true) {
		score(int32(i), j)
	}
	// Earlier records that share a block with i compare it when their
	// own candidates keep it.
	ix.rawCandidates(i, &sc, false)
	var earlier []int32
	for _, r := range sc.raw {
		if j := int32(r >> 32); int(j) < i {
			earlier = append(earlier, j)
		}
	}
	slices.Sort(earlier)
	earlier = slices.Compact(earlier)
	for _, j := range earlier {
		if _, found := slices.BinarySearch(ix.candidates(int(j), &other, true), int32(i)); found {
			score(j, int32(i))
		}
	}
	slices.SortFunc(out, func(x, y Pair) int {
		if x.A != y.A {
			return int(x.A) - int(y.A)
		}
		return int(x.B) - int(y.B)
	})
	return out, nil
}

// ClusterPairs clusters pairs of the index's records (from PairsOf) as Run
// clusters its pairs, guards against chaining included, and returns per
// record of the index its cluster's representative (Result.Cluster). Only
// the pairs given link records: a caller that gives every pair of the
// components it cares about (all pairs at or above Config.Threshold of
// their records) gets those components' clusters exactly as Run finds
// them; records outside them are their own clusters.
func (ix *Index) ClusterPairs(pairs []Pair) []int32 {
	c, _ := cluster(len(ix.recs), pairs, clusterSettingsOf(&ix.cfg), ix.ID, ix.probability)
	return c
}

// Probability returns the match probability of records i and j of the
// index, scored as Run scores the pair (from the lower record), whether or
// not blocking would compare them.
func (ix *Index) Probability(i, j int) float64 {
	return ix.probability(int32(min(i, j)), int32(max(i, j)))
}
