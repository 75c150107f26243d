package dedupe

import (
	"fmt"
	"slices"
	"time"
)

// Evaluation measures a run against ground truth.
type Evaluation struct {
	Records int `json:"records"`
	// TruePairs counts pairs of records of the same true entity.
	TruePairs int64 `json:"true_pairs"`
	// Pairwise precision, recall and F1 of the pairs within predicted
	// clusters against the pairs within true entities.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Scored-pair precision, recall and F1: pairs at or above the
	// threshold, before clustering.
	PairPrecision float64 `json:"pair_precision"`
	PairRecall    float64 `json:"pair_recall"`
	PairF1        float64 `json:"pair_f1"`
	// B-cubed precision, recall and F1, averaged over records.
	BCubedPrecision float64 `json:"bcubed_precision"`
	BCubedRecall    float64 `json:"bcubed_recall"`
	BCubedF1        float64 `json:"bcubed_f1"`
	// AdjustedRand is the adjusted Rand index of the clustering.
	AdjustedRand float64 `json:"adjusted_rand"`
	// LinksSplit counts links (pairs at or above the threshold) whose
	// records clustering put apart, the work of the guards against
	// chaining; LinksSplitTrue those of them that are one entity, the
	// guards' mistakes.
	LinksSplit     int64 `json:"links_split"`
	LinksSplitTrue int64 `json:"links_split_true"`
	// FalsePairsLinked counts pairs of different entities in one cluster
	// that are a link themselves; FalsePairsChained those put together
	// only through other records, the over-merging the guards are there
	// to prevent.
	FalsePairsLinked  int64 `json:"false_pairs_linked"`
	FalsePairsChained int64 `json:"false_pairs_chained"`
	// BlockingRecall is the share of true pairs that blocking made
	// candidates; Blocking tells, per blocking key, how many true pairs
	// each brought together.
	BlockingRecall float64           `json:"blocking_recall"`
	Blocking       *BlockingCoverage `json:"blocking,omitempty"`
	PairsCompared  int64             `json:"pairs_compared"`
	Clusters       int               `json:"clusters"`
	Elapsed        time.Duration     `json:"elapsed_ns"`
}

// Evaluate compares a run's clusters and pairs with the true entity of
// each record (truth[i] for record i; records with equal labels are the
// same customer; an empty label is an entity of its own).
func Evaluate(res *Result, truth []string) (Evaluation, error) {
	return EvaluateEntities(res, entityNumbers(truth))
}

// entityNumbers numbers the entities of truth (record i's entity id, ""
// for none) in order of appearance: -1 for a record without one.
func entityNumbers(truth []string) []int32 {
	entity := make([]int32, len(truth))
	ids := make(map[string]int32)
	for i, t := range truth {
		if t == "" {
			entity[i] = -1
			continue
		}
		e, ok := ids[t]
		if !ok {
			e = int32(len(ids))
			ids[t] = e
		}
		entity[i] = e
	}
	return entity
}

