package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// TestReviewFlowWithoutJavaScript: sign in, the queue, a cluster of
// three with one field's survivor changed, merge, the customer page,
// undo, not a duplicate, and the queue without it, all by plain links
// and form posts.
func TestReviewFlowWithoutJavaScript(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		s := newSite(t, st)
		fx := s.seed()
		b := s.browser()

		// Not signed in: the sign-in page, which comes back here after.
		p := b.get("/queue")
		if p.status != http.StatusSeeOther || p.location != "/login?next=%2Fqueue" {
			t.Fatalf("queue without a session: %d %q", p.status, p.location)
		}
		wantIn(t, b.follow(p), `name="password"`, `value="/queue"`)
		if p := b.post("/login", url.Values{"name": {"steward1"}, "password": {"wrong"}}); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", p.status)
		} else {
			wantIn(t, p, "The user name or the password is wrong.")
		}
		p = b.post("/login", url.Values{"name": {"steward1"}, "password": {"password of steward"}, "next": {"/queue"}})
		ck := p.header.Get("Set-Cookie")
		if p.status != http.StatusSeeOther || !strings.Contains(ck, "steward_session=stw_") || !strings.Contains(ck, "HttpOnly") ||
			!strings.Contains(ck, "SameSite=Lax") || strings.Contains(ck, "Secure") {
			t.Fatalf("sign in: %d, cookie %q", p.status, ck)
		}

		// The queue: most uncertain first, counts, CSP.
		q := b.get("/queue")
		if q.status != 200 {
			t.Fatalf("queue: %d %s", q.status, q.body)
		}
		if csp := q.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q", csp)
		}
		wantIn(t, q, "<strong>4</strong> pending", "Sara", "محمد")
		if i, j := strings.Index(q.body, path(`href="/suggestions/%d?`, fx.Other.ID)), strings.Index(q.body, path(`href="/suggestions/%d?`, fx.Pair.ID)); i < 0 || j < 0 || i > j {
			t.Errorf("queue not most uncertain first (%d, %d)", i, j)
		}
		conf := b.get("/queue?order=confident&band=high")
		wantIn(t, conf, "<strong>2</strong> match the filter", path(`href="/suggestions/%d?band=high&amp;order=confident"`, fx.Pair.ID))
		if strings.Contains(conf.body, path(`href="/suggestions/%d?`, fx.Other.ID)) {
			t.Error("score band not applied")
		}

		// Rows where all agree hidden, on this suggestion and the next.
		if p := b.get(path("/suggestions/%d?same=hide", fx.Latin.ID)); strings.Contains(p.body, `scope="row">last name`) || !strings.Contains(p.body, "rows where every record agrees are hidden") {
			t.Error("same=hide shows the last name all three agree on")
		}
		if p := b.get(path("/suggestions/%d", fx.Persian.ID)); strings.Contains(p.body, `scope="row">phone`) {
			t.Error("hiding agreeing rows was not kept")
		}
		b.get(path("/suggestions/%d?same=show", fx.Latin.ID))

		// j and k: the next and the previous in the queue's order.
		for _, tt := range []struct{ from, dir, to string }{
			{path("%d", fx.Latin.ID), "next", path("/suggestions/%d?", fx.Persian.ID)},
			{path("%d", fx.Latin.ID), "prev", path("/suggestions/%d?", fx.Other.ID)},
			{path("%d", fx.Pair.ID), "next", "/queue?done=end"},
			{path("%d", fx.Latin.ID) + "?order=confident", "next", path("/suggestions/%d?order=confident", fx.Other.ID)},
		} {
			from, q, _ := strings.Cut(tt.from, "?")
			if p := b.get("/suggestions/" + from + "/" + tt.dir + "?" + q); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, tt.to) {
				t.Errorf("%s of %s: %d %q, want %s", tt.dir, tt.from, p.status, p.location, tt.to)
			}
		}
		if p := b.get(path("/suggestions/%d/sideways", fx.Latin.ID)); p.status != http.StatusNotFound {
			t.Errorf("sideways: %d", p.status)
		}

		// The data-quality page of the server takes the same session.
		if p := b.get("/quality"); p.status != http.StatusOK || !strings.Contains(p.header.Get("Content-Type"), "text/html") {
			t.Errorf("quality page with the session cookie: %d %.200s", p.status, p.body)
		}

		// The cluster of three, side by side; take the first name of the
		// second member instead of the policy's.
		c := b.get(path("/suggestions/%d", fx.Latin.ID))
		if c.status != 200 {
			t.Fatalf("cluster: %d %s", c.status, c.body)
		}
		ids := fx.Latin.CustomerIDs
		wantIn(t, c, "Sarah", `class="differs"`, "Blocking keys", "nearly the same (a typo)", `title="level close"`, "<svg", "keeps email opt out = “true” of #")
		form := formValues(c.body)
		if form.Get("p.first_name") == "" || len(form["m"]) != 3 {
			t.Fatalf("form %v", form)
		}
		// The policy keeps #1's email; the steward takes #2's.
		if form.Get("p.email") != path("%d", ids[0]) {
			t.Fatalf("preselected email of %s, want #%d", form.Get("p.email"), ids[0])
		}
		form.Set("f.email", path("%d", ids[1]))
		form.Set("action", "merge")
		p = b.post(path("/suggestions/%d", fx.Latin.ID), form)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/suggestions/next?") {
			t.Fatalf("merge: %d %q %s", p.status, p.location, p.body)
		}
		next := b.follow(p)
		wantIn(t, next, "Merged.", "Undo that merge", "Undo last merge")
		survivor := s.customer(ids[0])
		if survivor.Record.Email != "sara@example.org" || survivor.Record.Attributes["email_opt_out"] != "true" {
			t.Errorf("survivor %+v", survivor.Record)
		}
		for _, id := range ids[1:] {
			if c := s.customer(id); c.Status != steward.StatusMerged {
				t.Errorf("#%d is %s", id, c.Status)
			}
		}

		// The customer page: merged record, source records, merged ids,
		// history, the merge with undo.
		cp := b.get(path("/customers/%d", ids[0]))
		wantIn(t, cp, "sara@example.org", "<code>crm</code>", path(`href="/customers/%d"`, ids[2]), "Merge ", "Undo merge", "Take out", "steward1")
		undo := formValues(cp.body[strings.Index(cp.body, `/undo"`)-40:])
		p = b.post(strings.Split(strings.Split(cp.body[strings.Index(cp.body, `/undo"`)-40:], `action="`)[1], `"`)[0], url.Values{"version": {undo.Get("version")}})
		p = b.follow(p)
		wantIn(t, p, "The merge was undone")
		if strings.Contains(p.body, "Undo last merge") {
			t.Error("an undone merge is still the last merge to undo")
		}
		for _, id := range ids {
			if c := s.customer(id); c.Status != steward.StatusActive {
				t.Errorf("after undo #%d is %s", id, c.Status)
			}
		}
		if s.customer(ids[0]).Record.Email != "sara.ahmadi@example.com" {
			t.Error("undo kept the merged email")
		}

		// Not a duplicate: gone from the queue.
		c = b.get(path("/suggestions/%d", fx.Other.ID))
		form = formValues(c.body)
		form.Set("action", "not_duplicate")
		p = b.follow(b.post(path("/suggestions/%d", fx.Other.ID), form))
		wantIn(t, p, "Marked as not duplicates")
		q = b.get("/queue")
		if strings.Contains(q.body, path(`href="/suggestions/%d?`, fx.Other.ID)) {
			t.Error("a suggestion marked not a duplicate is still in the queue")
		}
		wantIn(t, q, path(`href="/suggestions/%d?`, fx.Latin.ID))

		// Skip, then sign out: the session token no longer works.
		c = b.get(path("/suggestions/%d", fx.Persian.ID))
		form = formValues(c.body)
		form.Set("action", "skip")
		if p := b.post(path("/suggestions/%d", fx.Persian.ID), form); p.status != http.StatusSeeOther {
			t.Fatalf("skip: %d %s", p.status, p.body)
		}
		if sg, _ := st.Suggestion(context.Background(), fx.Persian.ID); sg.Status != steward.SuggestionSkipped {
			t.Errorf("skipped: %s", sg.Status)
		}
		if p := b.post("/logout", url.Values{}); p.status != http.StatusSeeOther || p.location != "/login" {
			t.Fatalf("sign out: %d %q", p.status, p.location)
		}
		if p := b.get("/queue"); p.status != http.StatusSeeOther {
			t.Errorf("after signing out: %d", p.status)
		}
		// A decision sent after the session ended: nothing changes, the
		// sign-in comes back to the suggestion.
		form.Set("action", "merge")
		p = b.do("POST", path("/suggestions/%d", fx.Latin.ID), form, "Origin", s.url, "Referer", s.url+path("/suggestions/%d", fx.Latin.ID))
		if p.status != http.StatusUnauthorized {
			t.Fatalf("a decision without a session: %d", p.status)
		}
		wantIn(t, p, "Your session ended, so nothing was changed", path(`name="next" value="/suggestions/%d"`, fx.Latin.ID))
		if s.customer(ids[1]).Status != steward.StatusActive {
			t.Error("a decision without a session merged")
		}
	})
}

