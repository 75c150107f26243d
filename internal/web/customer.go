package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

// fieldValue is one non-empty field of a record.
type fieldValue struct {
	Field, Label, Value string
}

// mergeView is one merge a customer was part of, with what a steward can
// still do to it.
type mergeView struct {
	Merge   *steward.Merge
	Members []mergeMember
	Active  bool
}

type mergeMember struct {
	ID       int64
	Name     string
	Survivor bool
	In       bool
	TakenOut string
}

type customerPage struct {
	Customer   *steward.Customer
	Name       string
	Fields     []fieldValue
	SourceRefs []steward.SourceRef
	Aliases    []int64
	History    []steward.Change
	Merges     []mergeView
	Notice     string
	// Suppressions are those of its email address and phone number; nil
	// when they cannot be looked up.
	Suppressions []*steward.Suppression
}

// customer shows a customer: its record, source records, the customers
// merged into it, its history, and its merges with undo and take-out.
func (p *Pages) customer(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	cu, err := p.st.Customer(ctx, id)
	if err != nil {
		return err
	}
	v := &customerPage{Customer: cu, Name: displayName(cu), Notice: r.URL.Query().Get("done")}
	for _, f := range steward.CanonicalFields() {
		if val := cu.Record.Get(f); val != "" {
			v.Fields = append(v.Fields, fieldValue{f, fieldLabel(f), val})
		}
	}
	for _, a := range cu.Record.AttributeNames() {
		v.Fields = append(v.Fields, fieldValue{a, fieldLabel(a), cu.Record.Attributes[a]})
	}
	if v.SourceRefs, err = p.st.SourceRefs(ctx, id); err != nil {
		return err
	}
	if v.Aliases, err = p.st.MergedInto(ctx, id); err != nil {
		return err
	}
	if p.cfg.Suppressions != nil {
		if v.Suppressions, err = p.cfg.Suppressions(ctx, cu); err != nil {
			return err
		}
	}
	if v.History, err = p.st.Changes(ctx, id); err != nil {
		return err
	}
	slices.Reverse(v.History)
	ms, err := p.st.Merges(ctx, steward.MergeFilter{CustomerID: id, Limit: 50})
	if err != nil {
		return err
	}
	for _, mg := range ms {
		mv := mergeView{Merge: mg, Active: mg.Status == steward.MergeActive}
		for _, mm := range mg.Members {
			m := mergeMember{ID: mm.CustomerID, Name: displayName(&mm.Before), Survivor: mm.CustomerID == mg.SurvivorID, In: mm.In()}
			if !mm.In() {
				m.TakenOut = fmt.Sprintf("taken out by %s, %s", mm.TakenOutBy, mm.TakenOutAt.UTC().Format("2006-01-02 15:04 UTC"))
			}
			mv.Members = append(mv.Members, m)
		}
		v.Merges = append(v.Merges, mv)
	}
	if err := p.cfg.Audit(ctx, c.action("customer.read", fmt.Sprintf("customer:%d", id), map[string]any{"via": "web"})); err != nil {
		return err
	}
	return p.render(w, r, c, http.StatusOK, "customer", v.Name, v)
}

// undo undoes merge {id} at the version the page showed, then shows the
// survivor, or the page the form came back to.
func (p *Pages) undo(w http.ResponseWriter, r *http.Request, c *call) error {
	return p.changeMerge(w, r, c, "merge.undo", nil, func(ctx context.Context, tx steward.Store, id, version int64) (*merge.Result, error) {
		return p.cfg.Merges.Undo(ctx, tx, id, version, c.action("", "", nil).Meta())
	})
}

// takeOut takes the form's member out of merge {id}.
func (p *Pages) takeOut(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := r.ParseForm(); err != nil {
		return steward.Errorf(steward.EMALFORMED, "The form did not arrive whole; nothing changed. Try again.")
	}
	member, err := strconv.ParseInt(r.PostForm.Get("member"), 10, 64)
	if err != nil {
		return steward.Errorf(steward.EMALFORMED, "Which member to take out was not understood; nothing changed.")
	}
	return p.changeMerge(w, r, c, "merge.take_out", map[string]any{"member": member}, func(ctx context.Context, tx steward.Store, id, version int64) (*merge.Result, error) {
		return p.cfg.Merges.TakeOut(ctx, tx, id, member, version, c.action("", "", nil).Meta())
	})
}

// changeMerge runs fn on merge {id} at the form's version in one
// transaction with its audit entry, and goes back to the form's page (a
// customer's, or the next suggestion).
func (p *Pages) changeMerge(w http.ResponseWriter, r *http.Request, c *call, action string, detail map[string]any,
	fn func(ctx context.Context, tx steward.Store, id, version int64) (*merge.Result, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return steward.Errorf(steward.EMALFORMED, "The form did not arrive whole; nothing changed. Try again.")
	}
	var version int64
	if s := r.PostForm.Get("version"); s != "" {
		if version, err = strconv.ParseInt(s, 10, 64); err != nil {
			return steward.Errorf(steward.EMALFORMED, "The merge's version was not understood; reload the page and try again.")
		}
	}
	if detail == nil {
		detail = map[string]any{}
	}
	detail["via"] = "web"
	if c.last != nil && c.last.ID == id {
		// Undone or taken apart, successfully or not: no longer the
		// merge "undo last merge" undoes.
		p.setCookie(w, r, lastMergeCookie, "", -1)
	}
	var res *merge.Result
	err = p.cfg.Write(r.Context(), c.action(action, fmt.Sprintf("merge:%d", id), detail), func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		var err error
		if res, err = fn(ctx, tx, id, version); err != nil {
			return nil, err
		}
		return res.Touched, nil
	})
	if err != nil {
		return err
	}
	back := localPath(r.PostForm.Get("back"))
	if r.PostForm.Get("back") == "" {
		back = fmt.Sprintf("/customers/%d", res.Merge.SurvivorID)
	}
	sep := "?"
	if slices.Contains([]byte(back), '?') {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"done="+action, http.StatusSeeOther)
	return nil
}
