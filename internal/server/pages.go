package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/web"
)

// mountPages serves the stewards' pages (package web) at /, outside the
// API: they authenticate with a session cookie, and change what they
// change through the API's transaction, audit log and index upkeep.
func (s *Server) mountPages() error {
	cfg := web.Config{Store: s.st, Auth: s.cfg.Auth, Merges: s.merges,
		Write: s.pageWrite, Audit: s.pageAudit, Status: Status, Logger: s.log, Now: s.cfg.Now,
		SecureCookies: strings.HasPrefix(s.cfg.PublicURL, "https://")}
	if s.cfg.Keys != nil {
		cfg.Suppressions = s.suppressionsOf
	}
	p, err := web.New(cfg)
	if err != nil {
		return err
	}
	s.pages = p
	s.mux.Handle("/", p)
	return nil
}

// pageCall is the call of a page's action, for the audit log.
func pageCall(a web.Action) *call {
	c := &call{user: a.User, id: a.RequestID, target: a.Target, detail: a.Detail}
	if a.User != nil && a.User.ID == 0 {
		// A failed sign-in: the name tried, nobody signed in.
		c.user, c.actor = nil, a.User.Name
	}
	return c
}

// pageWrite is web.Config.Write: fn in one transaction with a's audit
// entry, then the indexes brought up to date.
func (s *Server) pageWrite(ctx context.Context, a web.Action, fn func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error)) error {
	return s.write(ctx, pageCall(a), a.Name, false, fn)
}

// pageAudit is web.Config.Audit: a's audit entry on its own.
func (s *Server) pageAudit(ctx context.Context, a web.Action) error {
	return s.audit(ctx, pageCall(a), a.Name, http.StatusOK, nil)
}

// crossOriginDenied answers a request CrossOriginProtection refused: a
// JSON error under /api/, a page a steward understands elsewhere.
func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") || s.pages == nil {
		s.writeError(w, r, steward.Errorf(steward.EFORBIDDEN, "Cross-site requests are refused; call the API from a program, with a token."), http.StatusForbidden)
		return
	}
	s.pages.CrossOriginDenied().ServeHTTP(w, r)
}