// TestStaleDecision: a member changed after the page was read; the
// decision changes nothing and the page comes back afresh, saying who.
func TestStaleDecision(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		s := newSite(t, st)
		fx := s.seed()
		b := s.browser()
		b.signIn(steward.RoleSteward)
		c := b.get(path("/suggestions/%d", fx.Pair.ID))
		form := formValues(c.body)
		ctx := context.Background()
		cu := s.customer(fx.Pair.CustomerIDs[1])
		cu.Record.LastName = "Karimy"
		if err := st.UpdateCustomer(ctx, cu, steward.Meta{Actor: "nasrin", Cause: "api"}); err != nil {
			t.Fatal(err)
		}
		form.Set("action", "merge")
		p := b.post(path("/suggestions/%d", fx.Pair.ID), form)
		if p.status != http.StatusConflict {
			t.Fatalf("stale merge: %d %.500s", p.status, p.body)
		}
		wantIn(t, p, "changed while you were looking", "changed by nasrin", "Karimy")
		if s.customer(fx.Pair.CustomerIDs[0]).Status != steward.StatusActive {
			t.Error("a stale decision merged")
		}
		// Decided by someone else meanwhile.
		form = formValues(p.body)
		form.Set("action", "skip")
		if p := b.post(path("/suggestions/%d", fx.Pair.ID), form); p.status != http.StatusSeeOther {
			t.Fatalf("skip: %d", p.status)
		}
		form.Set("action", "skip")
		p = b.post(path("/suggestions/%d", fx.Pair.ID), form)
		if p.status != http.StatusSeeOther && p.status != http.StatusConflict {
			t.Errorf("second skip: %d", p.status)
		}
	})
}

