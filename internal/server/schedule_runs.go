package server

import (
	"net/http"

	"github.com/steward-crm/steward"
)

// listScheduleRuns answers GET /api/v1/schedules/{name}/runs: the
// schedule's runs, the latest scheduled time first, limit of them.
func (s *Server) listScheduleRuns(r *http.Request, c *call) (*response, error) {
	e, err := s.engine()
	if err != nil {
		return nil, err
	}
	name := r.PathValue("name")
	if _, err := e.Schedule(name); err != nil {
		return nil, err
	}
	q := &query{r: r}
	limit := int(q.int("limit", 50, 1, 500))
	if q.err != nil {
		return nil, q.err
	}
	runs, err := s.st.ScheduleRuns(r.Context(), steward.ScheduleRunFilter{Schedule: name, Limit: limit})
	if err != nil {
		return nil, err
	}
	return &response{body: newPage(runs, 0, func(r *steward.ScheduleRun) int64 { return r.ID })}, nil
}
