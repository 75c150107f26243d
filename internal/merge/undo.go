package merge

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/steward-crm/steward"
)

// Undo undoes merge id, in one transaction: every member still in it gets
// back its before-image (status, record) and its source records, the
// survivor its own record, the not-duplicate marks the merge cleared come
// back, and the suggestion it decided is open again. A value someone
// changed on a customer after the merge is kept: undo takes back what the
// merge did, not what others did since. version, when not 0, is the
// merge's version as the steward saw it (ECONFLICT when it changed). A
// merge whose survivor was merged again since must wait for that merge
// to be undone first (ECONFLICT, naming it); one whose survivor was
// erased cannot be undone (ECONFLICT).
func (s *Service) Undo(ctx context.Context, st steward.Store, id, version int64, m steward.Meta) (*Result, error) {
	return onMerge(ctx, st, id, version, func(ctx context.Context, tx steward.Store, mg *steward.Merge) (*Result, error) {
		return s.undo(ctx, tx, mg, m)
	})
}

// TakeOut takes customer customerID out of merge id, in one transaction:
// it gets back its before-image and its source records, and the survivor
// is planned again from the members who remain (with the steward's
// choices that did not come from the member taken out), keeping values
// someone changed since the merge. Taking out the last member but the
// survivor undoes the merge. The survivor itself cannot be taken out.
func (s *Service) TakeOut(ctx context.Context, st steward.Store, id, customerID, version int64, m steward.Meta) (*Result, error) {
	return onMerge(ctx, st, id, version, func(ctx context.Context, tx steward.Store, mg *steward.Merge) (*Result, error) {
		return s.takeOut(ctx, tx, mg, customerID, m)
	})
}

// onMerge runs fn on merge id, open (openMerge), in one transaction; a
// conflict comes with the merge's customers as they are now.
func onMerge(ctx context.Context, st steward.Store, id, version int64,
	fn func(ctx context.Context, tx steward.Store, mg *steward.Merge) (*Result, error)) (*Result, error) {
	var res *Result
	var ids []int64
	err := st.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		mg, err := openMerge(ctx, tx, id, version)
		if err != nil {
			return err
		}
		ids = memberIDs(mg)
		res, err = fn(ctx, tx, mg)
		return err
	})
	if err != nil {
		return nil, conflict(ctx, st, err, ids)
	}
	return res, nil
}

// openMerge reads merge id and checks that it is active and, when
// version is not 0, at that version.
func openMerge(ctx context.Context, tx steward.Store, id, version int64) (*steward.Merge, error) {
	mg, err := tx.Merge(ctx, id)
	if err != nil {
		return nil, err
	}
	if mg.Status == steward.MergeUndone {
		return nil, steward.Errorf(steward.ECONFLICT, "Merge %d was undone already, by %s at %s.", id, mg.UndoneBy, mg.UndoneAt.Format(time.RFC3339))
	}
	if version != 0 && version != mg.Version {
		return nil, steward.StaleMerge(id, version, mg.Version)
	}
	if sv, err := tx.Customer(ctx, mg.SurvivorID); err != nil {
		return nil, err
	} else if sv.Status == steward.StatusErased {
		return nil, steward.Errorf(steward.ECONFLICT, "Customer %d, merge %d's survivor, was erased: what the merge kept of its members is gone, so it cannot be undone or changed.", sv.ID, id)
	}
	return mg, nil
}

// memberIDs returns the ids of mg's members still in it.
func memberIDs(mg *steward.Merge) []int64 {
	var ids []int64
	for _, mm := range mg.Members {
		if mm.In() {
			ids = append(ids, mm.CustomerID)
		}
	}
	return ids
}