// TestPagesRefuse: a cross-site post, a viewer's merge, markup in a
// value, a page that does not exist.
func TestPagesRefuse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		s := newSite(t, st)
		fx := s.seed()

		b := s.browser()
		b.signIn(steward.RoleSteward)
		c := b.get(path("/suggestions/%d", fx.Pair.ID))
		if strings.Contains(c.body, "<img src=x") || !strings.Contains(c.body, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("markup in a value not escaped")
		}
		cp := b.get(path("/customers/%d", fx.Pair.CustomerIDs[0]))
		if strings.Contains(cp.body, "<img src=x") || !strings.Contains(cp.body, "&lt;img src=x") {
			t.Errorf("markup in a value not escaped on the customer page")
		}
		q := b.get("/queue")
		if strings.Contains(q.body, "<img src=x") {
			t.Errorf("markup in a value not escaped in the queue")
		}

		// A form posted from another site: refused, nothing merged.
		form := formValues(c.body)
		form.Set("action", "merge")
		p := b.do("POST", path("/suggestions/%d", fx.Pair.ID), form, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		if p.status != http.StatusForbidden {
			t.Fatalf("cross-site post: %d", p.status)
		}
		wantIn(t, p, "sent from another site")
		if s.customer(fx.Pair.CustomerIDs[1]).Status != steward.StatusActive {
			t.Error("a cross-site post merged")
		}
		if p := b.do("POST", "/logout", url.Values{}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); p.status != http.StatusForbidden {
			t.Errorf("cross-site sign out: %d", p.status)
		}

		// A viewer sees, but cannot merge.
		v := s.browser()
		v.signIn(steward.RoleViewer)
		vc := v.get(path("/suggestions/%d", fx.Pair.ID))
		if vc.status != 200 || strings.Contains(vc.body, `value="merge"`) {
			t.Errorf("viewer's cluster page: %d, merge button shown: %v", vc.status, strings.Contains(vc.body, `value="merge"`))
		}
		p = v.post(path("/suggestions/%d", fx.Pair.ID), form)
		if p.status != http.StatusForbidden {
			t.Fatalf("viewer's merge: %d", p.status)
		}
		wantIn(t, p, "needs the steward role")
		if s.customer(fx.Pair.CustomerIDs[1]).Status != steward.StatusActive {
			t.Error("a viewer merged")
		}

		// Errors are pages.
		for _, tt := range []struct {
			path   string
			status int
			says   string
		}{
			{"/suggestions/999999", 404, "Not found"},
			{"/suggestions/abc", 404, "should end in a number"},
			{"/customers/999999", 404, "Not found"},
			{"/nowhere", 404, "There is no page /nowhere"},
			{"/queue?band=huge", 422, "Unknown score band"},
			{"/queue?since=yesterday", 422, "is not a date"},
			{"POST /queue", 400, "cannot be sent to /queue"},
		} {
			t.Run(tt.path, func(t *testing.T) {
				method, target, ok := strings.Cut(tt.path, " ")
				if !ok {
					method, target = "GET", tt.path
				}
				var form url.Values
				if method == "POST" {
					form = url.Values{}
				}
				p := b.do(method, target, form)
				if p.status != tt.status || !strings.Contains(p.header.Get("Content-Type"), "text/html") {
					t.Errorf("%s: %d %s", tt.path, p.status, p.header.Get("Content-Type"))
				}
				wantIn(t, p, tt.says)
			})
		}
	})
}

