package merge

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/steward-crm/steward"
)

// Action is what a steward decides about a suggestion.
type Action string

// Actions on a suggestion.
const (
	// ActionMerge merges the members (all, or those Decision.Members
	// names).
	ActionMerge Action = "merge"
	// ActionNotDuplicate marks the members as different people (all of
	// them, or Decision.Member against the others).
	ActionNotDuplicate Action = "not_duplicate"
	// ActionSkip leaves the suggestion for later: it leaves the queue of
	// pending ones and can be decided any time.
	ActionSkip Action = "skip"
)

// Decision is a steward's decision on one suggestion.
type Decision struct {
	Action Action `json:"action"`
	// Members (merge) are the members to merge; empty merges them all.
	// The others stay suggested together when their evidence links them.
	Members []int64 `json:"members,omitempty"`
	// Member (not_duplicate) is the one member that is not the same
	// customer as the others; 0 says none of them is the same as another.
	Member int64 `json:"member,omitempty"`
	// SurvivorID and Overrides (merge) are as in Request.
	SurvivorID int64      `json:"survivor_id,omitempty"`
	Overrides  []Override `json:"overrides,omitempty"`
	// Versions are the members' versions as the steward saw them; a
	// member changed since fails the decision with ECONFLICT.
	Versions map[int64]int64 `json:"versions,omitempty"`
}

// Decided is what a decision did.
type Decided struct {
	// Suggestion is the decided suggestion as stored afterwards.
	Suggestion *steward.Suggestion `json:"suggestion"`
	// Merge is the merge a merge decision made.
	Merge *Result `json:"merge,omitempty"`
	// Suggestions are the new pending suggestions of the members left
	// over, each a group its evidence still links.
	Suggestions []*steward.Suggestion `json:"suggestions,omitempty"`
	// Released are the customers held for this decision that a "not a
	// duplicate" let in: active now.
	Released []*steward.Customer `json:"released,omitempty"`
}

// Decide records decision d on suggestion id in one transaction. A merge
// merges the members (a member merged elsewhere since counts as the
// customer it was merged into); not a duplicate marks every pair of
// members, or Member with each other one, as different people, which the
// matcher remembers until one of them changes in a matched field; skip
// sets the suggestion aside. Members left out of a merge, or the others
// when one member is not a duplicate, are suggested again in the groups
// their evidence links. Only a pending or skipped suggestion can be
// decided (ECONFLICT otherwise).
func (s *Service) Decide(ctx context.Context, st steward.Store, id int64, d Decision, m steward.Meta) (*Decided, error) {
	var out *Decided
	var ids []int64
	err := st.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		sg, err := tx.Suggestion(ctx, id)
		if err != nil {
			return err
		}
		ids = sg.CustomerIDs
		if err := open(sg); err != nil {
			return err
		}
		if err := checkVersions(ctx, tx, sg, d.Versions); err != nil {
			return err
		}
		out = &Decided{}
		meta := steward.Meta{Actor: m.Actor, Cause: fmt.Sprintf("decision:%d", sg.ID)}
		switch d.Action {
		case ActionMerge:
			err = s.decideMerge(ctx, tx, sg, d, m, out)
		case ActionNotDuplicate:
			err = decideNotDuplicate(ctx, tx, sg, d.Member, meta, out)
		case ActionSkip:
			err = tx.SetSuggestionStatus(ctx, sg.ID, steward.SuggestionSkipped, meta)
		default:
			err = steward.FieldErrorf(steward.EINVALID, "action", "Unknown decision %q: want merge, not_duplicate or skip.", d.Action)
		}
		if err != nil {
			return err
		}
		out.Suggestion, err = tx.Suggestion(ctx, sg.ID)
		return err
	})
	if err != nil {
		return nil, conflict(ctx, st, err, ids)
	}
	return out, nil
}

// checkVersions returns ECONFLICT when a member of sg that versions names
// changed since, EINVALID when it names a customer that is no member.
func checkVersions(ctx context.Context, tx steward.Store, sg *steward.Suggestion, versions map[int64]int64) error {
	for id, v := range versions {
		if !slices.Contains(sg.CustomerIDs, id) {
			return steward.FieldErrorf(steward.EINVALID, "versions", "A version is given for customer %d, which is not a member of suggestion %d.", id, sg.ID)
		}
		c, err := tx.Customer(ctx, id)
		if err != nil {
			return err
		}
		if c.Version != v {
			return steward.StaleVersion(id, v, c.Version)
		}
	}
	return nil
}

// members checks that every id is a member of sg.
func members(sg *steward.Suggestion, field string, ids ...int64) error {
	for _, id := range ids {
		if !slices.Contains(sg.CustomerIDs, id) {
			return steward.FieldErrorf(steward.EINVALID, field, "Customer %d is not a member of suggestion %d (members %v).", id, sg.ID, sg.CustomerIDs)
		}
	}
	return nil
}

