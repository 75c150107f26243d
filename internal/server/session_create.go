package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

// signIn is the body of POST /api/v1/sessions.
type signIn struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// session is a new session token, shown once.
type session struct {
	Token     string        `json:"token"`
	ExpiresAt time.Time     `json:"expires_at"`
	User      *steward.User `json:"user"`
}

// createSession answers POST /api/v1/sessions: a name and password give
// a session token. Failed attempts are slowed down per name and per
// client (429 with Retry-After).
func (s *Server) createSession(r *http.Request, c *call) (*response, error) {
	var in signIn
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	c.actor = strings.ToLower(strings.TrimSpace(in.Name))
	if c.actor == "" {
		c.actor = "anonymous"
	}
	c.target = "user:" + c.actor
	secret, t, u, err := s.cfg.Auth.Login(r.Context(), in.Name, in.Password, clientOf(r))
	if err != nil {
		return nil, err
	}
	c.user = u
	if err := s.audit(r.Context(), c, "session.create", http.StatusCreated, nil); err != nil {
		return nil, err
	}
	return &response{status: http.StatusCreated, body: session{Token: secret, ExpiresAt: t.ExpiresAt, User: u}}, nil
}
