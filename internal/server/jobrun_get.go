package server

import "net/http"

// getJobRun answers GET /api/v1/job-runs/{id}.
func (s *Server) getJobRun(r *http.Request, c *call) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	run, err := s.st.JobRun(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return &response{body: run}, nil
}
