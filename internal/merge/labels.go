package merge

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
)

// Label is a pair of customers a steward decided on, with their records
// as the steward saw them: merged (Match), or marked not a duplicate.
type Label struct {
	A, B   int64
	RecA   steward.Record
	RecB   steward.Record
	Match  bool
	Origin string // "merge:12", "not_duplicate"
}

// LabelStore is what Labels reads: merges and not-duplicate marks, and
// the customers of the marks.
type LabelStore interface {
	Merges(ctx context.Context, f steward.MergeFilter) ([]*steward.Merge, error)
	NotDuplicatePairs(ctx context.Context) (map[steward.Pair]bool, error)
	Customer(ctx context.Context, id int64) (*steward.Customer, error)
}

// Labels returns stewards' decisions as labelled pairs for the matcher:
// every pair of members of an active merge (their before-images) is a
// match; every not-duplicate mark that holds (its customers as they are,
// which the mark was made on) is not. Undone merges and cleared marks say
// nothing any more and are left out.
func Labels(ctx context.Context, st LabelStore) ([]Label, error) {
	ms, err := st.Merges(ctx, steward.MergeFilter{Status: steward.MergeActive})
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	var out []Label
	for i := len(ms) - 1; i >= 0; i-- { // oldest first
		mg := ms[i]
		var in []*steward.MergeMember
		for k := range mg.Members {
			if mg.Members[k].In() {
				in = append(in, &mg.Members[k])
			}
		}
		for x, a := range in {
			for _, b := range in[x+1:] {
				out = append(out, Label{A: a.CustomerID, B: b.CustomerID, RecA: a.Before.Record, RecB: b.Before.Record,
					Match: true, Origin: fmt.Sprintf("merge:%d", mg.ID)})
			}
		}
	}
	pairs, err := st.NotDuplicatePairs(ctx)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	for _, p := range sortedPairs(pairs) {
		a, err := st.Customer(ctx, p.A)
		if err != nil {
			return nil, fmt.Errorf("labels: %w", err)
		}
		b, err := st.Customer(ctx, p.B)
		if err != nil {
			return nil, fmt.Errorf("labels: %w", err)
		}
		out = append(out, Label{A: p.A, B: p.B, RecA: a.Record, RecB: b.Record, Origin: "not_duplicate"})
	}
	return out, nil
}

