package steward

import "context"

// Pair is an unordered pair of customer ids, kept with A < B so that it can
// be a map key.
type Pair struct {
	A, B int64
}

// NewPair returns the pair of a and b in canonical order.
func NewPair(a, b int64) Pair {
	if a > b {
		a, b = b, a
	}
	return Pair{A: a, B: b}
}

// DecisionStore keeps what stewards decided about customers beyond one
// suggestion: the pairs that are not duplicates, remembered forever so that
// no later import, API call or nightly run suggests them again.
type DecisionStore interface {
	// AddNotDuplicate remembers, for good, that customers a and b are
	// different people (EINVALID when a is b, ENOTFOUND when either does
	// not exist). Adding a known pair again is a no-op.
	AddNotDuplicate(ctx context.Context, a, b int64, m Meta) error
	// NotDuplicatePairs returns every pair ever marked not-duplicate.
	NotDuplicatePairs(ctx context.Context) (map[Pair]bool, error)
}
