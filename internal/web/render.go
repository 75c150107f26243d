package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/merge"
)

// view is what the layout shows around every page.
type view struct {
	Title     string
	User      *steward.User
	CanDecide bool
	Blind     bool
	// LastMerge is the merge "undo last merge" undoes; nil for none.
	LastMerge *lastMerge
	Data      any
}

var funcs = template.FuncMap{
	"pct": func(p float64) string { return fmt.Sprintf("%.1f%%", p*100) },
	"weight": func(w float64) string {
		if w >= 0 {
			return fmt.Sprintf("+%.1f", w)
		}
		return fmt.Sprintf("−%.1f", math.Abs(w))
	},
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"label": fieldLabel,
	"level": dedupe.LevelText,
}

// fieldLabel is how a page names a field: "first_name" → "first name".
func fieldLabel(f string) string { return strings.ReplaceAll(f, "_", " ") }

// parse parses every page template with the layout, once.
func (p *Pages) parse() error {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	p.pages = make(map[string]*template.Template)
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return fmt.Errorf("parse %s: %w", n, err)
		}
		p.pages[name] = t
	}
	return nil
}

// render writes page name with data, in the layout, with status.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, c *call, status int, name, title string, data any) error {
	t, ok := p.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	v := view{Title: title, User: c.user, CanDecide: c.can(steward.RoleSteward), Blind: c.blind, LastMerge: c.last, Data: data}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	if err != nil {
		p.log.Warn("page not written", "page", name, "err", err)
	}
	return nil
}

// errorView is an error page: what happened in a steward's words, and
// where to go from here.
type errorView struct {
	Status  int
	Heading string
	Message string
	ID      string
	Back    string
}

var headings = map[int]string{
	http.StatusBadRequest:          "That request was not understood",
	http.StatusUnauthorized:        "Please sign in",
	http.StatusForbidden:           "Not allowed",
	http.StatusNotFound:            "Not found",
	http.StatusConflict:            "Changed meanwhile",
	http.StatusUnprocessableEntity: "That cannot be saved",
	http.StatusTooManyRequests:     "Too many attempts",
	http.StatusServiceUnavailable:  "Not available right now",
}

// fail renders err as a page; an internal error's cause goes to the log
// only.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, c *call, err error) {
	status := p.cfg.Status(err)
	v := errorView{Status: status, Heading: headings[status], Message: steward.ErrorMessage(err), ID: c.id, Back: r.Referer()}
	if status >= 500 || v.Heading == "" {
		p.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "request_id", c.id, "err", err)
		v.Heading = "Something went wrong"
		v.Message = "Something went wrong on our side; nothing you did was lost. Try again; if it happens again, tell an admin the request id below."
	}
	if u, perr := url.Parse(v.Back); perr != nil || u.Host != r.Host {
		v.Back = ""
	}
	var ce *merge.ConflictError
	if errors.As(err, &ce) {
		v.Heading = headings[http.StatusConflict]
	}
	if rerr := p.render(w, r, c, status, "error", v.Heading, v); rerr != nil {
		p.log.Error("error page", "err", rerr)
		http.Error(w, v.Message, status)
	}
}

// CrossOriginDenied is the page a cross-site form post gets: refused.
func (p *Pages) CrossOriginDenied() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w)
		w.Header().Set("Cache-Control", "no-store")
		c := &call{id: "cross-origin"}
		_ = p.authenticate(r, c)
		p.fail(w, r, c, steward.Errorf(steward.EFORBIDDEN, "This form was sent from another site, so it was refused and nothing changed. Open the page in steward itself and send it again."))
	})
}
