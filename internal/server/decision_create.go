package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

// decide answers POST /api/v1/suggestions/{id}/decisions: merge (all
// members, or those listed, with a survivor and overrides), not_duplicate
// (all, or one member against the others) or skip. With If-Match (the
// suggestion's ETag) it fails with 409, changing nothing, when the
// suggestion or a member changed since it was read.
func (s *Server) decide(r *http.Request, c *call) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var d merge.Decision
	if err := decode(r, &d); err != nil {
		return nil, err
	}
	tag := ifMatch(r)
	c.target = fmt.Sprintf("suggestion:%d", id)
	c.detail = map[string]any{"action": d.Action}
	var out *merge.Decided
	err = s.write(r.Context(), c, "suggestion.decide", false, func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		if tag != "" {
			sg, err := tx.Suggestion(ctx, id)
			if err != nil {
				return nil, err
			}
			var members []*steward.Customer
			for _, m := range sg.CustomerIDs {
				cu, err := tx.Customer(ctx, m)
				if err != nil {
					return nil, err
				}
				members = append(members, cu)
			}
			if now := suggestionETag(sg, members); now != tag {
				return nil, &merge.ConflictError{Err: staleTag(fmt.Sprintf("Suggestion %d or one of its customers", id), tag, now), Current: members}
			}
		}
		var err error
		out, err = s.merges.Decide(ctx, tx, id, d, c.meta())
		if err != nil || out.Merge == nil {
			if out != nil {
				return out.Released, err
			}
			return nil, err
		}
		c.detail["merge"] = out.Merge.Merge.ID
		return out.Merge.Touched, nil
	})
	if err != nil {
		return nil, err
	}
	return &response{body: out}, nil
}
