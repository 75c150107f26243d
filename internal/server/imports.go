package server

import (
	"net/http"

	"github.com/steward-crm/steward"
)

// listImports answers GET /api/v1/imports: the imports history, newest
// first, of one source when asked, limit at a time.
func (s *Server) listImports(r *http.Request, c *call) (*response, error) {
	q := &query{r: r}
	f := steward.ImportFilter{Source: q.str("source"), Limit: int(q.int("limit", 50, 1, 500)), Before: q.cursor()}
	if q.err != nil {
		return nil, q.err
	}
	ims, err := s.st.Imports(r.Context(), f)
	if err != nil {
		return nil, err
	}
	return &response{body: newPage(ims, f.Limit, func(im *steward.ImportRecord) int64 { return im.ID })}, nil
}

// getImport answers GET /api/v1/imports/{id}: one import with its
// summary.
func (s *Server) getImport(r *http.Request, c *call) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	im, err := s.st.Import(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return &response{body: im}, nil
}
