package server

import (
	"net/http"

	"github.com/steward-crm/steward"
)

// listJobRuns answers GET /api/v1/job-runs: newest first, of one job when
// asked, limit at a time.
func (s *Server) listJobRuns(r *http.Request, c *call) (*response, error) {
	q := &query{r: r}
	f := steward.JobRunFilter{Job: q.str("job"), Limit: int(q.int("limit", 50, 1, 500)), Before: q.cursor()}
	if q.err != nil {
		return nil, q.err
	}
	runs, err := s.st.JobRuns(r.Context(), f)
	if err != nil {
		return nil, err
	}
	return &response{body: newPage(runs, f.Limit, func(r *steward.JobRun) int64 { return r.ID })}, nil
}
