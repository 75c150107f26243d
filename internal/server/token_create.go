package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
)

// newToken is the body of POST /api/v1/users/{name}/tokens.
type newToken struct {
	// Name says what the token is for.
	Name string `json:"name"`
	// ExpiresIn is how long it works ("2160h"); "" until revoked.
	ExpiresIn string `json:"expires_in"`
}

// createdToken is a new token with its secret, shown once.
type createdToken struct {
	*steward.Token
	Secret string `json:"secret"`
	User   string `json:"user"`
}

// createToken answers POST /api/v1/users/{name}/tokens (admin): a new API
// token for the user; its secret is in this answer and nowhere else.
func (s *Server) createToken(r *http.Request, c *call) (*response, error) {
	var in newToken
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	var ttl time.Duration
	if in.ExpiresIn != "" {
		var err error
		if ttl, err = time.ParseDuration(in.ExpiresIn); err != nil || ttl <= 0 {
			return nil, steward.FieldErrorf(steward.EINVALID, "expires_in", "expires_in is a positive duration such as 2160h, not %q.", in.ExpiresIn)
		}
	}
	var out createdToken
	err := s.write(r.Context(), c, "token.create", false, func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		u, err := tx.UserByName(ctx, r.PathValue("name"))
		if err != nil {
			return nil, err
		}
		secret, hash, err := auth.NewSecret()
		if err != nil {
			return nil, err
		}
		t := &steward.Token{UserID: u.ID, Kind: steward.TokenAPI, Name: in.Name, Hash: hash}
		if ttl > 0 {
			t.ExpiresAt = s.now().Add(ttl).Truncate(time.Microsecond)
		}
		if err := tx.CreateToken(ctx, t); err != nil {
			return nil, err
		}
		out = createdToken{Token: t, Secret: secret, User: u.Name}
		c.target = fmt.Sprintf("token:%d", t.ID)
		c.detail = map[string]any{"user": u.Name}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return &response{status: http.StatusCreated, body: out}, nil
}
