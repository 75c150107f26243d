package server

import (
	"net/http"

	"github.com/steward-crm/steward/internal/merge"
)

// previewMerge answers POST /api/v1/merges/preview: what POST
// /api/v1/merges would make of the same request, without making it (the
// members' records, the survivor and where each value comes from; 422
// for a typed value that is not valid).
func (s *Server) previewMerge(r *http.Request, c *call) (*response, error) {
	var req merge.Request
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	c.detail = map[string]any{"customers": req.CustomerIDs}
	p, err := s.merges.Preview(r.Context(), s.st, req)
	if err != nil {
		return nil, err
	}
	return &response{body: p}, nil
}