// decideMerge merges the chosen members of sg.
func (s *Service) decideMerge(ctx context.Context, tx steward.Store, sg *steward.Suggestion, d Decision, m steward.Meta, out *Decided) error {
	chosen := d.Members
	if len(chosen) == 0 {
		chosen = sg.CustomerIDs
	}
	if err := members(sg, "members", chosen...); err != nil {
		return err
	}
	if d.SurvivorID != 0 {
		if err := members(sg, "survivor_id", d.SurvivorID); err != nil {
			return err
		}
	}
	// A member merged since counts as the customer it was merged into.
	var ids []int64
	survivor := d.SurvivorID
	for _, id := range chosen {
		c, _, err := Resolve(ctx, tx, id)
		if err != nil {
			return err
		}
		if (c.Status == steward.StatusActive || c.Status == steward.StatusHeld) && !slices.Contains(ids, c.ID) {
			ids = append(ids, c.ID)
		}
		if id == d.SurvivorID {
			survivor = c.ID
		}
	}
	if len(ids) < 2 {
		return steward.Errorf(steward.ECONFLICT, "The members of suggestion %d are one customer already (merged since); reload the queue.", sg.ID)
	}
	res, err := s.merge(ctx, tx, Request{CustomerIDs: ids, SurvivorID: survivor, Overrides: d.Overrides, SuggestionID: sg.ID}, m)
	if err != nil {
		return err
	}
	out.Merge = res
	var left []int64
	for _, id := range sg.CustomerIDs {
		if !slices.Contains(chosen, id) {
			left = append(left, id)
		}
	}
	out.Suggestions, err = suggestRest(ctx, tx, sg, left)
	return err
}

// decideNotDuplicate marks the members of sg, or member against the
// others, as different people.
func decideNotDuplicate(ctx context.Context, tx steward.Store, sg *steward.Suggestion, member int64, meta steward.Meta, out *Decided) error {
	if member != 0 {
		if err := members(sg, "member", member); err != nil {
			return err
		}
	}
	var pairs []steward.Pair
	for i, a := range sg.CustomerIDs {
		for _, b := range sg.CustomerIDs[i+1:] {
			if member == 0 || a == member || b == member {
				pairs = append(pairs, steward.NewPair(a, b))
			}
		}
	}
	for _, p := range pairs {
		// Marks are between customers as they are now: a member merged
		// since speaks for the customer it was merged into.
		a, _, err := Resolve(ctx, tx, p.A)
		if err != nil {
			return err
		}
		b, _, err := Resolve(ctx, tx, p.B)
		if err != nil {
			return err
		}
		if a.ID == b.ID {
			return steward.Errorf(steward.ECONFLICT, "Customers %d and %d were merged into customer %d since; they cannot be marked as different people. Undo that merge first.", p.A, p.B, a.ID)
		}
		if err := tx.AddNotDuplicate(ctx, a.ID, b.ID, meta); err != nil {
			return err
		}
	}
	if err := tx.SetSuggestionStatus(ctx, sg.ID, steward.SuggestionRejected, meta); err != nil {
		return err
	}
	// A customer held for this decision is someone else: it comes in.
	// With one member named, only that one is known to be someone else;
	// the others stay held for the suggestion of those left.
	for _, id := range sg.CustomerIDs {
		if member != 0 && id != member {
			continue
		}
		c, err := tx.Customer(ctx, id)
		if err != nil {
			return err
		}
		if c.Status == steward.StatusHeld {
			c.Status = steward.StatusActive
			if err := tx.UpdateCustomer(ctx, c, meta); err != nil {
				return err
			}
			out.Released = append(out.Released, c)
		}
	}
	if member == 0 {
		return nil
	}
	var left []int64
	for _, id := range sg.CustomerIDs {
		if id != member {
			left = append(left, id)
		}
	}
	var err error
	out.Suggestions, err = suggestRest(ctx, tx, sg, left)
	return err
}

// suggestRest suggests the customers left of sg again, in the groups that
// sg's evidence still links (pairs of two of them), each with those pairs
// as its evidence and the weakest pair's probability.
func suggestRest(ctx context.Context, tx steward.Store, sg *steward.Suggestion, left []int64) ([]*steward.Suggestion, error) {
	if len(left) < 2 {
		return nil, nil
	}
	ev, err := sg.DecodeEvidence()
	if err != nil {
		return nil, err
	}
	in := func(id int64) bool { return slices.Contains(left, id) }
	// Union-find over the pairs among the left members.
	parent := make(map[int64]int64, len(left))
	var find func(int64) int64
	find = func(x int64) int64 {
		if p, ok := parent[x]; ok && p != x {
			r := find(p)
			parent[x] = r
			return r
		}
		parent[x] = x
		return x
	}
	var kept []steward.PairEvidence
	for _, p := range ev.Pairs {
		if in(p.A) && in(p.B) {
			kept = append(kept, p)
			parent[find(p.A)] = find(p.B)
		}
	}
	groups := make(map[int64][]steward.PairEvidence)
	for _, p := range kept {
		r := find(p.A)
		groups[r] = append(groups[r], p)
	}
	roots := make([]int64, 0, len(groups))
	for r := range groups {
		roots = append(roots, r)
	}
	slices.Sort(roots)
	var out []*steward.Suggestion
	for _, r := range roots {
		pairs := groups[r]
		var ids []int64
		prob := 1.0
		for _, p := range pairs {
			ids = append(ids, p.A, p.B)
			prob = min(prob, p.Probability)
		}
		e := *ev
		e.Pairs = pairs
		raw, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
		ns := &steward.Suggestion{CustomerIDs: ids, Probability: prob, Evidence: raw, RunID: sg.RunID}
		if err := tx.UpsertSuggestion(ctx, ns); err != nil {
			return nil, err
		}
		out = append(out, ns)
	}
	return out, nil
}
