package server

import (
	"context"
	"net/http"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

// takeOut answers DELETE /api/v1/merges/{id}/members/{customer}: the
// member is taken out of the merge, back as it was, and the survivor is
// planned again from those who remain; the last member but the survivor
// undoes the merge. If-Match as for undo.
func (s *Server) takeOut(r *http.Request, c *call) (*response, error) {
	member, err := pathID(r, "customer")
	if err != nil {
		return nil, err
	}
	c.detail = map[string]any{"member": member}
	return s.changeMerge(r, c, "merge.take_out", func(ctx context.Context, tx steward.Store, id, version int64) (*merge.Result, error) {
		return s.merges.TakeOut(ctx, tx, id, member, version, c.meta())
	})
}
