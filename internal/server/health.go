package server

import (
	"net/http"

	"github.com/steward-crm/steward"
)

// health answers GET /api/v1/health, without a token: ok when the
// database answers.
func (s *Server) health(r *http.Request, c *call) (*response, error) {
	if _, err := s.st.CustomerGeneration(r.Context()); err != nil {
		s.log.Error("health check", "err", err)
		return nil, steward.Errorf(steward.EUNAVAILABLE, "The database does not answer.")
	}
	return &response{body: map[string]string{"status": "ok"}}, nil
}
