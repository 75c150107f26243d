package dedupe

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// truthCounts holds the comparison levels of labelled pairs: of every true
// pair (compared whether blocking brings it or not), and of the candidate
// pairs blocking brings, matches and non-matches apart.
type truthCounts struct {
	truePairs            int64
	all                  levelProbs // levels of all true pairs
	candMatch, candOther levelProbs // levels of candidate pairs, by label
	candMatches, cands   int64
}

// countTruth compares every true pair and every candidate pair of ix
// against entity (negative: an entity of its own).
func countTruth(ctx context.Context, t testing.TB, ix *Index, entity []int32) truthCounts {
	t.Helper()
	ix.positions()
	var tc truthCounts
	byEntity := make(map[int32][]int32)
	for i, e := range entity {
		if e >= 0 {
			byEntity[e] = append(byEntity[e], int32(i))
		}
	}
	for _, ms := range byEntity {
		for a := range ms {
			for b := a + 1; b < len(ms); b++ {
				var x, y prepared
				ix.rec(ms[a], &x)
				ix.rec(ms[b], &y)
				p := compare(&x, &y)
				tc.truePairs++
				for c := range numComparisons {
					tc.all[c][p.level(c)]++
				}
			}
		}
	}
	var mu sync.Mutex
	err := parallelRange(ctx, len(ix.recs), ix.cfg.workers(), func(lo, hi int) {
		var sc candScratch
		var match, other levelProbs
		var nm, nc int64
		for i := lo; i < hi; i++ {
			var a prepared
			ix.rec(int32(i), &a)
			for _, j := range ix.candidates(i, &sc, true) {
				var b prepared
				ix.rec(j, &b)
				p := compare(&a, &b)
				into := &other
				if entity[i] >= 0 && entity[i] == entity[j] {
					into = &match
					nm++
				}
				nc++
				for c := range numComparisons {
					into[c][p.level(c)]++
				}
			}
		}
		mu.Lock()
		defer mu.Unlock()
		tc.candMatches += nm
		tc.cands += nc
		for c := range numComparisons {
			for l := range match[c] {
				tc.candMatch[c][l] += match[c][l]
				tc.candOther[c][l] += other[c][l]
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return tc
}

// oracleModel returns a copy of trained with the m probabilities of
// labelled pairs and the prior of the true matches: m from all true pairs
// and Lambda from their number when global (u stays the trained model's,
// from random pairs); m and u from the labelled candidate pairs and the
// share of matches among candidates as the prior when not. Term-frequency
// adjustments keep the trained model's u of an exact name, the average
// the adjustment is relative to. The model is compiled; it must be set on
// an index with setOracle, not SetModel, which would compile it again.
func oracleModel(t testing.TB, trained *Model, tc *truthCounts, n int, global bool) *Model {
	t.Helper()
	m := *trained
	m.Comparisons = make([]ComparisonModel, len(trained.Comparisons))
	var trainedU levelProbs
	for c, cm := range trained.Comparisons {
		m.Comparisons[c] = cm
		m.Comparisons[c].Levels = append([]LevelModel(nil), cm.Levels...)
		for l, lv := range cm.Levels {
			trainedU[c][l] = lv.U
		}
	}
	var mm, uu levelProbs
	if global {
		mm = normalizeCounts(tc.all, trainedU)
		uu = trainedU
		m.Lambda = float64(tc.truePairs) / (float64(n) * float64(n-1) / 2)
	} else {
		mm = normalizeCounts(tc.candMatch, trainedU)
		uu = normalizeCounts(tc.candOther, trainedU)
		m.Lambda = float64(tc.candMatches) / float64(tc.cands)
	}
	// The levels that split one agreement by another field's level share
	// one m in the model (which of them a pair gets is that field's
	// evidence); counted apart, the truth's m would weigh an exact last
	// name away from home 2 bits less than its agreement is worth.
	sharedEmailM(&mm)
	sharedLastM(&mm)
	for c := range m.Comparisons {
		for l := 1; l < len(m.Comparisons[c].Levels); l++ {
			m.Comparisons[c].Levels[l].M = mm[c][l]
			m.Comparisons[c].Levels[l].U = uu[c][l]
		}
	}
	if err := m.compile(); err != nil {
		t.Fatal(err)
	}
	for c := range m.Comparisons {
		m.Comparisons[c].Levels[1].U = trainedU[c][1]
	}
	return &m
}

// runModel scores and clusters ix's candidate pairs with m as it stands,
// without compiling it again (see oracleModel).
func runModel(ctx context.Context, t testing.TB, ix *Index, m *Model) *Result {
	t.Helper()
	ix.model = m
	pairs, compared, err := ix.scoreAll(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := len(ix.recs)
	clusters, _ := cluster(n, pairs, clusterSettingsOf(&ix.cfg), ix.ID, ix.probability)
	return &Result{Index: ix, Model: m, Pairs: pairs, Cluster: clusters, Stats: Stats{Records: n, PairsCompared: compared, PairsKept: len(pairs)}}
}

// TestOracleAtScale tells what the default comparisons and blocking can
// reach on generated customers when the model's estimates are taken from
// the truth instead of expectation-maximisation, at the sizes
// DEDUPE_ORACLE_SIZES lists (e.g. 1000000,4000000; skipped when unset):
// the trained model; "global", m from all true pairs and the true prior,
// u from random pairs as trained; and "candidates", m, u and the prior
// from the labelled candidate pairs, the naive Bayes that best fits the
// pairs a run compares. If the oracles lose F1 with the size as the
// trained model does, what is lost is in the data (namesakes), not in the
// estimates. The global oracle must reach at least the trained model's
// F1. With DEDUPE_SCALE_DETAIL set it also lists, level by level,
// the trained and the true m and the weights.
func TestOracleAtScale(t *testing.T) {
	env := os.Getenv("DEDUPE_ORACLE_SIZES")
	if env == "" {
		t.Skip("set DEDUPE_ORACLE_SIZES, e.g. 1000000,4000000")
	}
	ctx := context.Background()
	for _, s := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 {
			t.Fatalf("DEDUPE_ORACLE_SIZES: bad size %q", s)
		}
		d := generated(t, n, 1)
		ix, err := NewIndex(ctx, d.records, DefaultConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		d.records = nil
		entity := entityNumbers(d.truth)
		res, err := RunIndex(ctx, ix, Options{})
		if err != nil {
			t.Fatal(err)
		}
		trained := res.Model
		report := func(name string, res *Result) float64 {
			ev, err := EvaluateEntities(res, entity)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("n=%d %-10s P %.4f R %.4f F1 %.4f | scored pairs P %.4f R %.4f | false linked %d chained %d | prior %.2f bits",
				n, name, ev.Precision, ev.Recall, ev.F1, ev.PairPrecision, ev.PairRecall, ev.FalsePairsLinked, ev.FalsePairsChained, res.Model.prior)
			return ev.F1
		}
		f1 := report("trained", res)
		tc := countTruth(ctx, t, ix, entity)
		t.Logf("n=%d: true pairs %d, candidates %d of which matches %d (%.4f); trained candidate share %.4f, lambda %.4g, true %.4g",
			n, tc.truePairs, tc.cands, tc.candMatches, float64(tc.candMatches)/float64(tc.cands), trained.Training.CandidateShare,
			trained.Lambda, float64(tc.truePairs)/(float64(n)*float64(n-1)/2))
		global := oracleModel(t, trained, &tc, n, true)
		fg := report("global", runModel(ctx, t, ix, global))
		cand := oracleModel(t, trained, &tc, n, false)
		fc := report("candidates", runModel(ctx, t, ix, cand))
		// What the trained model's m alone, or its prior alone, costs:
		// the oracle's m with the trained prior.
		mix := *global
		mix.prior = trained.prior
		report("global m, trained prior", runModel(ctx, t, ix, &mix))
		if os.Getenv("DEDUPE_SCALE_DETAIL") != "" {
			for c, cm := range trained.Comparisons {
				var b strings.Builder
				for l := 1; l < len(cm.Levels); l++ {
					fmt.Fprintf(&b, "%s m %.3g/%.3g w %.1f/%.1f/%.1f; ", cm.Levels[l].Name, cm.Levels[l].M, global.Comparisons[c].Levels[l].M,
						trained.weights[c][l], global.weights[c][l], cand.weights[c][l])
				}
				t.Logf("n=%d %s (m trained/true, weight trained/global/candidates): %s", n, cm.Field, b.String())
			}
		}
		if os.Getenv("DEDUPE_SCALE_DETAIL") != "" {
			present := tc.truePairs - int64(tc.all[cmpContact][0])
			t.Logf("n=%d: true pairs at the city contact level %.0f of %d with a contact on both sides", n, tc.all[cmpContact][conCity], present)
			logSessions(ctx, t, ix, entity, n)
		}
		// Estimates from the truth scoring worse than the trained ones
		// would mean the oracle no longer measures what it says.
		if math.IsNaN(fc) || fg < f1-0.001 {
			t.Errorf("n=%d: the oracle's F1 %.4f (candidates %.4f) is below the trained model's %.4f", n, fg, fc, f1)
		}
	}
}

// logSessions tells, per expectation-maximisation session of Train (one
// per blocking key, on the training sample of candidate pairs, the key's
// own comparisons masked), how many of its pairs are true matches and how
// many EM took for matches, and the same for the pairs of the "city"
// contact level: whether a level's m is off because EM misjudges its
// pairs or because the sessions see few of its matches.
func logSessions(ctx context.Context, t testing.TB, ix *Index, entity []int32, n int) {
	t.Helper()
	u, _, err := ix.randomLevels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, sessions, _, frac, err := ix.candidatePatterns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type count struct{ pairs, matches, city, cityMatches int }
	nk := len(ix.blocks)
	truth := make([]count, nk)
	stride := scrambleStride(n)
	var sc candScratch
	for k := range int(frac * float64(n)) {
		i := int((uint64(k)*uint64(stride) + 7) % uint64(n))
		keyed := ix.keyedCandidates(i, &sc)
		var a, b prepared
		ix.rec(int32(i), &a)
		for x := 0; x < len(keyed); {
			j := int32(keyed[x] >> 32)
			var keys uint32
			for ; x < len(keyed) && int32(keyed[x]>>32) == j; x++ {
				keys |= 1 << candKey(keyed[x])
			}
			ix.rec(j, &b)
			p := compare(&a, &b)
			match := entity[i] >= 0 && entity[i] == entity[j]
			for kk := range nk {
				if keys&(1<<kk) == 0 {
					continue
				}
				c := &truth[kk]
				city := (p &^ keyMask(ix.blocks[kk].key)).level(cmpContact) == conCity
				c.pairs++
				if match {
					c.matches++
				}
				if city {
					c.city++
					if match {
						c.cityMatches++
					}
				}
			}
		}
	}
	for k, h := range sessions {
		if len(h) == 0 {
			continue
		}
		em := runEM(ctx, observationsOf(h, 0), u, nil, ix.cfg.MaxIterations)
		c := truth[k]
		t.Logf("n=%d session %-34s pairs %7d, matches %.3f (EM %.3f); city level %6d, matches %6d (EM %8.1f)",
			n, ix.blocks[k].key, c.pairs, float64(c.matches)/float64(max(1, c.pairs)), em.lambda, c.city, c.cityMatches, em.counts[cmpContact][conCity])
	}
}