func sortedPairs(m map[steward.Pair]bool) []steward.Pair {
	out := make([]steward.Pair, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(x, y steward.Pair) int {
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	return out
}

// TrainingLabels turns labels into dedupe labels over the records a
// duplicate run indexes, recs (recs[i] is customer ids[i]): a labelled
// record that recs holds as it is takes its position there; any other
// (a merged member's before-image, a customer changed since) is returned
// in extra, to be indexed after recs at the positions the labels give.
// A run that appends extra to its records must not suggest a pair that
// holds one of them (a position at or after len(recs)).
func TrainingLabels(labels []Label, ids []int64, recs []steward.Record) (extra []steward.Record, out []dedupe.Label) {
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	place := func(id int64, r steward.Record) int {
		if i, ok := pos[id]; ok && len(steward.Diff(&recs[i], &r)) == 0 {
			return i
		}
		r = r.Clone()
		r.SourceID = "label:" + strconv.FormatInt(id, 10) + ":" + strconv.Itoa(len(extra))
		extra = append(extra, r)
		return len(recs) + len(extra) - 1
	}
	for _, l := range labels {
		a, b := place(l.A, l.RecA), place(l.B, l.RecB)
		if a != b {
			out = append(out, dedupe.Label{A: a, B: b, Match: l.Match})
		}
	}
	return extra, out
}

// DecisionEval is how the matcher does on the pairs stewards decided.
type DecisionEval struct {
	Threshold float64 `json:"threshold"`
	// Matches and NonMatches count the decided pairs: merged, and marked
	// not a duplicate.
	Matches    int `json:"matches"`
	NonMatches int `json:"non_matches"`
	// TruePositives are merged pairs the matcher scores at or above the
	// threshold; FalsePositives pairs marked not a duplicate that it
	// does; FalseNegatives merged pairs it scores below (or never pairs).
	TruePositives  int `json:"true_positives"`
	FalsePositives int `json:"false_positives"`
	FalseNegatives int `json:"false_negatives"`
	// Precision is TP / (TP + FP): of the decided pairs the matcher would
	// suggest, the share stewards merged. Recall is TP / (TP + FN).
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// EvalDecisions scores every labelled pair with model under cfg (its
// blocking keys: a pair they never bring together counts as scored 0) and
// reports precision and recall at cfg.Threshold.
func EvalDecisions(ctx context.Context, labels []Label, cfg dedupe.Config, model *dedupe.Model) (*DecisionEval, error) {
	ev := &DecisionEval{Threshold: cfg.Threshold}
	if len(labels) == 0 {
		return ev, nil
	}
	var recs []steward.Record
	idx := make(map[string]int)
	place := func(id int64, r steward.Record) int {
		r = r.Clone()
		r.SourceID = ""
		key := fmt.Sprintf("%d\x00%v", id, r)
		if i, ok := idx[key]; ok {
			return i
		}
		r.SourceID = strconv.Itoa(len(recs))
		recs = append(recs, r)
		idx[key] = len(recs) - 1
		return len(recs) - 1
	}
	type pair struct {
		a, b  int
		match bool
	}
	ps := make([]pair, len(labels))
	for i, l := range labels {
		ps[i] = pair{place(l.A, l.RecA), place(l.B, l.RecB), l.Match}
	}
	cfg.ReviewThreshold = 1e-9 // every pair the blocking keys bring together
	ix, err := dedupe.NewIndex(ctx, recs, cfg, model)
	if err != nil {
		return nil, fmt.Errorf("evaluate decisions: %w", err)
	}
	for _, p := range ps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		prob := 0.0
		if p.a == p.b {
			prob = 1
		} else {
			cands, err := ix.Match(&recs[p.a])
			if err != nil {
				return nil, fmt.Errorf("evaluate decisions: %w", err)
			}
			for _, c := range cands {
				if c.Index == p.b {
					prob = c.Probability
				}
			}
		}
		predicted := prob >= ev.Threshold
		switch {
		case p.match:
			ev.Matches++
			if predicted {
				ev.TruePositives++
			} else {
				ev.FalseNegatives++
			}
		default:
			ev.NonMatches++
			if predicted {
				ev.FalsePositives++
			}
		}
	}
	if n := ev.TruePositives + ev.FalsePositives; n > 0 {
		ev.Precision = float64(ev.TruePositives) / float64(n)
	}
	if n := ev.TruePositives + ev.FalseNegatives; n > 0 {
		ev.Recall = float64(ev.TruePositives) / float64(n)
	}
	return ev, nil
}

// Train trains a matching model on recs (the active customers a duplicate
// run indexes; ids[i] is recs[i]'s customer) with stewards' decisions as
// labelled pairs (Labels): a labelled record recs does not hold as it is
// (a merged member's before-image) is indexed after recs for the training
// only. The model is for dedupe.Options.Model, so that the run itself
// indexes, scores and clusters the active customers alone. It also
// returns how many labelled pairs took part.
func Train(ctx context.Context, recs []steward.Record, ids []int64, labels []Label, cfg dedupe.Config) (*dedupe.Model, int, error) {
	extra, dl := TrainingLabels(labels, ids, recs)
	all := recs
	if len(extra) > 0 {
		all = append(slices.Clone(recs), extra...)
	}
	ix, err := dedupe.NewIndex(ctx, all, cfg, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("training index: %w", err)
	}
	m, err := ix.Train(ctx, dl)
	if err != nil {
		return nil, 0, err
	}
	return m, len(dl), nil
}
