package dedupe

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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

// Train estimates a model from the indexed records themselves, without
// labels: u from Config.RandomPairs random pairs (almost all of them
// non-matches); m by expectation-maximisation on candidate pairs (records
// sampled until Config.TrainingPairs pairs are seen), one session per
// blocking key on the pairs that key makes, with the comparisons of the
// key's own fields left out, and the sessions' expected match counts
// pooled; the u of the email levels for addresses that spell agreeing
// names from the non-matches of the name-blocked sessions, and that of an
// address shared by two first names of one family name from those of the
// sessions blocked on family name and place; the share of
// matches among all candidates by EM with m fixed, scaled to all pairs as
// the prior Lambda. Labelled pairs (stewards' decisions), when given, take
// part in every session as known matches or non-matches. Train sets the
// model on the index and returns it.
func (ix *Index) Train(ctx context.Context, labels []Label) (*Model, error) {
	ix.positions()
	n := len(ix.recs)
	if n < 2 {
		return nil, fmt.Errorf("train: %d records: need at least two", n)
	}
	specs := comparisonSpecs()
	u, randomPairs, err := ix.randomLevels(ctx)
	if err != nil {
		return nil, err
	}
	hist, sessions, seen, frac, err := ix.candidatePatterns(ctx)
	if err != nil {
		return nil, err
	}
	var labelled []observation
	for _, lb := range labels {
		if lb.A < 0 || lb.A >= n || lb.B < 0 || lb.B >= n || lb.A == lb.B {
			return nil, fmt.Errorf("train: label (%d, %d): not a pair of indexed records", lb.A, lb.B)
		}
		f := int8(0)
		if lb.Match {
			f = 1
		}
		var a, b prepared
		ix.rec(int32(lb.A), &a)
		ix.rec(int32(lb.B), &b)
		labelled = append(labelled, observation{p: compare(&a, &b) &^ patCityExact, n: 1, fixed: f})
	}
	// m: one expectation-maximisation session per blocking key, on the
	// pairs that key makes, with the comparisons of the key's own fields
	// left out (they agree by construction and would make "shares the
	// key" look like "is a match"); the expected counts of all sessions
	// are pooled.
	const familyMin = 1000
	u[cmpLastName][lnHousehold] = u[cmpLastName][lnExact]
	st := ix.trainSessions(ctx, sessions, labelled, u, true)
	// Random pairs almost never share a place, so they cannot say how
	// often two people at one address or phone share a family name
	// either: the non-matches of the sessions blocked on an address or a
	// phone can (where nearly every exact family name is at one place).
	// The sessions, which first took the level for an exact name, run
	// again with that u, twice, as their own expectation-maximisation
	// needs it to tell a household from one person's two records. On a
	// small set (fewer than familyMin such non-matches) the level stays
	// an exact name.
	for range 2 {
		nonMatch := &st.placeNonMatch[cmpLastName]
		total := sumLevels(nonMatch) - nonMatch[0]
		if total < familyMin {
			break
		}
		const alpha = 0.5
		nl := float64(len(specs[cmpLastName].levels) - 1)
		shared := nonMatch[lnExact] + nonMatch[lnHousehold]
		u[cmpLastName][lnHousehold] = max(u[cmpLastName][lnExact], (shared+alpha)/(total+alpha*nl))
		st = ix.trainSessions(ctx, sessions, labelled, u, false)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pooled, nameNonMatch, familyNonMatch := st.pooled, st.nameNonMatch, st.familyNonMatch
	iterations, unconverged := st.iterations, st.unconverged
	// Random pairs almost never agree on names, so they cannot say how
	// often namesakes' addresses spell alike; the non-matches of the
	// sessions blocked on names can.
	if sum := nameNonMatch[cmpEmail][emailSpellsExact] + nameNonMatch[cmpEmail][emailSpellsNear]; sum > 0 {
		total := 0.0
		for _, x := range nameNonMatch[cmpEmail] {
			total += x
		}
		const alpha = 0.5
		nl := float64(len(specs[cmpEmail].levels) - 1)
		for _, l := range []int{emailSpellsExact, emailSpellsNear} {
			u[cmpEmail][l] = (nameNonMatch[cmpEmail][l] + alpha) / (total + alpha*nl)
		}
	}
	// Nor do they share a family name and a place, as families do; the
	// non-matches of the sessions blocked on both tell how often two
	// people of one household share a mailbox, when there are enough of
	// them (familyMin). On a small set they are few and mostly matches
	// that expectation-maximisation left unsure: the level then weighs as
	// an exact email (see below).
	familyTotal := sumLevels(&familyNonMatch[cmpEmail])
	if familyTotal >= familyMin {
		const alpha = 0.5
		nl := float64(len(specs[cmpEmail].levels) - 1)
		u[cmpEmail][emailOtherFirst] = max(u[cmpEmail][emailOtherFirst], (familyNonMatch[cmpEmail][emailOtherFirst]+alpha)/(familyTotal+alpha*nl))
	} else {
		u[cmpEmail][emailOtherFirst] = u[cmpEmail][emailExact]
	}
	mFixed := normalizeCounts(pooled, u)
	sharedEmailM(&mFixed)
	sharedLastM(&mFixed)
	// The share of matches among all candidate pairs, with m fixed.
	obs := append(observationsOf(hist, len(labelled)), labelled...)
	em := runEM(ctx, obs, u, &mFixed, ix.cfg.MaxIterations)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !em.converged {
		unconverged = append(unconverged, "lambda")
	}
	em.iterations = max(em.iterations, iterations)

	if familyTotal < familyMin && em.m[cmpEmail][emailExact] > 0 {
		u[cmpEmail][emailOtherFirst] = u[cmpEmail][emailExact] * em.m[cmpEmail][emailOtherFirst] / em.m[cmpEmail][emailExact]
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
		Iterations: em.iterations, Converged: len(unconverged) == 0, Unconverged: unconverged, CandidateShare: em.lambda,
	}
	if err := m.compile(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	ix.model = m
	return m, nil
}

// sharedEmailM gives the exact email level and the exact email that
// spells agreeing names (emailSpellsExact) one m: the share of matches
// whose addresses agree exactly. Which of the two levels a pair gets
// depends on whether its names agree, and that is the names' evidence,
// weighed by their own comparisons; what the split tells of the email is
// how often non-matches share one, which the two levels' u hold (random
// pairs, which almost never agree on names, and pairs blocked on names).
// Counted apart, the matches whose names agree took most of the exact
// emails' m (0.82 of 0.94 at a million generated customers), and an
// exact email between records whose names could not both be compared (a
// last name missing, a first name mistyped) weighed three bits less than
// one between records whose names disagree on nothing.
func sharedEmailM(m *levelProbs) {
	both := m[cmpEmail][emailExact] + m[cmpEmail][emailSpellsExact]
	m[cmpEmail][emailExact], m[cmpEmail][emailSpellsExact] = both, both
}

// sharedLastM gives the exact last name and the exact last name at one
// address or phone (lnHousehold) one m, the share of matches whose last
// names agree exactly, for the reason sharedEmailM gives: which of the
// two levels a pair gets depends on its place, which weighs for itself.
func sharedLastM(m *levelProbs) {
	both := m[cmpLastName][lnExact] + m[cmpLastName][lnHousehold]
	m[cmpLastName][lnExact], m[cmpLastName][lnHousehold] = both, both
}

// sessionCounts is what the per-key expectation-maximisation sessions
// give Train: their pooled expected match counts per level, the expected
// non-match counts of the sessions blocked on names (nameNonMatch), on
// family name and place (familyNonMatch) and on an address or a phone
// (placeNonMatch), and how they converged.
type sessionCounts struct {
	pooled, nameNonMatch, familyNonMatch, placeNonMatch levelProbs
	iterations                                          int
	unconverged                                         []string
}

// trainSessions runs one expectation-maximisation session per blocking
// key with the u probabilities u (see Train); with asExact, an exact last
// name at one place (lnHousehold) counts as an exact last name.
func (ix *Index) trainSessions(ctx context.Context, sessions []map[pattern]int, labelled []observation, u levelProbs, asExact bool) sessionCounts {
	var st sessionCounts
	for k, h := range sessions {
		if len(h) == 0 || ctx.Err() != nil {
			continue
		}
		key := ix.cfg.Blocking[k]
		mask := keyMask(key)
		obs := observationsOf(h, len(labelled))
		for _, o := range labelled {
			o.p &^= mask
			obs = append(obs, o)
		}
		if asExact {
			obs = householdAsExact(obs)
		}
		em := runEM(ctx, obs, u, nil, ix.cfg.MaxIterations)
		st.iterations = max(st.iterations, em.iterations)
		if !em.converged {
			st.unconverged = append(st.unconverged, string(key))
		}
		for c := range numComparisons {
			addLevels(&st.pooled[c], &em.counts[c])
		}
		if mask&namesMask == namesMask {
			addLevels(&st.nameNonMatch[cmpEmail], &em.ucounts[cmpEmail])
		}
		if mask&familyMask == familyMask {
			addLevels(&st.familyNonMatch[cmpEmail], &em.ucounts[cmpEmail])
		}
		if key == BlockPhone || key == BlockPostalHouse {
			addLevels(&st.placeNonMatch[cmpLastName], &em.ucounts[cmpLastName])
		}
	}
	return st
}

// householdAsExact returns obs with every exact last name at one place
// (lnHousehold) an exact last name, patterns that become equal merged,
// in pattern order.
func householdAsExact(obs []observation) []observation {
	out := make([]observation, 0, len(obs))
	idx := make(map[pattern]int, len(obs))
	for _, o := range obs {
		if o.p.level(cmpLastName) == lnHousehold {
			o.p.reset(cmpLastName, lnExact)
		}
		if i, ok := idx[o.p]; ok && o.fixed == -1 && out[i].fixed == -1 {
			out[i].n += o.n
			continue
		}
		idx[o.p] = len(out)
		out = append(out, o)
	}
	slices.SortStableFunc(out, func(a, b observation) int { return cmp.Compare(a.p, b.p) })
	return out
}

// levelProbs holds per comparison a distribution over levels; index 0
// (missing) is unused.
type levelProbs [numComparisons][1 << levelBits]float64

// randomLevels compares random pairs of records and returns the smoothed
// share of each level among pairs where the field is present on both
// sides: the u probabilities.
func (ix *Index) randomLevels(ctx context.Context) (levelProbs, int, error) {
	n := len(ix.recs)
	total := int(min(max(float64(ix.cfg.RandomPairs), float64(n)*ix.cfg.RandomPairsPerRecord),
		float64(n)*float64(n-1)/2, math.MaxInt32))
	workers := ix.cfg.workers()
	counts := make([][numComparisons][1 << levelBits]int, workers)
	// cross counts, per worker, pairs with both names on both sides and
	// those whose first (then last) name matches the other's other name.
	cross := make([][3]int, workers)
	// touched keeps what touch read, per worker, so that the reads stay.
	touched := make([]int, workers)
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
			// The pairs are drawn first and compared in order of their
			// first record, which then streams through memory, each
			// batch's second records read ahead (touch): at millions of
			// records a random pair costs two cache misses otherwise. The
			// counts do not depend on the order.
			pairs := make([]uint64, share)
			for k := range pairs {
				i := rng.IntN(n)
				j := rng.IntN(n - 1)
				if j >= i {
					j++
				}
				pairs[k] = uint64(i)<<32 | uint64(j)
			}
			slices.Sort(pairs)
			const batch = 64
			var js [batch]int32
			for k := range pairs {
				if k%batch == 0 {
					if k%4096 == 0 && ctx.Err() != nil {
						return
					}
					m := min(batch, len(pairs)-k)
					for b := range m {
						js[b] = int32(uint32(pairs[k+b]))
					}
					touched[w] += ix.touch(js[:m])
				}
				i, j := int32(pairs[k]>>32), int32(uint32(pairs[k]))
				var a, b prepared
				ix.rec(i, &a)
				ix.rec(j, &b)
				p := compare(&a, &b)
				for c := range numComparisons {
					counts[w][c][p.level(c)]++
				}
				if a.first != "" && a.last != "" && b.first != "" && b.last != "" {
					cross[w][0]++
					if crossMatch(a.first, a.firstPhonetic, b.last, b.lastPhonetic) {
						cross[w][1]++
					}
					if crossMatch(a.last, a.lastPhonetic, b.first, b.firstPhonetic) {
						cross[w][2]++
					}
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
	// A swap needs both names to match crosswise, which random pairs
	// almost never do: too rare for the sample to count, so its smoothed
	// share says more of the sample's size than of the data. Its halves
	// are independent and common enough to count; their product is u.
	var cr [3]int
	for w := range workers {
		for k := range cr {
			cr[k] += cross[w][k]
		}
	}
	if cr[0] > 0 {
		const alpha = 0.5
		n := float64(cr[0]) + 1
		u[cmpFirstName][fnSwapped] = min(u[cmpFirstName][fnSwapped], (float64(cr[1])+alpha)/n*(float64(cr[2])+alpha)/n)
	}
	return u, total, nil
}

// candidatePatterns counts the comparison patterns of candidate pairs,
// visiting records in a scrambled order until Config.TrainingPairs pairs
// are seen: over all candidates, and per blocking key over the pairs that
// key makes, with the key's own comparisons masked out. It also returns
// the number of pairs and the share of records visited.
func (ix *Index) candidatePatterns(ctx context.Context) (map[pattern]int, []map[pattern]int, int, float64, error) {
	n := len(ix.recs)
	nk := len(ix.blocks)
	masks := make([]pattern, nk)
	for k := range nk {
		masks[k] = keyMask(ix.blocks[k].key)
	}
	stride := scrambleStride(n)
	// Each range of records visited keeps its own counts; they are pooled
	// in range order, up to the first range that brings the pairs to the
	// limit. Ranges start in order, so every range up to that one was
	// visited, and the sample is the same from run to run however the
	// ranges were scheduled; later ones, begun before the limit was
	// reached, are left out.
	type part struct {
		hist     map[pattern]int
		sessions []map[pattern]int
		pairs    int
		visited  int
	}
	var seen atomic.Int64
	var mu sync.Mutex
	parts := make(map[int]*part)
	limit := int64(ix.cfg.TrainingPairs)
	err := parallelRange(ctx, n, ix.cfg.workers(), func(lo, hi int) {
		if seen.Load() >= limit {
			return
		}
		pt := &part{hist: make(map[pattern]int), sessions: make([]map[pattern]int, nk), visited: hi - lo}
		for k := range pt.sessions {
			pt.sessions[k] = make(map[pattern]int)
		}
		var sc candScratch
		for k := lo; k < hi; k++ {
			i := int((uint64(k)*uint64(stride) + 7) % uint64(n))
			keyed := ix.keyedCandidates(i, &sc) // j<<32 | candTag
			var pi, pj prepared
			ix.rec(int32(i), &pi)
			for a := 0; a < len(keyed); {
				j := int32(keyed[a] >> 32)
				var keys uint32
				b := a
				for ; b < len(keyed) && int32(keyed[b]>>32) == j; b++ {
					keys |= 1 << candKey(keyed[b])
				}
				a = b
				ix.rec(j, &pj)
				// Training weighs levels only: without the flag, a
				// pattern counts once whatever its cities.
				p := compare(&pi, &pj) &^ patCityExact
				pt.hist[p]++
				pt.pairs++
				for kk := range nk {
					if keys&(1<<kk) != 0 {
						pt.sessions[kk][p&^masks[kk]]++
					}
				}
			}
		}
		seen.Add(int64(pt.pairs))
		mu.Lock()
		parts[lo] = pt
		mu.Unlock()
	})
	if err != nil {
		return nil, nil, 0, 0, err
	}
	los := make([]int, 0, len(parts))
	for lo := range parts {
		los = append(los, lo)
	}
	slices.Sort(los)
	hist := make(map[pattern]int)
	sessions := make([]map[pattern]int, nk)
	for k := range sessions {
		sessions[k] = make(map[pattern]int)
	}
	pairs, visited := 0, 0
	for _, lo := range los {
		if int64(pairs) >= limit {
			break
		}
		pt := parts[lo]
		for p, c := range pt.hist {
			hist[p] += c
		}
		for k := range nk {
			for p, c := range pt.sessions[k] {
				sessions[k][p] += c
			}
		}
		pairs += pt.pairs
		visited += pt.visited
	}
	return hist, sessions, pairs, float64(visited) / float64(n), nil
}

// observationsOf returns the patterns of hist with their counts, in
// pattern order, with room for extra more. Expectation-maximisation sums
// over them in floating point: in the map's order, which changes from run
// to run, the sums' rounding did too, and two runs on one file could train
// models a last bit apart and cluster a few records differently.
func observationsOf(hist map[pattern]int, extra int) []observation {
	obs := make([]observation, 0, len(hist)+extra)
	for p, c := range hist {
		obs = append(obs, observation{p: p, n: float64(c), fixed: -1})
	}
	slices.SortFunc(obs, func(a, b observation) int { return cmp.Compare(a.p, b.p) })
	return obs
}

// namesMask covers the first and last name comparisons.
const namesMask = pattern((1<<levelBits-1)<<(cmpFirstName*levelBits) | (1<<levelBits-1)<<(cmpLastName*levelBits))

// familyMask covers the last name and the address comparisons: a key
// that fixes both (last_name_phonetic+city, +postal_code) blocks families.
const familyMask = pattern((1<<levelBits-1)<<(cmpLastName*levelBits) | (1<<levelBits-1)<<(cmpContact*levelBits))

// sumLevels adds up one comparison's counts.
func sumLevels(c *[1 << levelBits]float64) float64 {
	s := 0.0
	for _, x := range c {
		s += x
	}
	return s
}

// keyMask returns the pattern bits of the comparisons a blocking key's
// fields decide.
func keyMask(key BlockingKey) pattern {
	var cs []int
	switch key {
	case BlockEmail, BlockEmailLocal:
		cs = []int{cmpEmail}
	case BlockPhone, BlockPostalHouse, BlockStreetPostal, BlockStreetCity:
		cs = []int{cmpContact}
	case BlockSortedNames, BlockSortedSkeletons, BlockLastNamePhonetic:
		cs = []int{cmpFirstName, cmpLastName}
	case BlockBirthDateFirst:
		cs = []int{cmpBirthDate, cmpFirstName}
	case BlockBirthDateLast:
		cs = []int{cmpBirthDate, cmpLastName}
	case BlockBirthDateCity:
		cs = []int{cmpBirthDate, cmpContact}
	case BlockFirstNameYear:
		cs = []int{cmpFirstName, cmpBirthDate}
	case BlockFirstNamePostal:
		cs = []int{cmpFirstName, cmpContact}
	case BlockLastNameCity, BlockLastNamePostal:
		cs = []int{cmpLastName, cmpContact}
	case BlockLastNameYear:
		cs = []int{cmpLastName, cmpBirthDate}
	case BlockNationalID:
		cs = []int{cmpNationalID}
	case BlockCompany:
		cs = []int{cmpCompany, cmpContact}
	}
	var m pattern
	for _, c := range cs {
		m |= fieldMask(c)
	}
	return m
}

// normalizeCounts turns pooled expected match counts into m
// probabilities, smoothed; a comparison without counts gets m = u (no
// weight).
func normalizeCounts(counts, u levelProbs) levelProbs {
	var m levelProbs
	for c, spec := range comparisonSpecs() {
		nl := len(spec.levels)
		sum := 0.0
		for l := 1; l < nl; l++ {
			sum += counts[c][l]
		}
		for l := 1; l < nl; l++ {
			if sum == 0 {
				m[c][l] = u[c][l]
				continue
			}
			const alpha = 0.5
			m[c][l] = (counts[c][l] + alpha) / (sum + alpha*float64(nl-1))
		}
	}
	return m
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
	counts     levelProbs // expected match counts per level, last iteration
	ucounts    levelProbs // expected non-match counts per level
	lambda     float64
	iterations int
	converged  bool
}

// runEM estimates m, the candidate non-match distribution and the share of
// matches among candidates by expectation-maximisation, starting from m
// high on agreement and u from random pairs. Missing levels cancel out.
func runEM(ctx context.Context, obs []observation, uRandom levelProbs, fixedM *levelProbs, maxIter int) emResult {
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
	if fixedM != nil {
		m = *fixedM
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
				if fixedM == nil {
					for l := 1; l < nl; l++ {
						m[c][l] = uRandom[c][l]
					}
				}
				continue
			}
			// A small pseudo-count keeps a level that no match showed
			// possible, so one odd field cannot veto a pair.
			const alpha = 0.5
			for l := 1; l < nl; l++ {
				nm := (mc[c][l] + alpha) / (sm + alpha*float64(nl-1))
				nu := (uc[c][l] + alpha) / (su + alpha*float64(nl-1))
				if fixedM != nil {
					nm = m[c][l]
				}
				change = max(change, math.Abs(nm-m[c][l]), math.Abs(nu-u[c][l]))
				m[c][l], u[c][l] = nm, nu
			}
		}
		lambda = min(0.999, max(1e-9, matches/total))
		res.counts = mc
		res.ucounts = uc
		if change < 1e-6 {
			res.converged = true
			break
		}
	}
	res.m = m
	res.lambda = lambda
	return res
}

// addLevels adds src's counts to dst's, level by level.
func addLevels(dst, src *[1 << levelBits]float64) {
	for l := range dst {
		dst[l] += src[l]
	}
}
