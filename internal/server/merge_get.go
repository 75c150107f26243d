package server

import (
	"fmt"
	"net/http"
)

// getMerge answers GET /api/v1/merges/{id}: the merge with every member's
// before-image and the survivor's choices. Its ETag goes back as If-Match
// with an undo or a take-out.
func (s *Server) getMerge(r *http.Request, c *call) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	c.target = fmt.Sprintf("merge:%d", id)
	m, err := s.st.Merge(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return &response{body: m, etag: mergeETag(m)}, nil
}
