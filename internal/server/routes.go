package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/steward-crm/steward"
)

// route is one API operation: its method and path pattern, the role it
// needs ("" for none: the health check and signing in), the audit action
// it is logged as ("" for reads of nothing personal), and its handler.
type route struct {
	method  string
	pattern string
	role    steward.Role
	audit   string
	handle  handler
}

// Route is an operation as the OpenAPI document and its test see it.
type Route struct {
	Method, Pattern string
	Role            steward.Role
}

// table lists every operation; each handler lives in a file of its own.
func (s *Server) table() []route {
	const v, st, ad = steward.RoleViewer, steward.RoleSteward, steward.RoleAdmin
	return []route{
		{"GET", "/api/v1/health", "", "", s.health},
		{"GET", "/api/v1/openapi.json", v, "", s.openAPI},
		{"POST", "/api/v1/sessions", "", "session.create", s.createSession},
		{"DELETE", "/api/v1/sessions/current", v, "session.delete", s.deleteSession},

		{"GET", "/api/v1/customers", v, "customer.search", s.searchCustomers},
		{"POST", "/api/v1/customers", st, "customer.create", s.createCustomer},
		{"GET", "/api/v1/customers/{id}", v, "customer.read", s.getCustomer},
		{"PATCH", "/api/v1/customers/{id}", st, "customer.update", s.updateCustomer},
		{"DELETE", "/api/v1/customers/{id}", ad, "customer.erase", s.eraseCustomer},
		{"POST", "/api/v1/customers/{id}/unsubscribe-links", st, "customer.unsubscribe_link", s.unsubscribeLink},

		{"GET", "/api/v1/suggestions", v, "", s.listSuggestions},
		{"GET", "/api/v1/suggestions/{id}", v, "suggestion.read", s.getSuggestion},
		{"POST", "/api/v1/suggestions/{id}/decisions", st, "suggestion.decide", s.decide},

		{"GET", "/api/v1/merges", v, "", s.listMerges},
		{"POST", "/api/v1/merges", st, "merge.create", s.createMerge},
		{"POST", "/api/v1/merges/preview", st, "merge.preview", s.previewMerge},
		{"GET", "/api/v1/merges/{id}", v, "merge.read", s.getMerge},
		{"POST", "/api/v1/merges/{id}/undo", st, "merge.undo", s.undoMerge},
		{"DELETE", "/api/v1/merges/{id}/members/{customer}", st, "merge.take_out", s.takeOut},

		{"GET", "/api/v1/job-runs", v, "", s.listJobRuns},
		{"GET", "/api/v1/job-runs/{id}", v, "", s.getJobRun},
		{"GET", "/api/v1/imports", v, "", s.listImports},
		{"GET", "/api/v1/quality", v, "", s.getQuality},
		{"GET", "/api/v1/imports/{id}", v, "", s.getImport},

		{"GET", "/api/v1/users", ad, "", s.listUsers},
		{"POST", "/api/v1/users/{name}/tokens", ad, "token.create", s.createToken},
		{"DELETE", "/api/v1/tokens/{id}", ad, "token.revoke", s.revokeToken},
		{"GET", "/api/v1/audit", ad, "", s.listAudit},

		{"GET", "/api/v1/schedules", ad, "", s.listSchedules},
		{"GET", "/api/v1/schedules/{name}/runs", ad, "", s.listScheduleRuns},
		{"POST", "/api/v1/schedules/{name}/runs", ad, "schedule.run", s.runSchedule},
		{"POST", "/api/v1/schedules/{name}/pause", ad, "schedule.pause", s.pauseSchedule},
		{"POST", "/api/v1/schedules/{name}/resume", ad, "schedule.resume", s.resumeSchedule},
		{"GET", "/api/v1/jobs/queue", ad, "", s.listQueue},
	}
}

// Routes returns every operation the server answers.
func (s *Server) Routes() []Route {
	out := make([]Route, len(s.routes))
	for i, rt := range s.routes {
		out[i] = Route{Method: rt.method, Pattern: rt.pattern, Role: rt.role}
	}
	return out
}

// register adds the routes to the mux, and for every path a handler of
// the methods it does not answer (405, with Allow) and, under /api/, of
// paths that are no route (404), both as JSON errors.
func (s *Server) register() {
	methods := make(map[string][]string)
	var paths []string
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.serve(rt))
		if methods[rt.pattern] == nil {
			paths = append(paths, rt.pattern)
		}
		methods[rt.pattern] = append(methods[rt.pattern], rt.method)
	}
	for _, p := range paths {
		allow := strings.Join(methods[p], ", ")
		notAllowed := func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			s.writeError(w, r, steward.Errorf(steward.EMALFORMED, "%s does not take %s; it takes %s.", p, r.Method, allow), http.StatusMethodNotAllowed)
		}
		// One pattern per method, not one for all: a pattern without a
		// method would clash with another path's method pattern that
		// matches the same paths (POST /merges/preview, GET /merges/{id}).
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if !slices.Contains(methods[p], m) {
				s.mux.HandleFunc(m+" "+p, notAllowed)
			}
		}
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, steward.Errorf(steward.ENOTFOUND, "There is no %s; the API's operations are listed at /api/v1/openapi.json.", r.URL.Path), 0)
	})
}
