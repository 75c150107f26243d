package web

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
	"github.com/steward-crm/steward/internal/merge"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Action is one change a page makes, as the audit log records it: who,
// what ("suggestion.decide"), on what ("suggestion:12"), and more.
type Action struct {
	User   *steward.User
	Name   string
	Target string
	Detail map[string]any
	// RequestID identifies the request in logs and the audit log.
	RequestID string
}

// Meta is who makes the action's changes and why, for the customers'
// history.
func (a Action) Meta() steward.Meta {
	actor := "anonymous"
	if a.User != nil {
		actor = a.User.Name
	}
	return steward.Meta{Actor: actor, Cause: "web:" + a.RequestID}
}

// Config is what the pages are made of; the API server builds it.
type Config struct {
	Store  steward.Store
	Auth   *auth.Authenticator
	Merges *merge.Service
	// Write runs fn in one transaction with a's audit entry and, once
	// committed, brings what depends on the customers fn returns (the
	// duplicate index) up to date.
	Write func(ctx context.Context, a Action, fn func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error)) error
	// Audit records a's audit entry on its own (a read of personal data,
	// a sign-in).
	Audit func(ctx context.Context, a Action) error
	// Suppressions returns the suppressions of a customer's email
	// address and phone number; nil when the server has no keys to look
	// them up (none are shown).
	Suppressions func(ctx context.Context, c *steward.Customer) ([]*steward.Suppression, error)
	// Status is the HTTP status of an error's code.
	Status func(error) int
	Logger *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// SecureCookies marks cookies Secure on every request, for a server
	// behind a proxy that ends TLS (its public URL is https); without
	// it, cookies are Secure on requests that came over TLS.
	SecureCookies bool
}

// Pages serves the steward pages. Make it with New.
type Pages struct {
	cfg   Config
	st    steward.Store
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// New parses the templates and returns the pages.
func New(cfg Config) (*Pages, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Store == nil || cfg.Auth == nil || cfg.Merges == nil || cfg.Write == nil || cfg.Audit == nil || cfg.Status == nil {
		return nil, fmt.Errorf("web: store, auth, merges, write, audit and status are needed")
	}
	p := &Pages{cfg: cfg, st: cfg.Store, log: cfg.Logger, mux: http.NewServeMux()}
	if err := p.parse(); err != nil {
		return nil, err
	}
	p.routes()
	return p, nil
}

// routes lists every page; each handler lives in a file of its own topic.
func (p *Pages) routes() {
	const v, st = steward.RoleViewer, steward.RoleSteward
	assets, _ := fs.Sub(assetFS, "assets")
	p.mux.Handle("GET /assets/", http.StripPrefix("/assets/", assetHandler(http.FileServerFS(assets))))
	p.mux.Handle("GET /login", p.page("", p.loginPage))
	p.mux.Handle("POST /login", p.page("", p.login))
	p.mux.Handle("POST /logout", p.page(v, p.logout))
	p.mux.Handle("GET /{$}", p.page(v, p.home))
	p.mux.Handle("GET /queue", p.page(v, p.queue))
	p.mux.Handle("POST /queue/claim", p.page(st, p.claim))
	p.mux.Handle("POST /queue/release", p.page(st, p.release))
	p.mux.Handle("GET /suggestions/next", p.page(v, p.nextSuggestion))
	p.mux.Handle("GET /suggestions/{id}", p.page(v, p.suggestion))
	p.mux.Handle("GET /suggestions/{id}/{dir}", p.page(v, p.step))
	p.mux.Handle("POST /suggestions/{id}", p.page(st, p.decide))
	p.mux.Handle("GET /customers/{id}", p.page(v, p.customer))
	p.mux.Handle("POST /merges/{id}/undo", p.page(st, p.undo))
	p.mux.Handle("POST /merges/{id}/take-out", p.page(st, p.takeOut))
	p.mux.Handle("/", p.page("", func(w http.ResponseWriter, r *http.Request, c *call) error {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return steward.Errorf(steward.EMALFORMED, "%s cannot be sent to %s; nothing changed. Use the buttons of steward's pages.", r.Method, r.URL.Path)
		}
		return steward.Errorf(steward.ENOTFOUND, "There is no page %s here. The review queue is at /queue.", r.URL.Path)
	}))
}

