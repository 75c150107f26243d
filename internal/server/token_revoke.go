package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/steward-crm/steward"
)

// revokeToken answers DELETE /api/v1/tokens/{id} (admin): the token stops
// working now.
func (s *Server) revokeToken(r *http.Request, c *call) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	c.target = fmt.Sprintf("token:%d", id)
	err = s.write(r.Context(), c, "token.revoke", false, func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		return nil, tx.RevokeToken(ctx, id, s.now())
	})
	if err != nil {
		return nil, err
	}
	return &response{body: map[string]any{"id": id, "status": "revoked"}}, nil
}
