package server_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/sqlite"
	"github.com/steward-crm/steward/internal/store/storetest"
)

func TestSessions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		r := a.want(a.do("", "POST", "/api/v1/sessions", map[string]string{"name": "Steward1", "password": "password of steward"}), 201)
		var s struct {
			Token string
			User  steward.User
		}
		r.decode(t, &s)
		if s.Token == "" || s.User.Name != "steward1" {
			t.Fatalf("session %s", r.body)
		}
		a.tokens["session"] = s.Token
		a.want(a.do("session", "GET", "/api/v1/suggestions", nil), 200)
		a.want(a.do("session", "DELETE", "/api/v1/sessions/current", nil), 200)
		a.want(a.do("session", "GET", "/api/v1/suggestions", nil), 401)
		// Guessing: five failures for a name, then 429 with Retry-After,
		// even for the right password; every attempt is in the audit log.
		for i := range 5 {
			r := a.want(a.do("", "POST", "/api/v1/sessions", map[string]string{"name": "admin1", "password": fmt.Sprint("guess ", i)}), 401)
			if r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		}
		r = a.want(a.do("", "POST", "/api/v1/sessions", map[string]string{"name": "admin1", "password": "password of admin"}), 429)
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		es, err := st.AuditEntries(t.Context(), steward.AuditFilter{Target: "user:admin1"})
		if err != nil || len(es) != 6 {
			t.Errorf("audit of sign-ins for admin1: %d entries (%v), want 6", len(es), err)
		}
		a.want(a.do("", "POST", "/api/v1/sessions", map[string]string{"name": "x"}), 401)
		a.want(a.do("", "POST", "/api/v1/sessions", `{"name": "x", "password": "y", "remember": true}`), 400)
	})
}

func TestErrors(t *testing.T) {
	a := newAPI(t, storetest.SQLite(t))
	r := a.want(a.do("viewer", "GET", "/api/v1/nothing", nil), 404)
	if code, _, _ := r.errorOf(t); code != steward.ENOTFOUND {
		t.Errorf("%s", r.body)
	}
	r = a.want(a.do("viewer", "PUT", "/api/v1/customers/1", `{}`), 405)
	if allow := r.header.Get("Allow"); allow != "GET, PATCH, DELETE" {
		t.Errorf("Allow %q", allow)
	}
	a.want(a.do("viewer", "GET", "/api/v1/merges/preview", nil), 405)
	r = a.do("", "GET", "/api/v1/health", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "ok") {
		t.Errorf("health %d %s", r.status, r.body)
	}
	// A bad token is 401; the token of a lesser role is 403.
	a.tokens["bogus"] = "stw_bogus"
	a.want(a.do("bogus", "GET", "/api/v1/suggestions", nil), 401)
	r = a.want(a.do("steward", "GET", "/api/v1/users", nil), 403)
	if code, msg, _ := r.errorOf(t); code != steward.EFORBIDDEN || !strings.Contains(msg, "admin") {
		t.Errorf("%s", r.body)
	}
	a.want(a.do("viewer", "GET", "/api/v1/job-runs/424242", nil), 404)
	a.want(a.do("viewer", "GET", "/api/v1/job-runs?limit=0", nil), 400)
	a.want(a.do("viewer", "GET", "/api/v1/merges?status=gone", nil), 400)
	a.want(a.do("steward", "POST", "/api/v1/customers", `{}`, "Content-Type", "text/csv"), 400)
}

// TestAudited: every call that changes something is in the audit log
// with its user, failed ones with their status.
func TestAudited(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		f := fixture(t, a)
		a.want(a.do("admin", "POST", "/api/v1/users/viewer1/tokens", map[string]string{"name": "ci", "expires_in": "24h"}), 201)
		a.want(a.do("admin", "DELETE", "/api/v1/tokens/"+f["/api/v1/tokens/{id}"], nil), 200)
		a.want(a.do("steward", "POST", "/api/v1/merges/"+f["/api/v1/merges/{id}"]+"/undo", nil), 200)
		a.want(a.do("steward", "POST", "/api/v1/merges/"+f["/api/v1/merges/{id}"]+"/undo", nil), 409)
		a.want(a.do("viewer", "POST", "/api/v1/merges/"+f["/api/v1/merges/{id}"]+"/undo", nil), 403)
		var log struct{ Items []steward.AuditEntry }
		a.want(a.do("admin", "GET", "/api/v1/audit?limit=1000", nil), 200).decode(t, &log)
		got := map[string]bool{}
		for _, e := range log.Items {
			got[e.Actor+" "+e.Action+" "+e.Target] = true
		}
		mt := "merge:" + f["/api/v1/merges/{id}"]
		for _, want := range []string{"steward1 customer.create customer:" + f["customer a"], "steward1 merge.create " + mt,
			"admin1 token.revoke token:" + f["/api/v1/tokens/{id}"], "steward1 merge.undo " + mt,
			"viewer1 merge.undo " + mt} {
			if !got[want] {
				t.Errorf("no audit entry %q in %v", want, got)
			}
		}
		made := false
		for k := range got {
			made = made || strings.HasPrefix(k, "admin1 token.create token:")
		}
		if !made {
			t.Errorf("no audit entry of the token made in %v", got)
		}
		// The failed undo is logged with its status.
		n := 0
		for _, e := range log.Items {
			if e.Action == "merge.undo" && strings.Contains(string(e.Detail), `"status":409`) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d audit entries of the undo refused with 409", n)
		}
		a.want(a.do("viewer", "GET", "/api/v1/job-runs?job=dedupe", nil), 200)
	})
}

// TestUnavailable: a database that does not answer is 503, with nothing
// of the driver's error in the answer.
func TestUnavailable(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "gone.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	a := newAPI(t, st)
	st.Close()
	r := a.want(a.do("", "GET", "/api/v1/health", nil), 503)
	if code, msg, _ := r.errorOf(t); code != steward.EUNAVAILABLE || strings.Contains(msg, "sql") {
		t.Errorf("%s", r.body)
	}
	r = a.want(a.do("viewer", "GET", "/api/v1/suggestions", nil), 500)
	if _, msg, _ := r.errorOf(t); msg != "Internal error." {
		t.Errorf("an internal error tells %q", msg)
	}
}
