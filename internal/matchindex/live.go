package matchindex

import (
	"context"
	"sync"

	"github.com/steward-crm/steward"
)

// Match is a stored customer an incoming record looks like.
type Match struct {
	CustomerID  int64
	Probability float64
	// Evidence explains the pair; A and B are left for the caller.
	Evidence steward.PairEvidence
}

// Live is an Index shared by concurrent admissions (the API's create and
// update): Match reads it while Put brings it up to date with customers
// written since it was loaded.
type Live struct {
	mu sync.RWMutex
	ix *Index
}

// NewLive shares ix; the caller no longer uses it directly.
func NewLive(ix *Index) *Live { return &Live{ix: ix} }

// Match returns the active customers rec looks like, most probable first,
// with the evidence of each pair. It implements gate.Matcher.
func (l *Live) Match(ctx context.Context, rec *steward.Record) ([]Match, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	cands, err := l.ix.Ix.Match(rec)
	if err != nil {
		return nil, err
	}
	model := l.ix.Ix.Model()
	out := make([]Match, len(cands))
	for i, c := range cands {
		out[i] = Match{CustomerID: l.ix.IDs[c.Index], Probability: c.Probability, Evidence: PairEvidence(0, 0, c, model, l.ix.Ix.SharedKeysOf(rec, c.Index))}
	}
	return out, nil
}

// Put makes the index hold the customers cs as they are now (see
// Index.PutAll); call it after the transaction that wrote them commits.
func (l *Live) Put(ctx context.Context, cs []*steward.Customer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ix.PutAll(ctx, cs)
}

// Len returns how many customers the index holds.
func (l *Live) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.ix.Ix.Len() - l.ix.Ix.Removed()
}
