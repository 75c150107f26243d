// Package erase forgets a customer for good (the right to erasure) while
// keeping them suppressed: their personal data leaves every table, and
// every email address and phone number they had is kept only as its keyed
// hash among the suppressions, so that a later import of the same address
// is never written to.
package erase

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
	"github.com/steward-crm/steward/internal/suppress"
)

// Result is what an erasure did.
type Result struct {
	// ID is the customer asked for; Customers are the ones erased with
	// it: the customer it was merged into and every customer merged into
	// that one, the same person.
	ID        int64   `json:"id"`
	Customers []int64 `json:"customers"`
	// Addresses counts the email addresses and phone numbers they had
	// (now, in their history, in merges), kept only as keyed hashes among
	// the suppressions; Suppressed those that were not suppressed before.
	Addresses  int `json:"addresses"`
	Suppressed int `json:"suppressed"`
	// Merges are the merges whose before-images were emptied.
	Merges []int64 `json:"merges"`
	// Erased is false when there was nothing left to erase (erased
	// before).
	Erased bool `json:"erased"`
}

// Eraser erases customers.
type Eraser struct {
	// Keys hash the addresses kept suppressed.
	Keys *suppress.Keys
	// Region is the default country of phone numbers without one.
	Region string
}

// Erase erases customer id and everyone it is one person with, in one
// transaction: the addresses they had are suppressed for every message
// (reason erased, only the hash kept, and forgotten from the evidence of
// earlier suppressions), the merges they were in lose their before-images
// (they can no longer be undone), and the store removes the rest
// (steward.ErasureStore). The erasure is in the audit log, with ids and
// counts only. Erasing again changes nothing.
func (e *Eraser) Erase(ctx context.Context, st steward.Store, id int64, m steward.Meta) (*Result, error) {
	if e.Keys == nil {
		return nil, fmt.Errorf("erase: no suppression keys")
	}
	res := &Result{ID: id}
	err := st.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		root, _, err := merge.Resolve(ctx, tx, id)
		if err != nil {
			return err
		}
		people, err := person(ctx, tx, root.ID)
		if err != nil {
			return err
		}
		res.Customers = people
		addrs := newAddresses(e.Region)
		var merges []*steward.Merge
		seen := map[int64]bool{}
		for _, cid := range people {
			c, err := tx.Customer(ctx, cid)
			if err != nil {
				return err
			}
			addrs.add(steward.ChannelEmail, c.Record.Email)
			addrs.add(steward.ChannelSMS, c.Record.Phone)
			changes, err := tx.Changes(ctx, cid)
			if err != nil {
				return err
			}
			for _, ch := range changes {
				switch ch.Field {
				case "email":
					addrs.add(steward.ChannelEmail, ch.Before, ch.After)
				case "phone":
					addrs.add(steward.ChannelSMS, ch.Before, ch.After)
				}
			}
			ms, err := tx.Merges(ctx, steward.MergeFilter{CustomerID: cid})
			if err != nil {
				return err
			}
			for _, mg := range ms {
				if !seen[mg.ID] {
					seen[mg.ID] = true
					merges = append(merges, mg)
				}
			}
		}
		for _, mg := range merges {
			for _, mm := range mg.Members {
				if slices.Contains(people, mm.CustomerID) {
					addrs.add(steward.ChannelEmail, mm.Before.Record.Email)
					addrs.add(steward.ChannelSMS, mm.Before.Record.Phone)
				}
			}
			if scrub(mg, people) {
				if err := tx.UpdateMerge(ctx, mg); err != nil {
					return fmt.Errorf("empty merge %d: %w", mg.ID, err)
				}
				res.Merges = append(res.Merges, mg.ID)
			}
		}
		for _, a := range addrs.list {
			sp := &steward.Suppression{Channel: a.ch, Hash: e.Keys.Hash(a.ch, a.normalized), Reason: steward.ReasonErased,
				Source: "erase", Actor: m.Actor}
			isNew, err := tx.Suppress(ctx, sp)
			if err != nil {
				return err
			}
			if isNew {
				res.Suppressed++
			}
			if err := tx.ForgetSuppressedAddress(ctx, sp.Hash); err != nil {
				return err
			}
		}
		res.Addresses = len(addrs.list)
		for _, cid := range people {
			changed, err := tx.EraseCustomer(ctx, cid, m)
			if err != nil {
				return err
			}
			res.Erased = res.Erased || changed
		}
		res.Erased = res.Erased || len(res.Merges) > 0 || res.Suppressed > 0
		detail, err := json.Marshal(map[string]any{"customers": people, "addresses": res.Addresses, "merges": res.Merges})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, &steward.AuditEntry{Actor: m.Actor, Action: "customer.erase", Target: "customer:" + strconv.FormatInt(id, 10), Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// person returns root and every customer merged into it, directly or
// through others, ascending.
func person(ctx context.Context, st steward.Store, root int64) ([]int64, error) {
	out := []int64{root}
	for i := 0; i < len(out); i++ {
		ids, err := st.MergedInto(ctx, out[i])
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// scrub empties what merge mg kept of the customers people: their
// before-images and source records, and, when its survivor is one of
// them, the record it made and the values chosen. It reports whether
// anything was left to empty.
func scrub(mg *steward.Merge, people []int64) bool {
	changed := false
	for i := range mg.Members {
		mm := &mg.Members[i]
		if !slices.Contains(people, mm.CustomerID) {
			continue
		}
		empty := steward.Customer{ID: mm.Before.ID, Status: mm.Before.Status, Version: mm.Before.Version, MergedInto: mm.Before.MergedInto}
		if len(steward.Diff(&mm.Before.Record, &empty.Record)) > 0 || len(mm.SourceRefs) > 0 {
			changed = true
		}
		mm.Before, mm.SourceRefs = empty, nil
	}
	if slices.Contains(people, mg.SurvivorID) {
		if len(steward.Diff(&mg.After, &steward.Record{})) > 0 {
			changed = true
		}
		mg.After = steward.Record{}
		for i := range mg.Choices {
			if mg.Choices[i].Value != "" {
				changed = true
			}
			mg.Choices[i].Value = ""
		}
	}
	return changed
}

// addresses collects the distinct addresses to keep suppressed.
type addresses struct {
	region string
	seen   map[string]bool
	list   []address
}

type address struct {
	ch         steward.Channel
	normalized string
}

func newAddresses(region string) *addresses {
	return &addresses{region: region, seen: map[string]bool{}}
}

func (a *addresses) add(ch steward.Channel, values ...string) {
	for _, v := range values {
		n := suppress.Normalize(ch, v, a.region)
		if n == "" || a.seen[string(ch)+"\x00"+n] {
			continue
		}
		a.seen[string(ch)+"\x00"+n] = true
		a.list = append(a.list, address{ch, n})
	}
}
