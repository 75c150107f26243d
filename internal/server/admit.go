package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
)

// candidate is a customer a record looks like.
type candidate struct {
	Customer    *steward.Customer `json:"customer"`
	Probability float64           `json:"probability"`
}

// admitted is the answer to a create or an update.
type admitted struct {
	Outcome  steward.Outcome   `json:"outcome"`
	Customer *steward.Customer `json:"customer"`
	Findings []steward.Finding `json:"findings,omitempty"`
	// Candidates are the customers the record looks like; Suggestion the
	// merge suggestion queued for a steward.
	Candidates []candidate         `json:"candidates,omitempty"`
	Suggestion *steward.Suggestion `json:"suggestion,omitempty"`
}

// admit passes rec through the gate inside the admission transaction tx,
// as an import would; notDup, when given, are the pairs not to suggest. A
// refused record is a refusedError (EINVALID, or ECONFLICT for a blocked
// duplicate, with the customer it looks like), which rolls the
// transaction back.
func (s *Server) admit(ctx context.Context, tx steward.Store, rec steward.Record, notDup []steward.Pair, c *call) (*admitted, []*steward.Customer, error) {
	v, err := s.idx.fresh(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	g := &gate.Gate{Policy: s.cfg.Policy, Matcher: v.live, Origin: "api", ModelID: v.scorer.ID(), Now: s.cfg.Now}
	if len(notDup) > 0 {
		g.NotDuplicate = func(p steward.Pair) bool {
			for _, q := range notDup {
				if q == p {
					return true
				}
			}
			return false
		}
	}
	a, err := g.Admit(ctx, tx, rec, c.meta())
	if err != nil {
		return nil, nil, err
	}
	out := &admitted{Outcome: a.Outcome, Customer: a.Customer, Findings: a.Findings, Suggestion: a.Suggestion}
	if a.Match != nil {
		out.Candidates = []candidate{{Customer: a.Match, Probability: a.Probability}}
	}
	switch a.Outcome {
	case steward.OutcomeRejected:
		return nil, nil, &refusedError{findings: a.Findings,
			err: steward.FieldErrorf(steward.EINVALID, firstErrorField(a.Findings), "The record is not valid: %s", firstErrorMessage(a.Findings))}
	case steward.OutcomeBlocked:
		return nil, nil, &refusedError{findings: a.Findings, candidates: out.Candidates,
			err: steward.Errorf(steward.ECONFLICT, "The record looks like customer %d (probability %.2f), and the rules block duplicates; update that customer instead, or ask a steward.", a.Match.ID, a.Probability)}
	}
	var touched []*steward.Customer
	if a.Customer != nil {
		touched = append(touched, a.Customer)
		c.target = fmt.Sprintf("customer:%d", a.Customer.ID)
	}
	c.detail = map[string]any{"outcome": a.Outcome}
	return out, touched, nil
}

func firstErrorField(fs []steward.Finding) string {
	for _, f := range fs {
		if f.IsError() {
			return f.Field
		}
	}
	return ""
}

func firstErrorMessage(fs []steward.Finding) string {
	for _, f := range fs {
		if f.IsError() {
			return f.Message
		}
	}
	return "see the findings."
}

// newSourceID makes the id of a record created through the API without
// one: 16 random hex digits.
func newSourceID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
