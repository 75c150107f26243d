package server

import (
	"net/http"
	"strconv"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

// customerView is a customer's full record with its history.
type customerView struct {
	Customer *steward.Customer `json:"customer"`
	// MergedFrom lists the ids asked for and passed through when the id
	// asked for was merged: the answer is the customer it was merged into.
	MergedFrom []int64 `json:"merged_from,omitempty"`
	// History is the audit trail of the customer's fields.
	History []steward.Change `json:"history"`
	// SourceRefs are the source records that resolve to it.
	SourceRefs []steward.SourceRef `json:"source_refs"`
	// Aliases are the customers merged into it, whose ids resolve to it.
	Aliases []int64 `json:"aliases"`
	// Merges are the latest merges it was part of.
	Merges []mergeSummary `json:"merges"`
	// Suppressions are those of its email address and phone number: what
	// must not be sent to them, since when and why.
	Suppressions []*steward.Suppression `json:"suppressions"`
	// Verification is the latest check of its current email address;
	// absent when it was never checked.
	Verification *steward.EmailCheck `json:"verification,omitempty"`
}

// getCustomer answers GET /api/v1/customers/{id}: the full record, its
// history, source records, aliases and merges. A merged customer's id
// answers with the customer it was merged into, and MergedFrom says so.
func (s *Server) getCustomer(r *http.Request, c *call) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	cu, via, err := merge.Resolve(ctx, s.st, id)
	if err != nil {
		return nil, err
	}
	c.target = "customer:" + strconv.FormatInt(cu.ID, 10)
	v := customerView{Customer: cu, MergedFrom: via}
	if v.History, err = s.st.Changes(ctx, cu.ID); err != nil {
		return nil, err
	}
	if v.SourceRefs, err = s.st.SourceRefs(ctx, cu.ID); err != nil {
		return nil, err
	}
	if v.Aliases, err = s.st.MergedInto(ctx, cu.ID); err != nil {
		return nil, err
	}
	ms, err := s.st.Merges(ctx, steward.MergeFilter{CustomerID: cu.ID, Limit: 20})
	if err != nil {
		return nil, err
	}
	v.Merges = summarize(ms)
	if v.Suppressions, err = s.suppressionsOf(ctx, cu); err != nil {
		return nil, err
	}
	if cu.Record.Email != "" {
		v.Verification, err = s.st.EmailCheck(ctx, cu.ID, cu.Record.Email)
		if steward.ErrorCode(err) == steward.ENOTFOUND {
			err = nil
		}
		if err != nil {
			return nil, err
		}
	}
	return &response{body: v, etag: customerETag(cu)}, nil
}
