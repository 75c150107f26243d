package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

// TestClaims: a steward claims the queue; another steward's next
// suggestion passes the claimed ones by and their queue names who holds
// them; released, they are anyone's again.
func TestClaims(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		s := newSite(t, st)
		fx := s.seed()
		sara := s.browser()
		sara.signIn(steward.RoleSteward)
		// All four: a batch is 25.
		p := sara.post("/queue/claim", url.Values{"band": {""}, "order": {"uncertain"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("claim: %d %.300s", p.status, p.body)
		}
		wantIn(t, sara.follow(p), "You claimed 4 suggestions", `<span class="tag mine">yours</span>`)

		admin := s.browser()
		admin.signIn(steward.RoleAdmin)
		if p := admin.get("/suggestions/next"); p.location != "/queue?done=empty" {
			t.Errorf("next with everything claimed by another: %q", p.location)
		}
		wantIn(t, admin.get("/queue"), `<span class="tag">steward1</span>`)
		wantIn(t, admin.get(path("/suggestions/%d", fx.Other.ID)), "steward1 claimed this suggestion")
		if p := sara.get("/suggestions/next"); !strings.HasPrefix(p.location, path("/suggestions/%d?", fx.Other.ID)) {
			t.Errorf("the claimer's next: %q", p.location)
		}

		if p := sara.post("/queue/release", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("release: %d", p.status)
		}
		if p := admin.get("/suggestions/next"); !strings.HasPrefix(p.location, path("/suggestions/%d?", fx.Other.ID)) {
			t.Errorf("next after release: %q", p.location)
		}
		v := s.browser()
		v.signIn(steward.RoleViewer)
		if p := v.post("/queue/claim", url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("a viewer's claim: %d", p.status)
		}
	})
}
