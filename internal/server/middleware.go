package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

// call is one request as its handler sees it: who makes it, and what the
// audit log is to say about it.
type call struct {
	user  *steward.User
	token *steward.Token
	// id identifies the request in logs and audit entries.
	id string
	// target is what the request acts on ("customer:12"), for the audit
	// log; detail says more.
	target string
	detail map[string]any
	// audited is set once the handler wrote the request's audit entry (in
	// the transaction of its change).
	audited bool
	// actor overrides the user's name in the audit log (a failed sign-in
	// names the user tried).
	actor string
}

// actorName is how the audit log names whoever made the call.
func (c *call) actorName() string {
	switch {
	case c.actor != "":
		return c.actor
	case c.user != nil:
		return c.user.Name
	}
	return "anonymous"
}

// meta is the call's actor and cause for the customers' audit trail.
func (c *call) meta() steward.Meta {
	return steward.Meta{Actor: c.actorName(), Cause: "api:" + c.id}
}

// response is a handler's answer: status (200 when 0), body as JSON, an
// entity tag, a location.
type response struct {
	status   int
	body     any
	etag     string
	location string
	// page, when not nil, is the answer instead of body as JSON: an HTML
	// page, sent with its own security headers.
	page []byte
}

// handler answers one call.
type handler func(r *http.Request, c *call) (*response, error)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// serve wraps rt's handler: request id, authentication and role, the
// audit entry, the answer, the log line, and a recovered panic.
func (s *Server) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		c := &call{id: r.Header.Get("X-Request-Id")}
		if !requestIDRE.MatchString(c.id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			c.id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", c.id)
		status := http.StatusInternalServerError
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "route", rt.pattern, "request_id", c.id, "panic", fmt.Sprint(p))
				s.writeError(w, r, fmt.Errorf("panic: %v", p), 0)
			}
			attrs := []any{"method", r.Method, "route", rt.pattern, "status", status,
				"ms", float64(time.Since(start).Microseconds()) / 1000, "request_id", c.id}
			if c.user != nil {
				attrs = append(attrs, "user_id", c.user.ID)
			}
			s.log.Info("request", attrs...)
		}()
		c.target = targetOf(rt.pattern, r)
		res, err := s.run(r, rt, c)
		if err == nil && rt.audit != "" && !c.audited {
			err = s.audit(r.Context(), c, rt.audit, http.StatusOK, nil)
		}
		if err != nil {
			status = Status(err)
			// A failed call is audited when it is known who made it: a user
			// signed in, or the name a sign-in tried.
			if rt.audit != "" && !c.audited && (c.user != nil || c.actor != "") {
				if aerr := s.audit(r.Context(), c, rt.audit, status, err); aerr != nil {
					s.log.Error("audit entry not written", "request_id", c.id, "err", aerr)
				}
			}
			s.writeError(w, r, err, status)
			return
		}
		status = res.status
		if status == 0 {
			status = http.StatusOK
		}
		if res.etag != "" {
			w.Header().Set("ETag", res.etag)
		}
		if res.location != "" {
			w.Header().Set("Location", res.location)
		}
		if res.page != nil {
			writePage(w, status, res.page)
			return
		}
		s.writeJSON(w, status, res.body)
	})
}

// writePage sends an HTML page that runs no script and loads nothing but
// itself: inline styles and SVG only. It sends no referrer: an
// unsubscribe link's token is in its address.
func writePage(w http.ResponseWriter, status int, page []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(page)
}

// run authenticates the call when rt needs a role and runs its handler.
func (s *Server) run(r *http.Request, rt route, c *call) (*response, error) {
	if rt.role != "" {
		secret, ok := bearer(r)
		if !ok {
			return nil, steward.Errorf(steward.EUNAUTHORIZED, "Send a token: Authorization: Bearer TOKEN (steward tokens create, or POST /api/v1/sessions).")
		}
		u, t, err := s.cfg.Auth.Bearer(r.Context(), secret, clientOf(r))
		if err != nil {
			return nil, err
		}
		c.user, c.token = u, t
		if !u.Role.Allows(rt.role) {
			return nil, steward.Errorf(steward.EFORBIDDEN, "%s %s needs the %s role; %s is a %s.", rt.method, rt.pattern, rt.role, u.Name, u.Role)
		}
	}
	return rt.handle(r, c)
}

// targetOf names what a request acts on, for the audit log, from its
// path: "merge:3" for /api/v1/merges/3/undo, "user:sara" for
// /api/v1/users/sara/tokens; "" for none. Handlers may name it better.
func targetOf(pattern string, r *http.Request) string {
	parts := strings.Split(strings.TrimPrefix(pattern, "/api/v1/"), "/")
	if len(parts) < 2 || !strings.HasPrefix(parts[1], "{") {
		return ""
	}
	v := r.PathValue(strings.Trim(parts[1], "{}"))
	return strings.TrimSuffix(parts[0], "s") + ":" + v
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header.
func bearer(r *http.Request) (string, bool) {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return "", false
	}
	return strings.TrimSpace(secret), true
}

// clientOf names the client for the throttle: its address without the
// port.
func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// audit writes the call's audit entry outside any transaction: a read
// (before it is answered), or a call that failed.
func (s *Server) audit(ctx context.Context, c *call, action string, status int, failure error) error {
	e, err := s.auditEntry(c, action, status, failure)
	if err != nil {
		return err
	}
	if err := s.st.Audit(context.WithoutCancel(ctx), e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	c.audited = true
	return nil
}

// auditEntry is the call's entry in the audit log.
func (s *Server) auditEntry(c *call, action string, status int, failure error) (*steward.AuditEntry, error) {
	d := map[string]any{"request_id": c.id, "status": status}
	for k, v := range c.detail {
		d[k] = v
	}
	if failure != nil {
		d["error"] = steward.ErrorCode(failure)
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return &steward.AuditEntry{At: s.now(), Actor: c.actorName(), Action: action, Target: c.target, Detail: b}, nil
}

// writeJSON answers body as JSON with status.
func (s *Server) writeJSON(w http.ResponseWriter, status int, body any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if body == nil {
		body = struct{}{}
	}
	if err := json.NewEncoder(w).Encode(body); err != nil {
		s.log.Warn("response not written", "err", err)
	}
}

// writeError answers err as {code, message, field?, …} with status (its
// code's status when 0); an internal error's cause goes to the log only.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error, status int) {
	if status == 0 {
		status = Status(err)
	}
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "route", r.Pattern, "request_id", w.Header().Get("X-Request-Id"), "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="steward"`)
	}
	if secs := retryAfter(err); secs > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	s.writeJSON(w, status, bodyOf(err))
}