// current reads the customer ids of mg as they are now and checks that
// the merge still holds them: the survivor active, every other one
// merged into it.
func current(ctx context.Context, tx steward.Store, mg *steward.Merge, ids []int64) (map[int64]*steward.Customer, error) {
	out := make(map[int64]*steward.Customer, len(ids))
	for _, id := range ids {
		c, err := tx.Customer(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("member %d of merge %d: %w", id, mg.ID, err)
		}
		switch {
		case c.Status == steward.StatusErased:
			return nil, steward.Errorf(steward.ECONFLICT, "Customer %d of merge %d was erased since; the merge cannot be taken apart.", id, mg.ID)
		case id == mg.SurvivorID && c.Status == steward.StatusMerged:
			later := laterMerge(ctx, tx, id, mg.ID)
			return nil, steward.Errorf(steward.ECONFLICT,
				"Customer %d, the survivor of merge %d, was merged into customer %d since%s; undo that first.", id, mg.ID, c.MergedInto, later)
		case id != mg.SurvivorID && (c.Status != steward.StatusMerged || c.MergedInto != mg.SurvivorID):
			return nil, steward.Errorf(steward.ECONFLICT,
				"Customer %d is no longer merged into customer %d (it is %s); merge %d cannot be taken apart.", id, mg.SurvivorID, c.Status, mg.ID)
		}
		out[id] = c
	}
	return out, nil
}

// laterMerge names the active merge after merge that merged customer id
// away, as " (merge N)"; "" when there is none.
func laterMerge(ctx context.Context, tx steward.Store, id, after int64) string {
	ms, err := tx.Merges(ctx, steward.MergeFilter{Status: steward.MergeActive, CustomerID: id})
	if err != nil {
		return ""
	}
	for _, m := range ms {
		if m.ID > after && m.SurvivorID != id {
			return fmt.Sprintf(" (merge %d)", m.ID)
		}
	}
	return ""
}

// restore returns before with every field that changed between after (as
// the merge left the customer) and now (as it is) set to its value now.
func restore(before, after, now *steward.Record) steward.Record {
	out := before.Clone()
	for _, d := range steward.Diff(after, now) {
		out.Set(d.Field, d.After)
	}
	return out
}

// undo is Undo of the open merge mg inside tx.
func (s *Service) undo(ctx context.Context, tx steward.Store, mg *steward.Merge, m steward.Meta) (*Result, error) {
	ids := memberIDs(mg)
	cur, err := current(ctx, tx, mg, ids)
	if err != nil {
		return nil, err
	}
	meta := steward.Meta{Actor: m.Actor, Cause: fmt.Sprintf("undo:%d", mg.ID)}
	res := &Result{Merge: mg}
	for _, id := range ids {
		mm, c := mg.Member(id), cur[id]
		after := &mm.Before.Record
		if id == mg.SurvivorID {
			after = &mg.After
		}
		c.Record = restore(&mm.Before.Record, after, &c.Record)
		c.Status, c.MergedInto = mm.Before.Status, mm.Before.MergedInto
		if err := save(ctx, tx, c, meta); err != nil {
			return nil, err
		}
		res.Touched = append(res.Touched, c)
		if id == mg.SurvivorID {
			res.Survivor = c
		}
	}
	for _, id := range ids {
		if mm := mg.Member(id); id != mg.SurvivorID {
			if err := tx.MoveSourceRefs(ctx, mm.SourceRefs, id); err != nil {
				return nil, fmt.Errorf("move the source records of customer %d back: %w", id, err)
			}
		}
	}
	if err := s.remark(ctx, tx, mg, cur[mg.SurvivorID], meta); err != nil {
		return nil, err
	}
	if mg.SuggestionID != 0 {
		status := mg.SuggestionStatus
		if status == "" {
			status = steward.SuggestionPending
		}
		if err := tx.SetSuggestionStatus(ctx, mg.SuggestionID, status, meta); err != nil {
			return nil, err
		}
	}
	mg.Status, mg.UndoneBy, mg.UndoneAt = steward.MergeUndone, m.Actor, s.now().Truncate(time.Microsecond)
	if err := tx.UpdateMerge(ctx, mg); err != nil {
		return nil, err
	}
	return res, nil
}

