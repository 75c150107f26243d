package dedupe

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lostPairs sorts a run's true pairs by where they were lost: found (in
// one cluster, linked directly or not); else never sharing a block,
// sharing one only outside the sorted neighbourhoods of oversized blocks,
// met but cut by Config.Neighbours, compared but scored below the
// threshold, or scored above it but put apart by clustering.
type lostPairs struct {
	noKey, window, capped, scoredLow, split, found int64
	// blockedHigh counts the pairs blocking lost (no key, outside
	// window, cut by neighbours) that would score at or above the
	// threshold had they been compared: what blocking could win back.
	blockedHigh int64
	// highPatterns holds the patterns of those pairs.
	highPatterns map[pattern]int64
	// windowKeys counts, per blocking key, the pairs lost outside
	// windows that share that key's block; lowPatterns the patterns of
	// the pairs scored low.
	windowKeys  map[BlockingKey]int64
	lowPatterns map[pattern]int64
}

func (l lostPairs) total() int64 {
	return l.noKey + l.window + l.capped + l.scoredLow + l.split + l.found
}

// loseTruePairs walks every true pair of a run and tells where each was
// lost.
func loseTruePairs(res *Result, truth []string) lostPairs {
	ix := res.Index
	ix.positions()
	byEntity := make(map[string][]int32)
	for i, t := range truth {
		if t != "" {
			byEntity[t] = append(byEntity[t], int32(i))
		}
	}
	scored := make(map[[2]int32]float64, len(res.Pairs))
	for _, p := range res.Pairs {
		scored[[2]int32{p.A, p.B}] = p.Probability
	}
	l := lostPairs{windowKeys: make(map[BlockingKey]int64), lowPatterns: make(map[pattern]int64), highPatterns: make(map[pattern]int64)}
	var sc candScratch
	for _, ms := range byEntity {
		for a := range ms {
			for b := a + 1; b < len(ms); b++ {
				i, j := min(ms[a], ms[b]), max(ms[a], ms[b])
				_, compared := slices.BinarySearch(ix.candidates(int(i), &sc, true), j)
				switch {
				case res.Cluster[i] == res.Cluster[j]:
					l.found++
				case compared && scored[[2]int32{i, j}] < ix.cfg.Threshold:
					l.scoredLow++
					var x, y prepared
					ix.rec(i, &x)
					ix.rec(j, &y)
					l.lowPatterns[compare(&x, &y)]++
				case compared:
					l.split++
				case len(ix.SharedKeys(int(i), int(j))) > 0:
					l.capped++
				case ix.shareBlock(i, j, l.windowKeys):
					l.window++
				default:
					l.noKey++
				}
				if !compared && ix.probability(i, j) >= ix.cfg.Threshold {
					l.blockedHigh++
					var x, y prepared
					ix.rec(i, &x)
					ix.rec(j, &y)
					l.highPatterns[compare(&x, &y)]++
				}
			}
		}
	}
	return l
}

// shareBlock reports whether records i and j share a block of any key,
// within a sorted neighbourhood or not, and counts the keys in keys.
func (ix *Index) shareBlock(i, j int32, keys map[BlockingKey]int64) bool {
	var a, b prepared
	ix.rec(i, &a)
	ix.rec(j, &b)
	shared := false
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		if h := blockHash(kb.key, kb.kind, &a); h != 0 && h == blockHash(kb.key, kb.kind, &b) {
			keys[kb.key]++
			shared = true
		}
	}
	return shared
}

// patternString names a pattern's levels, comparison by comparison.
func patternString(p pattern) string {
	specs := comparisonSpecs()
	var b strings.Builder
	for c, spec := range specs {
		if l := p.level(c); l != 0 {
			fmt.Fprintf(&b, "%s=%s ", spec.field, spec.levels[l])
		}
	}
	return b.String()
}