// TestBlindMode: the score is hidden once asked, on every page after.
func TestBlindMode(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	fx := s.seed()
	b := s.browser()
	b.signIn(steward.RoleSteward)
	if p := b.get("/queue"); !strings.Contains(p.body, "95.0%") {
		t.Fatal("no score in the queue")
	}
	if p := b.get("/queue?blind=1"); strings.Contains(p.body, "95.0%") {
		t.Error("blind queue shows a score")
	}
	if p := b.get(path("/suggestions/%d", fx.Pair.ID)); strings.Contains(p.body, "95.0%") || !strings.Contains(p.body, "Show scores") {
		t.Error("blind cluster page shows a score")
	}
}

// TestTypedValueAndTakeOut: a survivor value typed in is standardized and
// kept; one member taken out of the merge on the customer page is back on
// its own, the others stay merged.
func TestTypedValueAndTakeOut(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		s := newSite(t, st)
		fx := s.seed()
		b := s.browser()
		b.signIn(steward.RoleSteward)
		ids := fx.Latin.CustomerIDs
		form := formValues(b.get(path("/suggestions/%d", fx.Latin.ID)).body)
		form.Set("f.email", "typed")
		form.Set("t.email", "  Sara.New@Example.COM ")
		form.Set("action", "merge")
		if p := b.post(path("/suggestions/%d", fx.Latin.ID), form); p.status != http.StatusSeeOther {
			t.Fatalf("merge with a typed email: %d %.500s", p.status, p.body)
		}
		if got := s.customer(ids[0]).Record.Email; got != "Sara.New@example.com" {
			t.Errorf("typed email kept as %q", got)
		}
		cp := b.get(path("/customers/%d", ids[0]))
		at := strings.Index(cp.body, path(`<input type="hidden" name="member" value="%d">`, ids[2]))
		if at < 0 {
			t.Fatalf("no take-out of #%d:\n%s", ids[2], cp.body)
		}
		tf := formValues(cp.body[at : strings.Index(cp.body[at:], "</form>")+at])
		action := cp.body[strings.LastIndex(cp.body[:at], `action="`)+8:]
		action = action[:strings.Index(action, `"`)]
		p := b.follow(b.post(action, tf))
		wantIn(t, p, "taken out of the merge")
		if c := s.customer(ids[2]); c.Status != steward.StatusActive {
			t.Errorf("taken out, #%d is %s", ids[2], c.Status)
		}
		if c := s.customer(ids[1]); c.Status != steward.StatusMerged {
			t.Errorf("not taken out, #%d is %s", ids[1], c.Status)
		}
	})
}

