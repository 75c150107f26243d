package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
	"github.com/steward-crm/steward/internal/suppress"
)

// fixture fills the store with one of everything the routes act on and
// returns the values of their path parameters.
func fixture(t *testing.T, a *api) map[string]string {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for i, name := range []string{"Ali", "Ali", "Reza"} {
		r := a.want(a.do("steward", "POST", "/api/v1/customers", map[string]any{
			"source": "crm", "id": fmt.Sprint("c", i), "first_name": name, "last_name": "Rezaei",
			"email": fmt.Sprintf("%s%d@example.com", strings.ToLower(name), i), "phone": fmt.Sprintf("+98912123456%d", i), "country": "IR"}), 201)
		var out struct{ Customer steward.Customer }
		r.decode(t, &out)
		ids = append(ids, out.Customer.ID)
	}
	sg := &steward.Suggestion{CustomerIDs: ids[:2], Probability: 0.8}
	if err := a.st.UpsertSuggestion(ctx, sg); err != nil {
		t.Fatal(err)
	}
	r := a.want(a.do("steward", "POST", "/api/v1/merges", map[string]any{"customer_ids": ids}), 201)
	var m struct{ Merge steward.Merge }
	r.decode(t, &m)
	var erasable struct{ Customer steward.Customer }
	a.want(a.do("steward", "POST", "/api/v1/customers", map[string]any{"first_name": "Nima", "email": "nima@example.com"}), 201).decode(t, &erasable)
	run, err := a.st.StartJobRun(ctx, steward.JobDedupe)
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.st.UserByName(ctx, "viewer1")
	if err != nil {
		t.Fatal(err)
	}
	_, h, _ := auth.NewSecret()
	tok := &steward.Token{UserID: u.ID, Kind: steward.TokenAPI, Hash: h}
	if err := a.st.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"/api/v1/customers/{id}":                 fmt.Sprint(ids[0]),
		"/api/v1/suggestions/{id}":               fmt.Sprint(sg.ID),
		"/api/v1/merges/{id}":                    fmt.Sprint(m.Merge.ID),
		"/api/v1/merges/{id}/members/{customer}": fmt.Sprintf("%d/members/%d", m.Merge.ID, ids[2]),
		"/api/v1/job-runs/{id}":                  fmt.Sprint(run.ID),
		"/api/v1/users/{name}/tokens":            "viewer1",
		"/api/v1/tokens/{id}":                    fmt.Sprint(tok.ID),
		"/api/v1/suggestions/{id}/decisions":     fmt.Sprint(sg.ID),
		"/api/v1/merges/{id}/undo":               fmt.Sprint(m.Merge.ID),
		"/api/v1/schedules/{name}/runs":          "nightly",
		"/api/v1/schedules/{name}/pause":         "nightly",
		"/api/v1/schedules/{name}/resume":        "nightly",
		"merge members":                          fmt.Sprint(ids),
		"customer a":                             fmt.Sprint(ids[0]),
		"customer c":                             fmt.Sprint(ids[2]),
		"erasable":                               fmt.Sprint(erasable.Customer.ID),
	}
}

// pathFor fills pattern's parameters from the fixture.
func pathFor(pattern string, f map[string]string) string {
	for p, v := range f {
		if !strings.HasPrefix(p, "/") {
			continue
		}
		head, _, _ := strings.Cut(p, "{")
		if strings.HasPrefix(pattern, head) && strings.Count(pattern, "{") == strings.Count(p, "{") && strings.HasSuffix(pattern, p[strings.LastIndex(p, "}")+1:]) {
			i := strings.Index(pattern, "{")
			j := strings.LastIndex(pattern, "}")
			return pattern[:i] + v + pattern[j+1:]
		}
	}
	return pattern
}

// TestRoles calls every route as nobody and as every role: a route that
// needs a role answers 401 without a token and 403 to a lesser role, and
// lets every role from its own up through.
func TestRoles(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st, withKeys(suppress.NewKeys()))
		f := fixture(t, a)
		bodies := map[string]any{
			"POST /api/v1/sessions":                   map[string]string{"name": "admin1", "password": "password of admin"},
			"POST /api/v1/customers":                  map[string]string{"first_name": "Mina", "email": "mina@example.com"},
			"PATCH /api/v1/customers/{id}":            map[string]string{"city": "Tehran"},
			"POST /api/v1/suggestions/{id}/decisions": map[string]string{"action": "skip"},
			"POST /api/v1/merges":                     map[string]any{"customer_ids": []int64{1}},
			"POST /api/v1/merges/preview":             map[string]any{"customer_ids": []int64{1}},
			"POST /api/v1/users/{name}/tokens":        map[string]string{"name": "x"},
		}
		queries := map[string]string{"GET /api/v1/customers": "?q=rezaei"}
		for _, rt := range a.srv.Routes() {
			key := rt.Method + " " + rt.Pattern
			if key == "DELETE /api/v1/sessions/current" {
				continue // signs the caller out: TestSessions
			}
			t.Run(key, func(t *testing.T) {
				path := pathFor(rt.Pattern, f) + queries[key]
				if key == "DELETE /api/v1/customers/{id}" {
					path = "/api/v1/customers/" + f["erasable"] // not one the other routes use
				}
				body := bodies[key]
				if rt.Role == "" {
					if r := a.do("", rt.Method, path, body); r.status == 401 || r.status == 403 || r.status >= 500 {
						t.Errorf("open route answered %d: %s", r.status, r.body)
					}
					return
				}
				a.want(a.do("", rt.Method, path, body), 401)
				for _, role := range steward.Roles() {
					r := a.do(role, rt.Method, path, body)
					switch {
					case !role.Allows(rt.Role):
						if r.status != 403 {
							t.Errorf("%s: %d, want 403: %s", role, r.status, r.body)
						}
					case r.status == 503 && key == "GET /api/v1/jobs/queue" && storePool(st) == nil:
						// SQLite has no job queue: TestJobsQueue.
					case r.status == 401 || r.status == 403 || r.status >= 500:
						t.Errorf("%s: %d: %s", role, r.status, r.body)
					}
				}
			})
		}
	})
}