// remark marks again the pairs whose not-duplicate marks merge mg cleared,
// now that the survivor (restored, as survivor) has its matched values
// back; a pair whose other customer changed in a matched field since the
// merge is judged anew instead.
func (s *Service) remark(ctx context.Context, tx steward.Store, mg *steward.Merge, survivor *steward.Customer, meta steward.Meta) error {
	if len(mg.Cleared) == 0 || changesMatched(&mg.Member(mg.SurvivorID).Before.Record, &survivor.Record) {
		return nil
	}
	matched := steward.MatchedFields()
	for _, p := range mg.Cleared {
		other := p.A
		if other == mg.SurvivorID {
			other = p.B
		}
		changes, err := tx.Changes(ctx, other)
		if err != nil {
			return err
		}
		changed := slices.ContainsFunc(changes, func(ch steward.Change) bool {
			return ch.ID != 0 && !ch.At.Before(mg.CreatedAt) && slices.Contains(matched, ch.Field)
		})
		if changed {
			continue
		}
		if err := tx.AddNotDuplicate(ctx, p.A, p.B, meta); err != nil {
			return err
		}
	}
	return nil
}

// takeOut is TakeOut of customer id from the open merge mg inside tx.
func (s *Service) takeOut(ctx context.Context, tx steward.Store, mg *steward.Merge, id int64, m steward.Meta) (*Result, error) {
	mm := mg.Member(id)
	switch {
	case mm == nil:
		return nil, steward.FieldErrorf(steward.EINVALID, "member", "Customer %d is not a member of merge %d.", id, mg.ID)
	case !mm.In():
		return nil, steward.Errorf(steward.ECONFLICT, "Customer %d was taken out of merge %d already, by %s at %s.",
			id, mg.ID, mm.TakenOutBy, mm.TakenOutAt.Format(time.RFC3339))
	case id == mg.SurvivorID:
		return nil, steward.FieldErrorf(steward.EINVALID, "member",
			"Customer %d is the survivor of merge %d and cannot be taken out of it; undo the merge instead.", id, mg.ID)
	}
	ids := memberIDs(mg)
	if len(ids) == 2 {
		return s.undo(ctx, tx, mg, m)
	}
	cur, err := current(ctx, tx, mg, []int64{mg.SurvivorID, id})
	if err != nil {
		return nil, err
	}
	// The survivor planned from those who remain, as they were before the
	// merge, with the steward's choices that did not come from id.
	var remain []*steward.Customer
	for _, other := range ids {
		if other != id {
			remain = append(remain, cloneCustomer(&mg.Member(other).Before))
		}
	}
	var overrides []Override
	for _, ch := range mg.Choices {
		switch {
		case ch.By != steward.BySteward || ch.From == id:
		case ch.From != 0:
			overrides = append(overrides, Override{Field: ch.Field, From: ch.From})
		default:
			v := ch.Value
			overrides = append(overrides, Override{Field: ch.Field, Value: &v})
		}
	}
	rec, _, choices, _, err := plan(remain, mg.SurvivorID, s.Policy.Survivorship, overrides)
	if err != nil {
		return nil, err
	}
	meta := steward.Meta{Actor: m.Actor, Cause: fmt.Sprintf("takeout:%d", mg.ID)}
	res := &Result{Merge: mg}
	sv, out := cur[mg.SurvivorID], cur[id]
	sv.Record = restore(&rec, &mg.After, &sv.Record)
	out.Record = restore(&mm.Before.Record, &mm.Before.Record, &out.Record)
	out.Status, out.MergedInto = mm.Before.Status, mm.Before.MergedInto
	if out.Status == steward.StatusHeld {
		// Held for the merge's decision; taken out of it, the steward
		// says it is someone else: it comes in.
		out.Status = steward.StatusActive
	}
	for _, c := range sortByID(sv, out) {
		if err := save(ctx, tx, c, meta); err != nil {
			return nil, err
		}
		res.Touched = append(res.Touched, c)
	}
	res.Survivor = sv
	if err := tx.MoveSourceRefs(ctx, mm.SourceRefs, id); err != nil {
		return nil, fmt.Errorf("move the source records of customer %d back: %w", id, err)
	}
	mg.After, mg.Choices = rec, choices
	mm.TakenOutBy, mm.TakenOutAt = m.Actor, s.now().Truncate(time.Microsecond)
	if err := tx.UpdateMerge(ctx, mg); err != nil {
		return nil, err
	}
	return res, nil
}

// sortByID returns cs in ascending id order.
func sortByID(cs ...*steward.Customer) []*steward.Customer {
	slices.SortFunc(cs, func(a, b *steward.Customer) int { return int(a.ID - b.ID) })
	return cs
}
