package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

// suggestionView is one suggestion as a steward reviews it.
type suggestionView struct {
	Suggestion *steward.Suggestion `json:"suggestion"`
	// Evidence explains the match, pair by pair and field by field.
	Evidence *steward.Evidence `json:"evidence"`
	// Members are the customers side by side, as they are now.
	Members []*steward.Customer `json:"members"`
	// Proposed is the survivor a merge of every active member would make
	// now, and where each value would come from; absent when fewer than
	// two members are still active.
	Proposed *merge.Plan `json:"proposed,omitempty"`
}

// getSuggestion answers GET /api/v1/suggestions/{id}. Its ETag covers the
// suggestion's status and every member's version: sent back as If-Match
// with a decision, it makes the decision fail (409) when anything the
// steward saw changed.
func (s *Server) getSuggestion(r *http.Request, c *call) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	c.target = fmt.Sprintf("suggestion:%d", id)
	ctx := r.Context()
	v, err := s.suggestionView(ctx, s.st, id)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, m := range v.Members {
		ids = append(ids, m.ID)
	}
	c.detail = map[string]any{"customers": ids}
	return &response{body: v, etag: suggestionETag(v.Suggestion, v.Members)}, nil
}

// suggestionView reads suggestion id, its members and evidence, and plans
// the merge of its active members.
func (s *Server) suggestionView(ctx context.Context, st steward.Store, id int64) (*suggestionView, error) {
	sg, err := st.Suggestion(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &suggestionView{Suggestion: sg}
	if v.Evidence, err = sg.DecodeEvidence(); err != nil {
		return nil, err
	}
	var active []int64
	for _, m := range sg.CustomerIDs {
		cu, err := st.Customer(ctx, m)
		if err != nil {
			return nil, err
		}
		v.Members = append(v.Members, cu)
		if cu.Status == steward.StatusActive {
			active = append(active, m)
		}
	}
	if len(active) >= 2 {
		if v.Proposed, err = s.merges.Preview(ctx, st, merge.Request{CustomerIDs: active}); err != nil {
			return nil, err
		}
	}
	return v, nil
}
