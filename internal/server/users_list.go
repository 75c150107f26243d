package server

import "net/http"

// listUsers answers GET /api/v1/users (admin): every user, by name.
func (s *Server) listUsers(r *http.Request, c *call) (*response, error) {
	us, err := s.st.Users(r.Context())
	if err != nil {
		return nil, err
	}
	return &response{body: map[string]any{"items": us}}, nil
}
