package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
)

// sessionCookie carries a session token's secret; the database keeps its
// hash, so every instance behind a balancer knows it.
const sessionCookie = "steward_session"

// blindCookie remembers blind mode: scores hidden.
const blindCookie = "steward_blind"

// sameCookie remembers whether the rows where every record agrees are
// hidden on suggestion pages.
const sameCookie = "steward_same"

// lastMergeCookie remembers the steward's last merge, "ID.VERSION", for
// "undo last merge" (u) on any page.
const lastMergeCookie = "steward_last_merge"

// lastMerge is a merge at the version its maker left it.
type lastMerge struct{ ID, Version int64 }

// parseLastMerge reads the last merge's cookie; nil for none.
func parseLastMerge(r *http.Request) *lastMerge {
	ck, err := r.Cookie(lastMergeCookie)
	if err != nil {
		return nil
	}
	var m lastMerge
	if _, err := fmt.Sscanf(ck.Value, "%d.%d", &m.ID, &m.Version); err != nil || m.ID <= 0 {
		return nil
	}
	return &m
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// clientOf names the client for the sign-in throttle: its address.
func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SessionSecret returns the session token's secret the request's cookie
// carries, for other pages of the server that take the pages' sign-in.
func SessionSecret(r *http.Request) (string, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return "", false
	}
	return ck.Value, true
}

// authenticate fills c with the user of the request's session cookie.
func (p *Pages) authenticate(r *http.Request, c *call) error {
	secret, ok := SessionSecret(r)
	if !ok {
		return steward.Errorf(steward.EUNAUTHORIZED, "Sign in first.")
	}
	u, t, err := p.cfg.Auth.Bearer(r.Context(), secret, clientOf(r))
	if err != nil {
		return err
	}
	c.user, c.token = u, t
	return nil
}

// setCookie sets a cookie only this site's pages read: HttpOnly,
// SameSite=Lax, Secure when served over TLS.
func (p *Pages) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil || p.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (p *Pages) clearSession(w http.ResponseWriter, r *http.Request) {
	p.setCookie(w, r, sessionCookie, "", -1)
}

// localPath returns next when it is a path of this site, else /queue:
// a sign-in never sends anyone elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.HasPrefix(next, "/login") {
		return "/queue"
	}
	return next
}

type loginView struct {
	Next, Name, Error string
	// NoUsers says that nobody can sign in yet: the first user is added
	// at the command line.
	NoUsers bool
}

func (p *Pages) home(w http.ResponseWriter, r *http.Request, c *call) error {
	http.Redirect(w, r, "/queue", http.StatusSeeOther)
	return nil
}

// loginPage shows the sign-in form (or goes on, for a signed-in user).
func (p *Pages) loginPage(w http.ResponseWriter, r *http.Request, c *call) error {
	next := localPath(r.URL.Query().Get("next"))
	if c.user != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	// Whether anyone can sign in yet is a hint: a store that cannot say
	// does not keep the sign-in form from those who can.
	users, err := p.cfg.Store.Users(r.Context())
	return p.render(w, r, c, http.StatusOK, "login", "Sign in", loginView{Next: next, NoUsers: err == nil && len(users) == 0})
}

// login checks the name and password and sets the session cookie.
func (p *Pages) login(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := r.ParseForm(); err != nil {
		return steward.Errorf(steward.EMALFORMED, "The sign-in form did not arrive whole; try again.")
	}
	name, next := r.PostForm.Get("name"), localPath(r.PostForm.Get("next"))
	secret, t, u, err := p.cfg.Auth.Login(r.Context(), name, r.PostForm.Get("password"), clientOf(r))
	if err != nil {
		status := p.cfg.Status(err)
		if status >= 500 {
			return err
		}
		var te *auth.ThrottledError
		if errors.As(err, &te) {
			w.Header().Set("Retry-After", fmt.Sprint(int(te.RetryAfter.Seconds())))
		}
		_ = p.cfg.Audit(r.Context(), Action{User: &steward.User{Name: actorOf(name)}, Name: "session.create", Target: "user:" + actorOf(name),
			Detail: map[string]any{"status": status, "error": steward.ErrorCode(err), "via": "web"}, RequestID: c.id})
		return p.render(w, r, c, status, "login", "Sign in", loginView{Next: next, Name: name, Error: steward.ErrorMessage(err)})
	}
	c.user, c.token = u, t
	if err := p.cfg.Audit(r.Context(), c.action("session.create", "user:"+u.Name, map[string]any{"status": http.StatusCreated, "via": "web"})); err != nil {
		return err
	}
	p.setCookie(w, r, sessionCookie, secret, int(t.ExpiresAt.Sub(p.cfg.Now()).Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func actorOf(name string) string {
	if n := strings.ToLower(strings.TrimSpace(name)); n != "" {
		return n
	}
	return "anonymous"
}

// logout revokes the session's token and clears the cookie.
func (p *Pages) logout(w http.ResponseWriter, r *http.Request, c *call) error {
	err := p.cfg.Write(r.Context(), c.action("session.delete", fmt.Sprintf("token:%d", c.token.ID), map[string]any{"via": "web"}),
		func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
			return nil, tx.RevokeToken(ctx, c.token.ID, p.cfg.Now().UTC())
		})
	if err != nil {
		return err
	}
	p.clearSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// backTo is the page a form was sent from (its Referer, when it is a page
// of this site), else the queue.
func backTo(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host || u.Path == "" {
		return "/queue"
	}
	return localPath(u.RequestURI())
}
