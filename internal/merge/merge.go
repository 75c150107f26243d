package merge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
)

// Service merges customers, undoes merges, takes members out of them and
// records decisions on suggestions. Its methods run in one transaction of
// the store they are given (a nested one, a savepoint, when that store is
// already in a transaction), so that nothing is half-written.
type Service struct {
	// Policy holds the survivorship policy and checks the values a
	// steward types, as the import gate would.
	Policy gate.Policy
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// New returns a Service following p (its Defaults filled in).
func New(p gate.Policy) (*Service, error) {
	p, err := p.Defaults()
	if err != nil {
		return nil, err
	}
	return &Service{Policy: p}, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Request asks for a merge.
type Request struct {
	// CustomerIDs are the customers to merge, two or more, all active.
	CustomerIDs []int64 `json:"customer_ids"`
	// SurvivorID is the customer the others merge into; 0 keeps the
	// oldest (the smallest id).
	SurvivorID int64 `json:"survivor_id,omitempty"`
	// Overrides are a steward's choices for single fields.
	Overrides []Override `json:"overrides,omitempty"`
	// Versions are the versions of the customers as the steward saw them;
	// a customer changed since fails the merge with ECONFLICT. Customers
	// not listed are taken as they are when the merge runs.
	Versions map[int64]int64 `json:"versions,omitempty"`
	// SuggestionID is the suggestion the merge decides, 0 for none. Only
	// Decide sets it, having checked that the customers are the
	// suggestion's (or what its members were merged into since).
	SuggestionID int64 `json:"-"`
}

// Result is what an operation on a merge did.
type Result struct {
	Merge    *steward.Merge    `json:"merge"`
	Survivor *steward.Customer `json:"survivor"`
	// Findings are warnings about the values a steward typed.
	Findings []steward.Finding `json:"findings,omitempty"`
	// Touched are the customers written, as stored afterwards, for the
	// caller's duplicate index (matchindex.Live.Put) once the transaction
	// commits.
	Touched []*steward.Customer `json:"-"`
}

// ConflictError is an operation refused because the customers or the
// merge changed since the steward saw them: ECONFLICT, with the customers
// involved as they are now, for the steward to look at again.
type ConflictError struct {
	Err     *steward.Error
	Current []*steward.Customer
}

// Error implements error.
func (e *ConflictError) Error() string { return e.Err.Error() }

// Unwrap returns the ECONFLICT error.
func (e *ConflictError) Unwrap() error { return e.Err }

// conflict wraps an ECONFLICT err with the customers ids as st holds them
// now; other errors are returned as they are.
func conflict(ctx context.Context, st steward.CustomerStore, err error, ids []int64) error {
	var se *steward.Error
	if !errors.As(err, &se) || se.Code != steward.ECONFLICT || errors.As(err, new(*ConflictError)) {
		return err
	}
	ce := &ConflictError{Err: se}
	for _, id := range ids {
		if c, err := st.Customer(ctx, id); err == nil {
			ce.Current = append(ce.Current, c)
		}
	}
	return ce
}

// Preview plans the merge req asks for without writing anything: the
// survivor's record and where each value comes from, as Merge would store
// it now.
func (s *Service) Preview(ctx context.Context, st steward.Store, req Request) (*Plan, error) {
	members, err := loadMembers(ctx, st, req.CustomerIDs, req.Versions)
	if err != nil {
		return nil, conflict(ctx, st, err, req.CustomerIDs)
	}
	return s.plan(members, req.SurvivorID, req.Overrides)
}

// plan plans the merge of members and checks the typed values.
func (s *Service) plan(members []*steward.Customer, survivorID int64, overrides []Override) (*Plan, error) {
	if survivorID == 0 {
		// The oldest customer that is in (not one held for this
		// decision), else the oldest.
		survivorID = members[0].ID
		if i := slices.IndexFunc(members, func(c *steward.Customer) bool { return c.Status == steward.StatusActive }); i >= 0 {
			survivorID = members[i].ID
		}
	}
	if !slices.ContainsFunc(members, func(c *steward.Customer) bool { return c.ID == survivorID }) {
		return nil, steward.FieldErrorf(steward.EINVALID, "survivor_id",
			"The survivor %d is not one of the customers to merge; pick one of them.", survivorID)
	}
	rec, base, choices, customs, err := plan(members, survivorID, s.Policy.Survivorship, overrides)
	if err != nil {
		return nil, err
	}
	fs, err := checkCustoms(&s.Policy, &rec, base, customs)
	if err != nil {
		return nil, err
	}
	for i, c := range choices {
		if slices.Contains(customs, c.Field) {
			choices[i].Value = rec.Get(c.Field)
		}
	}
	return &Plan{SurvivorID: survivorID, Record: rec, Choices: choices, Findings: fs, Members: members}, nil
}

// loadMembers reads the customers ids (ascending, distinct; at least two)
// and checks that each is active (or held for a decision) and, when
// versions names it, still at that version.
func loadMembers(ctx context.Context, st steward.CustomerStore, ids []int64, versions map[int64]int64) ([]*steward.Customer, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) < 2 {
		return nil, steward.FieldErrorf(steward.EINVALID, "customer_ids", "A merge needs at least two different customers, not %d.", len(ids))
	}
	for id := range versions {
		if _, found := slices.BinarySearch(ids, id); !found {
			return nil, steward.FieldErrorf(steward.EINVALID, "versions", "A version is given for customer %d, which is not one of the customers to merge.", id)
		}
	}
	out := make([]*steward.Customer, 0, len(ids))
	for _, id := range ids {
		c, err := st.Customer(ctx, id)
		if err != nil {
			if steward.ErrorCode(err) == steward.ENOTFOUND {
				return nil, steward.FieldErrorf(steward.ENOTFOUND, "customer_ids", "Customer %d does not exist.", id)
			}
			return nil, fmt.Errorf("read customer %d: %w", id, err)
		}
		if v, ok := versions[id]; ok && v != c.Version {
			return nil, steward.StaleVersion(id, v, c.Version)
		}
		switch c.Status {
		case steward.StatusMerged:
			return nil, steward.FieldErrorf(steward.ECONFLICT, "customer_ids",
				"Customer %d was merged into customer %d; merge that one instead.", id, c.MergedInto)
		case steward.StatusErased:
			return nil, steward.FieldErrorf(steward.EINVALID, "customer_ids", "Customer %d was erased; an erased customer cannot be merged.", id)
		}
		out = append(out, c)
	}
	return out, nil
}

// Merge merges the customers req names into one, in one transaction: the
// survivor takes the planned record (Preview), the others become merged
// into it, every member's source records resolve to the survivor, the
// suggestion (if any) is marked merged, and the merge is kept with every
// member's before-image. m names who merges; the audit trail's cause is
// "merge:ID".
func (s *Service) Merge(ctx context.Context, st steward.Store, req Request, m steward.Meta) (*Result, error) {
	var res *Result
	err := st.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		var err error
		res, err = s.merge(ctx, tx, req, m)
		return err
	})
	if err != nil {
		return nil, conflict(ctx, st, err, req.CustomerIDs)
	}
	return res, nil
}

