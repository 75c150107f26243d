package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/steward-crm/steward"
)

// deleteSession answers DELETE /api/v1/sessions/current: the token the
// request carries stops working.
func (s *Server) deleteSession(r *http.Request, c *call) (*response, error) {
	c.target = fmt.Sprintf("token:%d", c.token.ID)
	err := s.write(r.Context(), c, "session.delete", false, func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		return nil, tx.RevokeToken(ctx, c.token.ID, s.now())
	})
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusOK, body: map[string]string{"status": "signed out"}}, nil
}