// TestAccuracyAtScale measures the default configuration on generated
// customers at the sizes DEDUPE_SCALE_SIZES lists (e.g.
// 1000000,2000000,4000000; skipped when unset, as a million takes a
// minute and a gigabyte or two), and tells where the true pairs it misses
// were lost. Pairwise F1 must not fall by more than 0.01 from one size to
// the next: the model and the blocking are meant to hold as the data
// grows.
func TestAccuracyAtScale(t *testing.T) {
	env := os.Getenv("DEDUPE_SCALE_SIZES")
	if env == "" {
		t.Skip("set DEDUPE_SCALE_SIZES, e.g. 1000000,2000000")
	}
	prevF1 := 0.0
	for _, s := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 {
			t.Fatalf("DEDUPE_SCALE_SIZES: bad size %q", s)
		}
		d := generated(t, n, 1)
		start := time.Now()
		res, err := Run(context.Background(), d.records, DefaultConfig(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		ev, err := Evaluate(res, d.truth)
		if err != nil {
			t.Fatal(err)
		}
		l := loseTruePairs(res, d.truth)
		tot := float64(l.total())
		t.Logf("n=%d: P %.4f R %.4f F1 %.4f | blocking recall %.4f | pairs/record %.2f | %.1fs",
			n, ev.Precision, ev.Recall, ev.F1, ev.BlockingRecall, float64(res.Stats.PairsCompared)/float64(n), took.Seconds())
		t.Logf("n=%d: true pairs %d: no key %.4f, outside window %.4f, cut by neighbours %.4f, scored low %.4f, split %.4f, found %.4f; false pairs linked %d, chained %d",
			n, l.total(), float64(l.noKey)/tot, float64(l.window)/tot, float64(l.capped)/tot, float64(l.scoredLow)/tot,
			float64(l.split)/tot, float64(l.found)/tot, ev.FalsePairsLinked, ev.FalsePairsChained)
		t.Logf("n=%d: lost by blocking but scoring at or above the threshold: %.4f", n, float64(l.blockedHigh)/tot)
		t.Logf("n=%d: model prior %.2f bits, lambda %.4g", n, res.Model.prior, res.Model.Lambda)
		if os.Getenv("DEDUPE_SCALE_DETAIL") != "" {
			t.Logf("n=%d: outside window, by key: %v", n, l.windowKeys)
			type pc struct {
				p pattern
				n int64
			}
			var low []pc
			for p, c := range l.lowPatterns {
				low = append(low, pc{p, c})
			}
			slices.SortFunc(low, func(a, b pc) int { return int(b.n - a.n) })
			// Calibration: the share of true pairs among the kept pairs
			// by probability band.
			bands := []float64{0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95, 0.99, 1.01}
			var all, tru [9]int64
			for _, p := range res.Pairs {
				b := 0
				for b+1 < len(bands) && p.Probability >= bands[b+1] {
					b++
				}
				all[b]++
				if d.truth[p.A] != "" && d.truth[p.A] == d.truth[p.B] {
					tru[b]++
				}
			}
			falsePat := make(map[pattern]int64)
			for _, p := range res.Pairs {
				if p.Probability >= res.Index.cfg.Threshold && (d.truth[p.A] == "" || d.truth[p.A] != d.truth[p.B]) {
					falsePat[p.levels]++
				}
			}
			var fps []pc
			for p, c := range falsePat {
				fps = append(fps, pc{p, c})
			}
			slices.SortFunc(fps, func(a, b pc) int { return int(b.n - a.n) })
			for _, x := range fps[:min(15, len(fps))] {
				var tw termWeights
				t.Logf("n=%d: false link %6d  %.1f bits without tf: %s", n, x.n, res.Index.weight(x.p, &tw), patternString(x.p))
			}
			for b := range len(bands) - 1 {
				t.Logf("n=%d: pairs at p in [%.2f, %.2f): %d, true %.3f", n, bands[b], bands[b+1], all[b], float64(tru[b])/float64(max(1, all[b])))
			}
			for _, c := range res.Model.Comparisons {
				var b strings.Builder
				for l, lv := range c.Levels[1:] {
					fmt.Fprintf(&b, "%s m %.3g u %.3g (%.1f) ", lv.Name, lv.M, lv.U, res.Model.weights[slices.IndexFunc(res.Model.Comparisons, func(x ComparisonModel) bool { return x.Field == c.Field })][l+1])
				}
				t.Logf("n=%d: model %s: %s", n, c.Field, b.String())
			}
			var high []pc
			for p, c := range l.highPatterns {
				high = append(high, pc{p, c})
			}
			slices.SortFunc(high, func(a, b pc) int { return int(b.n - a.n) })
			for _, x := range high[:min(10, len(high))] {
				var tw termWeights
				t.Logf("n=%d: not compared, would link %6d  %.1f bits without tf: %s", n, x.n, res.Index.weight(x.p, &tw), patternString(x.p))
			}
			for _, x := range low[:min(25, len(low))] {
				var tw termWeights
				t.Logf("n=%d: scored low %6d  %.1f bits without tf: %s", n, x.n, res.Index.weight(x.p, &tw), patternString(x.p))
			}
		}
		if prevF1 > 0 && ev.F1 < prevF1-0.01 {
			t.Errorf("n=%d: pairwise F1 %.4f, below %.4f at the smaller size", n, ev.F1, prevF1)
		}
		prevF1 = ev.F1
	}
}
