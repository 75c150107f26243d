package dedupe

import (
	"fmt"
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
	n := len(res.Cluster)
	if len(truth) != n {
		return Evaluation{}, fmt.Errorf("evaluate: %d truth labels for %d records", len(truth), n)
	}
	ev := Evaluation{Records: n, PairsCompared: res.Stats.PairsCompared, Clusters: res.Stats.Clusters, Elapsed: res.Stats.Elapsed}
	// Entity number per record.
	entity := make([]int32, n)
	ids := make(map[string]int32)
	for i, t := range truth {
		if t == "" {
			entity[i] = int32(len(ids)) + int32(n) // unique, never shared
			ids[fmt.Sprint("\x00", i)] = entity[i]
			continue
		}
		e, ok := ids[t]
		if !ok {
			e = int32(len(ids))
			ids[t] = e
		}
		entity[i] = e
	}
	members := make(map[int32][]int32)
	for i, e := range entity {
		members[e] = append(members[e], int32(i))
	}
	// Contingency of predicted cluster × entity.
	type cell struct{ c, e int32 }
	cells := make(map[cell]int64)
	clusterSize := make(map[int32]int64)
	for i := range n {
		cells[cell{res.Cluster[i], entity[i]}]++
		clusterSize[res.Cluster[i]]++
	}
	choose2 := func(k int64) int64 { return k * (k - 1) / 2 }
	var tp, predicted, actual int64
	for _, k := range cells {
		tp += choose2(k)
	}
	for _, k := range clusterSize {
		predicted += choose2(k)
	}
	for _, ms := range members {
		actual += choose2(int64(len(ms)))
	}
	ev.TruePairs = actual
	ev.Precision, ev.Recall, ev.F1 = prf(tp, predicted, actual)

	// B-cubed.
	for i := range n {
		k := float64(cells[cell{res.Cluster[i], entity[i]}])
		ev.BCubedPrecision += k / float64(clusterSize[res.Cluster[i]])
		ev.BCubedRecall += k / float64(len(members[entity[i]]))
	}
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
	var truePairs [][2]int
	for _, ms := range members {
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
