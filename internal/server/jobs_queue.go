package server

import (
	"net/http"

	"github.com/steward-crm/steward"
)

// listQueue answers GET /api/v1/jobs/queue: River's jobs behind the
// schedules (PostgreSQL), newest first, limit of them; open=true keeps
// those not finished.
func (s *Server) listQueue(r *http.Request, c *call) (*response, error) {
	if s.cfg.Queue == nil {
		return nil, steward.Errorf(steward.EUNAVAILABLE, "This server has no job queue: on SQLite the schedules run in its own process (see /api/v1/schedules).")
	}
	q := &query{r: r}
	limit := int(q.int("limit", 50, 1, 500))
	open := q.bool("open")
	if q.err != nil {
		return nil, q.err
	}
	jobs, err := s.cfg.Queue(r.Context(), limit, open)
	if err != nil {
		return nil, err
	}
	return &response{body: map[string]any{"jobs": jobs}}, nil
}
