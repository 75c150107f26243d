package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
)

// Hit is a customer found, with the matcher's probability that it is the
// one the query describes.
type Hit struct {
	Customer    *steward.Customer `json:"customer"`
	Probability float64           `json:"probability"`
}

// Rank orders cs by the probability model gives that each is the
// customer q describes, scored as the matcher scores a pair under cfg
// (its blocking keys decide which can be compared at all: the others
// score 0), most probable first, then by id.
func Rank(ctx context.Context, q steward.Record, cs []*steward.Customer, cfg dedupe.Config, model *dedupe.Model) ([]Hit, error) {
	hits := make([]Hit, len(cs))
	for i, c := range cs {
		hits[i] = Hit{Customer: c}
	}
	if len(cs) > 0 {
		recs := make([]steward.Record, len(cs))
		for i, c := range cs {
			recs[i] = c.Record
			recs[i].SourceID = strconv.Itoa(i)
		}
		cfg.ReviewThreshold = 1e-12 // every pair the blocking keys bring together
		cfg.Threshold = max(cfg.Threshold, cfg.ReviewThreshold)
		cfg.Workers = 1
		ix, err := dedupe.NewIndex(ctx, recs, cfg, model)
		if err != nil {
			return nil, fmt.Errorf("rank: %w", err)
		}
		cands, err := ix.Match(&q)
		if err != nil {
			return nil, fmt.Errorf("rank: %w", err)
		}
		for _, c := range cands {
			hits[c.Index].Probability = c.Probability
		}
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Probability, a.Probability); c != 0 {
			return c
		}
		return cmp.Compare(a.Customer.ID, b.Customer.ID)
	})
	return hits, nil
}