// merge is Merge inside the transaction tx.
func (s *Service) merge(ctx context.Context, tx steward.Store, req Request, m steward.Meta) (*Result, error) {
	members, err := loadMembers(ctx, tx, req.CustomerIDs, req.Versions)
	if err != nil {
		return nil, err
	}
	p, err := s.plan(members, req.SurvivorID, req.Overrides)
	if err != nil {
		return nil, err
	}
	mg := &steward.Merge{SurvivorID: p.SurvivorID, Choices: p.Choices, After: p.Record, Actor: m.Actor, Cause: m.Cause}
	if req.SuggestionID != 0 {
		sg, err := tx.Suggestion(ctx, req.SuggestionID)
		if err != nil {
			return nil, err
		}
		if err := open(sg); err != nil {
			return nil, err
		}
		mg.SuggestionID, mg.SuggestionStatus = sg.ID, sg.Status
	}
	ids := make([]int64, len(members))
	var survivor *steward.Customer
	for i, c := range members {
		ids[i] = c.ID
		refs, err := tx.SourceRefs(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		mg.Members = append(mg.Members, steward.MergeMember{CustomerID: c.ID, Before: *cloneCustomer(c), SourceRefs: refs})
		if c.ID == p.SurvivorID {
			survivor = c
		}
	}
	// The survivor's marks that its new values clear (the stores do it,
	// by trigger), for undo to mark again.
	if changesMatched(&survivor.Record, &p.Record) {
		marks, err := tx.NotDuplicatesOf(ctx, []int64{survivor.ID})
		if err != nil {
			return nil, err
		}
		mg.Cleared = marks
	}
	if err := tx.CreateMerge(ctx, mg); err != nil {
		return nil, err
	}
	meta := steward.Meta{Actor: m.Actor, Cause: fmt.Sprintf("merge:%d", mg.ID)}
	res := &Result{Merge: mg, Findings: p.Findings}
	// In id order, as every operation here writes, so that two of them
	// on PostgreSQL wait for each other instead of deadlocking.
	for _, c := range members {
		if c.ID == p.SurvivorID {
			// A held customer the steward keeps as the survivor is in.
			c.Record, c.Status = p.Record, steward.StatusActive
			res.Survivor = c
		} else {
			c.Status, c.MergedInto = steward.StatusMerged, p.SurvivorID
		}
		if err := save(ctx, tx, c, meta); err != nil {
			return nil, err
		}
		res.Touched = append(res.Touched, c)
	}
	for _, mm := range mg.Members {
		if mm.CustomerID != p.SurvivorID {
			if err := tx.MoveSourceRefs(ctx, mm.SourceRefs, p.SurvivorID); err != nil {
				return nil, fmt.Errorf("move the source records of customer %d: %w", mm.CustomerID, err)
			}
		}
	}
	if mg.SuggestionID != 0 {
		if err := tx.SetSuggestionStatus(ctx, mg.SuggestionID, steward.SuggestionMerged, meta); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// open returns ECONFLICT unless a steward may still decide sg: it is
// pending or skipped.
func open(sg *steward.Suggestion) error {
	if sg.Status == steward.SuggestionPending || sg.Status == steward.SuggestionSkipped {
		return nil
	}
	who := ""
	if sg.DecidedBy != "" {
		who = " by " + sg.DecidedBy
	}
	return steward.Errorf(steward.ECONFLICT, "Suggestion %d was decided already (%s%s); reload the queue.", sg.ID, sg.Status, who)
}

// changesMatched reports whether b differs from a in a field the matcher
// compares.
func changesMatched(a, b *steward.Record) bool {
	for _, f := range steward.MatchedFields() {
		if a.Get(f) != b.Get(f) {
			return true
		}
	}
	return false
}

// cloneCustomer returns a deep copy of c.
func cloneCustomer(c *steward.Customer) *steward.Customer {
	out := *c
	out.Record = c.Record.Clone()
	return &out
}

// Resolve returns the customer id is now: itself, or, for a merged
// customer, the customer it was merged into (following merges of merges),
// with the ids passed through on the way (empty when id is not merged).
func Resolve(ctx context.Context, st steward.CustomerStore, id int64) (*steward.Customer, []int64, error) {
	var via []int64
	for range 64 {
		c, err := st.Customer(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		if c.Status != steward.StatusMerged || c.MergedInto == 0 {
			return c, via, nil
		}
		via = append(via, c.ID)
		id = c.MergedInto
	}
	return nil, nil, fmt.Errorf("resolve customer %d: merged into others more than 64 times (a cycle?): %v", via[0], via)
}

// save writes c, and when that changes nothing of its record or status,
// still moves its version on: the operation changed the customer (it took
// in others, or gave them back), and whoever saw it before must see that.
func save(ctx context.Context, tx steward.Store, c *steward.Customer, meta steward.Meta) error {
	v := c.Version
	if err := tx.UpdateCustomer(ctx, c, meta); err != nil {
		return err
	}
	if c.Version == v {
		if err := tx.TouchCustomer(ctx, c.ID, v); err != nil {
			return err
		}
		c.Version++
	}
	return nil
}
