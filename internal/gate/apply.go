package gate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
)

// Overlay returns stored with every non-empty value of rec written over
// it: an update through the gate never blanks a field.
func Overlay(stored, rec *steward.Record) steward.Record {
	next := stored.Clone()
	for _, f := range steward.CanonicalFields() {
		if v := rec.Get(f); v != "" {
			next.Set(f, v)
		}
	}
	for _, k := range rec.AttributeNames() {
		next.Set(k, rec.Attributes[k])
	}
	return next
}

// Absorbed is what Absorb did: the target before and after, whether it
// changed, and the value each field kept.
type Absorbed struct {
	Before, After *steward.Customer
	Changed       bool
	Choices       []dedupe.Choice
}

// Absorb merges an incoming record into the stored customer target: target
// keeps, field by field, the value the survivorship policy picks between
// its own record and rec (the newer of the two). The caller stores the
// incoming record as a customer merged into target and keeps the merge
// (Absorbed.Merge), so that a steward can undo it.
func Absorb(ctx context.Context, st steward.CustomerStore, targetID int64, rec *steward.Record, policy steward.Survivorship, now time.Time, m steward.Meta) (*Absorbed, error) {
	c, err := st.Customer(ctx, targetID)
	if err != nil {
		return nil, fmt.Errorf("merge target %d: %w", targetID, err)
	}
	before := *c
	before.Record = c.Record.Clone()
	next, choices := dedupe.Survive([]dedupe.Member{
		{ID: c.ID, Record: &c.Record, UpdatedAt: c.UpdatedAt},
		{Record: rec, UpdatedAt: now},
	}, policy)
	next.Source, next.SourceID = c.Record.Source, c.Record.SourceID
	a := &Absorbed{Before: &before, After: c, Choices: choices}
	if len(steward.Diff(&c.Record, &next)) == 0 {
		return a, nil
	}
	c.Record = next
	if err := st.UpdateCustomer(ctx, c, m); err != nil {
		return nil, fmt.Errorf("merge into customer %d: %w", c.ID, err)
	}
	a.Changed = true
	return a, nil
}

// Merge returns the merge that records the absorption of customer in,
// the incoming record as stored, merged into the target: members the
// target as it was and in as it would stand alone (active), so that
// undoing it gives both back.
func (a *Absorbed) Merge(in *steward.Customer, m steward.Meta) *steward.Merge {
	alone := *in
	alone.Status, alone.MergedInto = steward.StatusActive, 0
	alone.Record = in.Record.Clone()
	target := steward.MergeMember{CustomerID: a.Before.ID, Before: *a.Before}
	member := steward.MergeMember{CustomerID: in.ID, Before: alone}
	if in.Record.Source != "" && in.Record.SourceID != "" {
		member.SourceRefs = []steward.SourceRef{{Source: in.Record.Source, ID: in.Record.SourceID}}
	}
	mg := &steward.Merge{SurvivorID: a.Before.ID, After: a.After.Record.Clone(), Actor: m.Actor, Cause: m.Cause,
		Members: []steward.MergeMember{target, member}}
	if in.ID < a.Before.ID {
		mg.Members[0], mg.Members[1] = member, target
	}
	for _, ch := range a.Choices {
		from := ch.From
		if from == 0 && ch.Value != "" {
			from = in.ID // the incoming record, which had no id yet
		}
		mg.Choices = append(mg.Choices, steward.FieldChoice{Field: ch.Field, Value: ch.Value, From: from, Strategy: ch.Strategy,
			By: steward.ByPolicy, Differs: ch.Differs})
	}
	return mg
}

// Describe names a customer for a message as its user knows it: steward's
// id, then name and email, and the source record it came from ("shop id
// 1042").
func Describe(c *steward.Customer) string {
	s := fmt.Sprint(c.ID)
	name := c.Record.FullName()
	if name == "" {
		name = c.Record.Company
	}
	var parts []string
	if name != "" {
		parts = append(parts, name)
	}
	if c.Record.Email != "" {
		parts = append(parts, c.Record.Email)
	}
	if c.Record.Source != "" && c.Record.SourceID != "" && !strings.HasPrefix(c.Record.SourceID, "content:") {
		parts = append(parts, c.Record.Source+" id "+c.Record.SourceID)
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// BlockedFinding is the finding of a record blocked as a duplicate of
// target.
func BlockedFinding(target *steward.Customer, probability float64) steward.Finding {
	return steward.Finding{Code: CodeDuplicate, Severity: steward.SeverityError, Message: fmt.Sprintf(
		"This row looks like customer %s (probability %.2f) and was not imported, because duplicates are blocked.",
		Describe(target), probability)}
}

// ErasedFinding is the finding of a record whose (source, id) belongs to
// the erased customer c.
func ErasedFinding(rec *steward.Record, c *steward.Customer) steward.Finding {
	return steward.Finding{Field: steward.ColumnID, Code: CodeErased, Severity: steward.SeverityError, Message: fmt.Sprintf(
		"The customer of %s id %q (customer %d) was erased; an import does not bring an erased customer's data back.",
		rec.Source, rec.SourceID, c.ID)}
}

// Suggestion returns the merge suggestion of customer a looking like
// customer b, explained by pe (whose A and B it sets) as scored by the
// stored model (0: the built-in one), from producer at origin (and row,
// for an import).
func Suggestion(a, b int64, pe steward.PairEvidence, producer, origin string, row int, model int64) (*steward.Suggestion, error) {
	pe.A, pe.B = a, b
	ev, err := json.Marshal(steward.Evidence{Producer: producer, Origin: origin, Row: row, Model: model, Pairs: []steward.PairEvidence{pe}})
	if err != nil {
		return nil, fmt.Errorf("suggestion evidence: %w", err)
	}
	return &steward.Suggestion{CustomerIDs: []int64{a, b}, Probability: pe.Probability, Evidence: ev}, nil
}