// ServeHTTP serves the pages.
func (p *Pages) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// assetHandler serves the embedded assets with the security headers and
// a day of caching.
func assetHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w)
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// csp allows scripts, styles and images of this site only, and no inline
// script.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// call is one page request: who makes it and its id.
type call struct {
	user  *steward.User
	token *steward.Token
	id    string
	// blind hides scores (the steward's choice, kept in a cookie).
	blind bool
	// hideSame hides the rows where every record agrees (the steward's
	// choice, kept in a cookie).
	hideSame bool
	// last is the steward's last merge in this browser (kept in a
	// cookie), which u undoes from any page; nil for none.
	last *lastMerge
}

func (c *call) action(name, target string, detail map[string]any) Action {
	return Action{User: c.user, Name: name, Target: target, Detail: detail, RequestID: c.id}
}

// can reports whether the caller's role allows what needs role need.
func (c *call) can(need steward.Role) bool { return c.user != nil && c.user.Role.Allows(need) }

// pageFunc answers one page request; an error becomes an error page.
type pageFunc func(w http.ResponseWriter, r *http.Request, c *call) error

// page wraps fn: headers, request id, the session (a sign-in page for
// none when role is needed), the role, the log line, and the error page.
func (p *Pages) page(role steward.Role, fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		securityHeaders(w)
		w.Header().Set("Cache-Control", "no-store")
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		c := &call{id: hex.EncodeToString(b)}
		if ck, err := r.Cookie(blindCookie); err == nil && ck.Value == "1" {
			c.blind = true
		}
		c.last = parseLastMerge(r)
		if ck, err := r.Cookie(sameCookie); err == nil && ck.Value == "hide" {
			c.hideSame = true
		}
		if v := r.URL.Query().Get("same"); r.Method == http.MethodGet && (v == "hide" || v == "show") {
			c.hideSame = v == "hide"
			p.setCookie(w, r, sameCookie, v, 365*24*3600)
		}
		// ?blind=1 (or 0) on any page turns blind mode on (or off) for
		// the pages after it too.
		if b := r.URL.Query().Get("blind"); r.Method == http.MethodGet && (b == "1" || b == "0") {
			c.blind = b == "1"
			p.setCookie(w, r, blindCookie, b, 365*24*3600)
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				p.log.Error("panic", "path", r.URL.Path, "request_id", c.id, "panic", fmt.Sprint(v))
				p.fail(sw, r, c, fmt.Errorf("panic: %v", v))
			}
			attrs := []any{"method", r.Method, "page", r.Pattern, "status", sw.status,
				"ms", float64(time.Since(start).Microseconds()) / 1000, "request_id", c.id}
			if c.user != nil {
				attrs = append(attrs, "user_id", c.user.ID)
			}
			p.log.Info("page", attrs...)
		}()
		if err := p.authenticate(r, c); err != nil && role != "" {
			switch {
			case steward.ErrorCode(err) == steward.EUNAUTHORIZED && r.Method == http.MethodGet:
				p.clearSession(sw, r)
				http.Redirect(sw, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			case steward.ErrorCode(err) == steward.EUNAUTHORIZED:
				// A form sent after the session ended: say that nothing
				// changed, and come back to the page it was sent from.
				p.clearSession(sw, r)
				if rerr := p.render(sw, r, c, http.StatusUnauthorized, "login", "Sign in", loginView{Next: backTo(r),
					Error: "Your session ended, so nothing was changed. Sign in again, then decide again."}); rerr != nil {
					p.fail(sw, r, c, rerr)
				}
			default:
				p.fail(sw, r, c, err)
			}
			return
		}
		if role != "" && !c.can(role) {
			p.fail(sw, r, c, steward.Errorf(steward.EFORBIDDEN, "This needs the %s role; you (%s) are a %s. Ask an admin if you should decide suggestions.", role, c.user.Name, c.user.Role))
			return
		}
		if err := fn(sw, r, c); err != nil {
			p.fail(sw, r, c, err)
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}
