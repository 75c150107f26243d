package server

import (
	"net/http"

	"github.com/steward-crm/steward"
)

// listAudit answers GET /api/v1/audit (admin): the audit log, newest
// first, of one target or actor when asked, limit at a time.
func (s *Server) listAudit(r *http.Request, c *call) (*response, error) {
	q := &query{r: r}
	f := steward.AuditFilter{Target: q.str("target"), Actor: q.str("actor"), Limit: int(q.int("limit", 100, 1, 1000)), Before: q.cursor()}
	if q.err != nil {
		return nil, q.err
	}
	es, err := s.st.AuditEntries(r.Context(), f)
	if err != nil {
		return nil, err
	}
	return &response{body: newPage(es, f.Limit, func(e *steward.AuditEntry) int64 { return e.ID })}, nil
}
