package gate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/matchindex"
)

// Matcher finds the active customers a record looks like, most probable
// first. matchindex.Live is one.
type Matcher interface {
	Match(ctx context.Context, rec *steward.Record) ([]matchindex.Match, error)
}

// Store is what admitting a record reads and writes: customers and
// suggestions.
type Store interface {
	steward.CustomerStore
	UpsertSuggestion(ctx context.Context, s *steward.Suggestion) error
	// CreateMerge keeps an automatic merge, for a steward to undo.
	CreateMerge(ctx context.Context, m *steward.Merge) error
}

// Admission is what became of one admitted record.
type Admission struct {
	Outcome steward.Outcome `json:"outcome"`
	// Customer is the customer the record created, updated or merged
	// into; nil when it was rejected or blocked.
	Customer *steward.Customer `json:"customer,omitempty"`
	Findings []steward.Finding `json:"findings,omitempty"`
	// Match is the customer the record looks like, with its probability;
	// Suggestion the merge suggestion queued for a steward.
	Match       *steward.Customer   `json:"match,omitempty"`
	Probability float64             `json:"probability,omitempty"`
	Suggestion  *steward.Suggestion `json:"suggestion,omitempty"`
}

// Gate admits records one at a time: the API's create and update, and any
// other entry of a single record. The bulk importer follows the same
// Policy with the same steps, batched.
type Gate struct {
	// Policy must have its Defaults.
	Policy Policy
	// Matcher finds the customers a record looks like.
	Matcher Matcher
	// NotDuplicate, when not nil, reports the pairs stewards said are
	// different customers; such a match is passed over.
	NotDuplicate func(steward.Pair) bool
	// Origin names the entry in evidence and audit ("api").
	Origin string
	// ModelID is the stored model the Matcher scores with, for evidence;
	// 0 for the built-in one.
	ModelID int64
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// Admit passes one record through the gate inside the caller's
// transaction st: check (standardize and validate), then, for a record
// whose (source, id) is known, update that customer (never blanking a
// field) and look for others it now looks like; for a new one, match
// against the stored customers and decide: create it, create it and
// suggest a merge, hold it and suggest a merge, block it, or merge it
// into its match. A refused record
// (rejected or blocked) is an Admission with findings, not an error;
// errors are the store's. The caller commits, and then tells its Matcher
// about the customer written.
func (g *Gate) Admit(ctx context.Context, st Store, rec steward.Record, m steward.Meta) (*Admission, error) {
	a := &Admission{}
	fs, ok := g.Policy.Check(&rec)
	a.Findings = fs
	if !ok {
		a.Outcome = steward.OutcomeRejected
		return a, nil
	}
	if rec.Source != "" && rec.SourceID != "" {
		c, err := st.CustomerBySource(ctx, rec.Source, rec.SourceID)
		switch {
		case err == nil:
			return a, g.update(ctx, st, a, c, &rec, m)
		case steward.ErrorCode(err) != steward.ENOTFOUND:
			return nil, fmt.Errorf("look up %s/%s: %w", rec.Source, rec.SourceID, err)
		}
	}
	match, target, err := g.best(ctx, st, &rec, 0)
	if err != nil {
		return nil, err
	}
	c := &steward.Customer{Record: rec}
	if target == nil {
		a.Outcome, a.Customer = steward.OutcomeCreated, c
		return a, g.create(ctx, st, c, m)
	}
	a.Match, a.Probability = target, match.Probability
	switch g.Policy.Decide(match.Probability) {
	case ActionBlock:
		a.Outcome = steward.OutcomeBlocked
		a.Findings = append(a.Findings, BlockedFinding(target, match.Probability))
		return a, nil
	case ActionMerge:
		c.Status, c.MergedInto = steward.StatusMerged, target.ID
		if err := g.create(ctx, st, c, m); err != nil {
			return nil, err
		}
		ab, err := Absorb(ctx, st, target.ID, &rec, g.Policy.Survivorship, g.now(), m)
		if err != nil {
			return nil, err
		}
		if err := st.CreateMerge(ctx, ab.Merge(c, m)); err != nil {
			return nil, fmt.Errorf("keep the merge into customer %d: %w", target.ID, err)
		}
		a.Outcome, a.Customer = steward.OutcomeMerged, ab.After
		return a, nil
	}
	a.Outcome = steward.OutcomeCreated
	if g.Policy.Decide(match.Probability) == ActionHold {
		c.Status, a.Outcome = steward.StatusHeld, steward.OutcomeHeld
	}
	if err := g.create(ctx, st, c, m); err != nil {
		return nil, err
	}
	a.Customer = c
	return a, g.suggest(ctx, st, a, c.ID, target.ID, match)
}

// update applies rec to c, the customer its (source, id) became.
func (g *Gate) update(ctx context.Context, st Store, a *Admission, c *steward.Customer, rec *steward.Record, m steward.Meta) error {
	if c.Status == steward.StatusErased {
		a.Outcome = steward.OutcomeRejected
		a.Findings = append(a.Findings, ErasedFinding(rec, c))
		return nil
	}
	a.Customer = c
	next := Overlay(&c.Record, rec)
	if len(steward.Diff(&c.Record, &next)) == 0 {
		a.Outcome = steward.OutcomeUnchanged
		return nil
	}
	c.Record = next
	if err := st.UpdateCustomer(ctx, c, m); err != nil {
		return fmt.Errorf("update customer %d: %w", c.ID, err)
	}
	a.Outcome = steward.OutcomeUpdated
	if c.Status != steward.StatusActive {
		return nil
	}
	match, target, err := g.best(ctx, st, &c.Record, c.ID)
	if err != nil || target == nil {
		return err
	}
	a.Match, a.Probability = target, match.Probability
	return g.suggest(ctx, st, a, c.ID, target.ID, match)
}

// best returns the most probable active customer other than self that
// rec looks like at or above the review threshold, and not marked a
// different customer than self; a nil target when there is none. The
// matcher's view may lag the transaction: a match that is no longer
// active is passed over.
func (g *Gate) best(ctx context.Context, st Store, rec *steward.Record, self int64) (matchindex.Match, *steward.Customer, error) {
	ms, err := g.Matcher.Match(ctx, rec)
	if err != nil {
		return matchindex.Match{}, nil, fmt.Errorf("match: %w", err)
	}
	for _, mt := range ms {
		if mt.Probability < g.Policy.ReviewThreshold || mt.CustomerID == self {
			continue
		}
		if self != 0 && g.NotDuplicate != nil && g.NotDuplicate(steward.NewPair(self, mt.CustomerID)) {
			continue
		}
		c, err := st.Customer(ctx, mt.CustomerID)
		if steward.ErrorCode(err) == steward.ENOTFOUND {
			continue
		}
		if err != nil {
			return matchindex.Match{}, nil, fmt.Errorf("matched customer %d: %w", mt.CustomerID, err)
		}
		if c.Status != steward.StatusActive {
			continue
		}
		return mt, c, nil
	}
	return matchindex.Match{}, nil, nil
}

func (g *Gate) create(ctx context.Context, st Store, c *steward.Customer, m steward.Meta) error {
	if err := st.CreateCustomer(ctx, c, m); err != nil {
		var se *steward.Error
		if errors.As(err, &se) {
			return err
		}
		return fmt.Errorf("create customer: %w", err)
	}
	return nil
}

func (g *Gate) suggest(ctx context.Context, st Store, a *Admission, self, other int64, mt matchindex.Match) error {
	sg, err := Suggestion(self, other, mt.Evidence, steward.EvidenceAPI, g.Origin, 0, g.ModelID)
	if err != nil {
		return err
	}
	if err := st.UpsertSuggestion(ctx, sg); err != nil {
		return fmt.Errorf("store suggestion: %w", err)
	}
	a.Suggestion = sg
	return nil
}

func (g *Gate) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}
