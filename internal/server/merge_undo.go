package server

import (
	"context"
	"net/http"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

// undoMerge answers POST /api/v1/merges/{id}/undo: every member back as
// it was (values changed since on the survivor kept), with its source
// records; If-Match with the merge's ETag makes it fail (409) when the
// merge changed since.
func (s *Server) undoMerge(r *http.Request, c *call) (*response, error) {
	return s.changeMerge(r, c, "merge.undo", func(ctx context.Context, tx steward.Store, id, version int64) (*merge.Result, error) {
		return s.merges.Undo(ctx, tx, id, version, c.meta())
	})
}

// changeMerge runs fn on merge {id} at the version If-Match names (0 for
// none), in one transaction with its audit entry, and answers the merge
// as fn leaves it.
func (s *Server) changeMerge(r *http.Request, c *call, action string,
	fn func(ctx context.Context, tx steward.Store, id, version int64) (*merge.Result, error)) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	version, err := versionOf(ifMatch(r), "m")
	if err != nil {
		return nil, err
	}
	var res *merge.Result
	err = s.write(r.Context(), c, action, false, func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		var err error
		if res, err = fn(ctx, tx, id, version); err != nil {
			return nil, err
		}
		return res.Touched, nil
	})
	if err != nil {
		return nil, err
	}
	return &response{body: res, etag: mergeETag(res.Merge)}, nil
}