// EvaluateEntities is Evaluate with each record's true entity as a
// number: records with equal numbers are the same customer, a negative
// number is an entity of its own. It holds no map of labels, for runs of
// millions of records.
func EvaluateEntities(res *Result, entity []int32) (Evaluation, error) {
	n := len(res.Cluster)
	if len(entity) != n {
		return Evaluation{}, fmt.Errorf("evaluate: %d truth labels for %d records", len(entity), n)
	}
	ev := Evaluation{Records: n, PairsCompared: res.Stats.PairsCompared, Clusters: res.Stats.Clusters, Elapsed: res.Stats.Elapsed}
	// Dense entity numbers, records without one each their own.
	ent := make([]int32, n)
	next := int32(0)
	for _, e := range entity {
		next = max(next, e+1)
	}
	for i, e := range entity {
		if e < 0 {
			e = next
			next++
		}
		ent[i] = e
	}
	entity = ent
	// Records by entity: members of entity e are byEntity[start[e]:start[e+1]].
	start := make([]int32, next+1)
	for _, e := range entity {
		start[e+1]++
	}
	for e := range next {
		start[e+1] += start[e]
	}
	byEntity := make([]int32, n)
	fill := slices.Clone(start[:next])
	for i, e := range entity {
		byEntity[fill[e]] = int32(i)
		fill[e]++
	}
	entitySize := func(e int32) int64 { return int64(start[e+1] - start[e]) }
	// Contingency of predicted cluster × entity: the (cluster, entity)
	// pairs sorted, each run a cell; cluster sizes counted per cluster.
	cells := make([]uint64, n)
	clusterSize := make([]int32, n)
	for i := range n {
		cells[i] = uint64(res.Cluster[i])<<32 | uint64(entity[i])
		clusterSize[res.Cluster[i]]++
	}
	slices.Sort(cells)
	choose2 := func(k int64) int64 { return k * (k - 1) / 2 }
	var tp, predicted, actual int64
	for a := 0; a < len(cells); {
		b := a
		for b < len(cells) && cells[b] == cells[a] {
			b++
		}
		k := int64(b - a)
		tp += choose2(k)
		// B-cubed: each of the cell's k records has k of its cluster and
		// k of its entity in common.
		c, e := int32(cells[a]>>32), int32(cells[a])
		ev.BCubedPrecision += float64(k) * float64(k) / float64(clusterSize[c])
		ev.BCubedRecall += float64(k) * float64(k) / float64(entitySize(e))
		a = b
	}
	for _, k := range clusterSize {
		predicted += choose2(int64(k))
	}
	for e := range next {
		actual += choose2(entitySize(e))
	}
	ev.TruePairs = actual
	ev.Precision, ev.Recall, ev.F1 = prf(tp, predicted, actual)
	ev.BCubedPrecision /= float64(n)
	ev.BCubedRecall /= float64(n)
	ev.BCubedF1 = harmonic(ev.BCubedPrecision, ev.BCubedRecall)

	// Adjusted Rand index.
	all := float64(choose2(int64(n)))
	if all > 0 {
		expected := float64(predicted) * float64(actual) / all
		maxIndex := (float64(predicted) + float64(actual)) / 2
		if maxIndex != expected {
			ev.AdjustedRand = (float64(tp) - expected) / (maxIndex - expected)
		} else {
			ev.AdjustedRand = 1
		}
	}

	// Scored pairs before clustering.
	var ptp, pp int64
	for _, p := range res.Pairs {
		if p.Probability >= res.Index.cfg.Threshold {
			pp++
			if entity[p.A] == entity[p.B] {
				ptp++
			}
		}
	}
	ev.PairPrecision, ev.PairRecall, ev.PairF1 = prf(ptp, pp, actual)

	// What the guards parted, and what chaining joined.
	for _, p := range res.Pairs {
		if p.Probability < res.Index.cfg.Threshold {
			continue
		}
		same := entity[p.A] == entity[p.B]
		switch {
		case res.Cluster[p.A] != res.Cluster[p.B]:
			ev.LinksSplit++
			if same {
				ev.LinksSplitTrue++
			}
		case !same:
			ev.FalsePairsLinked++
		}
	}
	ev.FalsePairsChained = predicted - tp - ev.FalsePairsLinked

	// Blocking recall, per key too.
	truePairs := make([][2]int, 0, actual)
	for e := range next {
		ms := byEntity[start[e]:start[e+1]]
		for a := 0; a < len(ms); a++ {
			for b := a + 1; b < len(ms); b++ {
				truePairs = append(truePairs, [2]int{int(ms[a]), int(ms[b])})
			}
		}
	}
	cov := res.Index.BlockingCoverage(truePairs)
	ev.BlockingRecall = cov.Recall
	ev.Blocking = &cov
	return ev, nil
}

func prf(tp, predicted, actual int64) (p, r, f float64) {
	if predicted > 0 {
		p = float64(tp) / float64(predicted)
	}
	if actual > 0 {
		r = float64(tp) / float64(actual)
	}
	return p, r, harmonic(p, r)
}

func harmonic(a, b float64) float64 {
	if a+b == 0 {
		return 0
	}
	return 2 * a * b / (a + b)
}
