package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

// createMerge answers POST /api/v1/merges: customer_ids merge into
// survivor_id (the oldest when 0) with the overrides given; versions (the
// customers' versions as the steward saw them) make it fail with 409 when
// one changed since. 201 with the merge and the survivor.
func (s *Server) createMerge(r *http.Request, c *call) (*response, error) {
	var req merge.Request
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	var res *merge.Result
	err := s.write(r.Context(), c, "merge.create", false, func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		var err error
		if res, err = s.merges.Merge(ctx, tx, req, c.meta()); err != nil {
			return nil, err
		}
		c.target = fmt.Sprintf("merge:%d", res.Merge.ID)
		c.detail = map[string]any{"customers": req.CustomerIDs}
		return res.Touched, nil
	})
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusCreated, body: res, etag: mergeETag(res.Merge),
		location: fmt.Sprintf("/api/v1/merges/%d", res.Merge.ID)}, nil
}
