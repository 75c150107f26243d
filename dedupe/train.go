package dedupe

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// Label is a steward's decision on a pair of records (indexes into the
// records the Index was built from): the same customer or not. Labels fix
// those pairs' responsibilities during expectation-maximisation.
type Label struct {
	A, B  int
	Match bool
}

// Train estimates a model from the indexed records themselves: u from
// Config.RandomPairs random pairs (almost all of them non-matches), m and
// the share of matches among candidate pairs by expectation-maximisation on
// the patterns of candidate pairs (sampled records when there are more than
// Config.TrainingPairs), and the prior Lambda as that share scaled from
// candidate pairs to all pairs. Labelled pairs, when given, count as known
// matches or non-matches. Train sets the model on the index and returns it.
func (ix *Index) Train(ctx context.Context, labels []Label) (*Model, error) {
	n := len(ix.recs)
	if n < 2 {
		return nil, fmt.Errorf("train: %d records: need at least two", n)
	}
	specs := comparisonSpecs()
	u, randomPairs, err := ix.randomLevels(ctx)
	if err != nil {
		return nil, err
	}
	hist, seen, frac, err := ix.candidatePatterns(ctx)
	if err != nil {
		return nil, err
	}
	obs := make([]observation, 0, len(hist)+len(labels))
	for p, c := range hist {
		obs = append(obs, observation{p: p, n: float64(c), fixed: -1})
	}
	for _, lb := range labels {
		if lb.A < 0 || lb.A >= n || lb.B < 0 || lb.B >= n || lb.A == lb.B {
			return nil, fmt.Errorf("train: label (%d, %d): not a pair of indexed records", lb.A, lb.B)
		}
		f := int8(0)
		if lb.Match {
			f = 1
		}
		obs = append(obs, observation{p: compare(&ix.recs[lb.A], &ix.recs[lb.B]), n: 1, fixed: f})
	}
	em := runEM(ctx, obs, u, ix.cfg.MaxIterations)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	m := &Model{Comparisons: make([]ComparisonModel, numComparisons)}
	for c, spec := range specs {
		cm := ComparisonModel{Field: spec.field, TermFrequency: spec.tf, Levels: make([]LevelModel, len(spec.levels))}
		for l, name := range spec.levels {
			cm.Levels[l].Name = name
			if l == 0 {
				continue
			}
			cm.Levels[l].M = em.m[c][l]
			cm.Levels[l].U = u[c][l]
		}
		m.Comparisons[c] = cm
	}
	allPairs := float64(n) * float64(n-1) / 2
	candidates := float64(seen) / max(frac, 1e-12)
	m.Lambda = min(0.5, max(1e-12, em.lambda*candidates/allPairs))
	m.Training = TrainingReport{
		Records: n, RandomPairs: randomPairs, CandidatePairs: seen, LabelledPairs: len(labels),
		Iterations: em.iterations, Converged: em.converged, CandidateShare: em.lambda,
	}
	if err := m.compile(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	ix.model = m
	return m, nil
}

// levelProbs holds per comparison a distribution over levels; index 0
// (missing) is unused.
type levelProbs [numComparisons][1 << levelBits]float64

// randomLevels compares random pairs of records and returns the smoothed
// share of each level among pairs where the field is present on both
// sides: the u probabilities.
func (ix *Index) randomLevels(ctx context.Context) (levelProbs, int, error) {
	n := len(ix.recs)
	total := min(ix.cfg.RandomPairs, int(min(float64(n)*float64(n-1)/2, math.MaxInt32)))
	workers := ix.cfg.workers()
	counts := make([][numComparisons][1 << levelBits]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(ix.cfg.Seed, uint64(w)+0x9e3779b97f4a7c15))
			share := total / workers
			if w == 0 {
				share += total % workers
			}
			for k := range share {
				if k%4096 == 0 && ctx.Err() != nil {
					return
				}
				i := rng.IntN(n)
				j := rng.IntN(n - 1)
				if j >= i {
					j++
				}
				p := compare(&ix.recs[i], &ix.recs[j])
				for c := range numComparisons {
					counts[w][c][p.level(c)]++
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return levelProbs{}, 0, err
	}
	var u levelProbs
	specs := comparisonSpecs()
	for c, spec := range specs {
		nl := len(spec.levels)
		sum := 0.0
		for l := 1; l < nl; l++ {
			for w := range workers {
				u[c][l] += float64(counts[w][c][l])
			}
			sum += u[c][l]
		}
		// Additive smoothing: a level never seen among random pairs is
		// rare, not impossible.
		const alpha = 0.5
		for l := 1; l < nl; l++ {
			u[c][l] = (u[c][l] + alpha) / (sum + alpha*float64(nl-1))
		}
	}
	return u, total, nil
}

// candidatePatterns counts the comparison patterns of candidate pairs,
// visiting records in a scrambled order until Config.TrainingPairs pairs
// are seen. It returns the counts, the number of pairs, and the share of
// records visited.
func (ix *Index) candidatePatterns(ctx context.Context) (map[pattern]int, int, float64, error) {
	n := len(ix.recs)
	stride := scrambleStride(n)
	var seen atomic.Int64
	var visited atomic.Int64
	var mu sync.Mutex
	hist := make(map[pattern]int)
	limit := int64(ix.cfg.TrainingPairs)
	err := parallelRange(ctx, n, ix.cfg.workers(), func(lo, hi int) {
		if seen.Load() >= limit {
			return
		}
		local := make(map[pattern]int)
		var buf []int32
		count := 0
		for k := lo; k < hi; k++ {
			i := int((uint64(k)*uint64(stride) + 7) % uint64(n))
			buf, _ = ix.candidates(i, buf, true)
			for _, j := range buf {
				local[compare(&ix.recs[i], &ix.recs[j])]++
			}
			count += len(buf)
		}
		seen.Add(int64(count))
		visited.Add(int64(hi - lo))
		mu.Lock()
		for p, c := range local {
			hist[p] += c
		}
		mu.Unlock()
	})
	if err != nil {
		return nil, 0, 0, err
	}
	return hist, int(seen.Load()), float64(visited.Load()) / float64(n), nil
}

// scrambleStride returns a stride coprime to n near n times the golden
// ratio, so k*stride mod n visits every record once in a scattered order.
func scrambleStride(n int) int {
	if n <= 2 {
		return 1
	}
	s := int(float64(n)*0.6180339887) | 1
	for gcd(s, n) != 1 {
		s += 2
	}
	return s
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// observation is one distinct pattern with its count; fixed is 1 or 0 for
// a labelled match or non-match, -1 when unknown.
type observation struct {
	p     pattern
	n     float64
	fixed int8
}

type emResult struct {
	m          levelProbs
	lambda     float64
	iterations int
	converged  bool
}

// runEM estimates m, the candidate non-match distribution and the share of
// matches among candidates by expectation-maximisation, starting from m
// high on agreement and u from random pairs. Missing levels cancel out.
func runEM(ctx context.Context, obs []observation, uRandom levelProbs, maxIter int) emResult {
	specs := comparisonSpecs()
	var m, u levelProbs
	for c, spec := range specs {
		nl := len(spec.levels)
		for l := 1; l < nl; l++ {
			switch {
			case l == 1:
				m[c][l] = 0.8
			case l == nl-1:
				m[c][l] = 0.02
			default:
				m[c][l] = 0.18 / float64(nl-3)
			}
		}
		if nl == 3 {
			m[c][1], m[c][2] = 0.95, 0.05
		}
		u[c] = uRandom[c]
	}
	lambda := 0.1
	res := emResult{}
	r := make([]float64, len(obs))
	for it := 1; it <= maxIter && ctx.Err() == nil; it++ {
		res.iterations = it
		// E step.
		logPrior := math.Log(lambda / (1 - lambda))
		for k, o := range obs {
			if o.fixed >= 0 {
				r[k] = float64(o.fixed)
				continue
			}
			x := logPrior
			for c := range numComparisons {
				if l := o.p.level(c); l != 0 {
					x += math.Log(m[c][l] / u[c][l])
				}
			}
			r[k] = 1 / (1 + math.Exp(-x))
		}
		// M step.
		var mc, uc levelProbs
		var matches, total float64
		for k, o := range obs {
			rm, ru := o.n*r[k], o.n*(1-r[k])
			matches += rm
			total += o.n
			for c := range numComparisons {
				if l := o.p.level(c); l != 0 {
					mc[c][l] += rm
					uc[c][l] += ru
				}
			}
		}
		change := 0.0
		for c, spec := range specs {
			nl := len(spec.levels)
			var sm, su float64
			for l := 1; l < nl; l++ {
				sm += mc[c][l]
				su += uc[c][l]
			}
			if sm == 0 || su == 0 {
				// The field is never present on both sides of a
				// candidate: it carries no weight.
				for l := 1; l < nl; l++ {
					m[c][l] = uRandom[c][l]
				}
				continue
			}
			// A small pseudo-count keeps a level that no match showed
			// possible, so one odd field cannot veto a pair.
			const alpha = 0.5
			for l := 1; l < nl; l++ {
				nm := (mc[c][l] + alpha) / (sm + alpha*float64(nl-1))
				nu := (uc[c][l] + alpha) / (su + alpha*float64(nl-1))
				change = max(change, math.Abs(nm-m[c][l]))
				m[c][l], u[c][l] = nm, nu
			}
		}
		lambda = min(0.999, max(1e-9, matches/total))
		if change < 1e-6 {
			res.converged = true
			break
		}
	}
	res.m = m
	res.lambda = lambda
	return res
}