// TestKeepAnotherID: the steward picks which record's id the merged
// customer keeps; the others resolve to it.
func TestKeepAnotherID(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		s := newSite(t, st)
		fx := s.seed()
		b := s.browser()
		b.signIn(steward.RoleSteward)
		ids := fx.Latin.CustomerIDs
		page := b.get(path("/suggestions/%d", fx.Latin.ID))
		form := formValues(page.body)
		if form.Get("survivor") != fmt.Sprint(ids[0]) {
			t.Fatalf("the survivor preselected is %q, want the policy's #%d", form.Get("survivor"), ids[0])
		}
		form.Set("survivor", fmt.Sprint(ids[1]))
		form.Set("action", "merge")
		if p := b.post(path("/suggestions/%d", fx.Latin.ID), form); p.status != http.StatusSeeOther {
			t.Fatalf("merge keeping #%d: %d %.500s", ids[1], p.status, p.body)
		}
		if c := s.customer(ids[1]); c.Status != steward.StatusActive {
			t.Errorf("kept, #%d is %s", ids[1], c.Status)
		}
		for _, id := range []int64{ids[0], ids[2]} {
			if c := s.customer(id); c.Status != steward.StatusMerged || c.MergedInto != ids[1] {
				t.Errorf("#%d is %s into %d, want merged into #%d", id, c.Status, c.MergedInto, ids[1])
			}
		}
	})
}

// TestSecureCookieUnderTLS: over TLS the session cookie is Secure too.
func TestSecureCookieUnderTLS(t *testing.T) {
	s := newSite(t, storetest.SQLite(t))
	r := httptest.NewRequest("POST", "https://steward.example/login", strings.NewReader("name=steward1&password=password+of+steward"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	ck := w.Result().Header.Get("Set-Cookie")
	if w.Code != http.StatusSeeOther || !strings.Contains(ck, "; Secure") || !strings.Contains(ck, "HttpOnly") {
		t.Errorf("sign in over TLS: %d, cookie %q", w.Code, ck)
	}
}

// TestSuppressionsCalledOut: a member's suppressed address is called out
// before the merge, saying whether the merged record keeps it; the
// customer page lists it.
func TestSuppressionsCalledOut(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		s := newSite(t, st)
		fx := s.seed()
		ids := fx.Latin.CustomerIDs
		for _, addr := range []string{"sara.ahmadi@example.com", "sara@example.org"} {
			_, err := st.Suppress(context.Background(), &steward.Suppression{Channel: steward.ChannelEmail, Address: addr,
				Hash: s.keys.Hash(steward.ChannelEmail, addr), Reason: steward.ReasonUnsubscribed, Source: "one-click", Actor: "test"})
			if err != nil {
				t.Fatal(err)
			}
		}
		b := s.browser()
		b.signIn(steward.RoleSteward)
		c := b.get(path("/suggestions/%d", fx.Latin.ID))
		wantIn(t, c, path("#%d&#39;s email address is suppressed (unsubscribed, one-click,", ids[0]),
			"the merged record keeps this email address, and it stays suppressed.",
			path("the merged record keeps the email address of #%d instead; the suppression stays with #%d&#39;s", ids[0], ids[1]))
		wantIn(t, b.get(path("/customers/%d", ids[1])), "unsubscribed · one-click")
	})
}

// TestSignInPageSaysWhenNobodyCan: before the first user is added, the
// sign-in page says how to add one; after, it does not.
func TestSignInPageSaysWhenNobodyCan(t *testing.T) {
	st := storetest.SQLite(t)
	s := newSiteOf(t, st, false)
	wantIn(t, s.browser().get("/login"), "Nobody can sign in yet", "steward users add NAME --role admin")
	if err := st.CreateUser(context.Background(), &steward.User{Name: "ann", Role: steward.RoleAdmin, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if p := s.browser().get("/login"); strings.Contains(p.body, "Nobody can sign in") {
		t.Errorf("the sign-in page still says nobody can sign in:\n%s", p.body)
	}
}
