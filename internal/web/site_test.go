package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/server"
	"github.com/steward-crm/steward/internal/store/storetest"
	"github.com/steward-crm/steward/internal/suppress"
	"github.com/steward-crm/steward/rules"
)

// forEachBackend runs fn against a fresh SQLite store and, when
// TEST_DATABASE_URL is set, a fresh PostgreSQL schema.
func forEachBackend(t *testing.T, fn func(t *testing.T, st steward.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, storetest.SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.Postgres(t)) })
}

// fast are cheap argon2id parameters, for tests only.
var fast = auth.Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

// site is a running server with the pages, a user of every role
// (viewer1, steward1, admin1; password "password of ROLE"), and the
// clusters of seed.
type site struct {
	keys    *suppress.Keys
	t       testing.TB
	st      steward.Store
	url     string
	handler http.Handler
	fx      fixture
}

func newSite(t testing.TB, st steward.Store) *site {
	t.Helper()
	return newSiteOf(t, st, true)
}

// newSiteOf is newSite, with a user of each role or with none.
func newSiteOf(t testing.TB, st steward.Store, withUsers bool) *site {
	t.Helper()
	ctx := context.Background()
	r := rules.Default()
	keys := suppress.NewKeys()
	srv, err := server.New(ctx, server.Config{
		Keys:     keys,
		Store:    st,
		Policy:   gate.Policy{Cleanse: r.CleanseOptions(), ReviewThreshold: r.Matching.ReviewThreshold, Survivorship: r.Survivorship},
		Matching: r.DedupeConfig(),
		Region:   "IR",
		Auth: &auth.Authenticator{Store: st, Users: auth.NewThrottle(5, time.Minute), Clients: auth.NewThrottle(50, time.Second),
			SessionTTL: time.Hour, Params: fast},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	s := &site{t: t, st: st, url: ts.URL, handler: srv.Handler(), keys: keys}
	if !withUsers {
		return s
	}
	for _, role := range steward.Roles() {
		hash, err := auth.HashPassword("password of "+string(role), fast)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateUser(ctx, &steward.User{Name: string(role) + "1", Role: role, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// fixture names the seeded clusters.
type fixture struct {
	// Latin is a cluster of three, Persian one of two, Pair one of two
	// (one of them named with markup), Other a pair left pending.
	Latin, Persian, Pair, Other *steward.Suggestion
}

func person(src, id, first, last, email, phone string, kv ...string) *steward.Customer {
	c := &steward.Customer{Record: steward.Record{Source: src, SourceID: id, FirstName: first, LastName: last, Email: email, Phone: phone, Country: "IR"}}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Record.Set(kv[i], kv[i+1])
	}
	return c
}

// suggest stores a pending suggestion of cs with evidence of each pair.
func suggest(t testing.TB, st steward.Store, p float64, cs ...*steward.Customer) *steward.Suggestion {
	t.Helper()
	ev := steward.Evidence{Producer: steward.EvidenceDedupe, Origin: "run 1"}
	for i := 1; i < len(cs); i++ {
		a, b := cs[0], cs[i]
		fs := []steward.FieldEvidence{
			{Field: "first_name", Level: "close", Weight: 3.2, A: a.Record.FirstName, B: b.Record.FirstName},
			{Field: "last_name", Level: "exact", Weight: 6.1, A: a.Record.LastName, B: b.Record.LastName},
			{Field: "email", Level: "different", Weight: -2.4, A: a.Record.Email, B: b.Record.Email},
			{Field: "phone", Level: "exact", Weight: 7.5, A: a.Record.Phone, B: b.Record.Phone},
			{Field: "birth_date", Level: "missing", Weight: 0},
		}
		w := -9.0
		for _, f := range fs {
			w += f.Weight
		}
		ev.Pairs = append(ev.Pairs, steward.PairEvidence{A: a.ID, B: b.ID, Probability: p, Weight: w, Prior: -9, Keys: []string{"phone", "last_name_sound+first_initial"}, Fields: fs})
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	sg := &steward.Suggestion{Probability: p, Evidence: raw}
	for _, c := range cs {
		sg.CustomerIDs = append(sg.CustomerIDs, c.ID)
	}
	if err := st.UpsertSuggestion(context.Background(), sg); err != nil {
		t.Fatal(err)
	}
	return sg
}

// seed stores the fixture's customers and suggestions.
func (s *site) seed() fixture {
	t, st := s.t, s.st
	t.Helper()
	ctx := context.Background()
	cs := []*steward.Customer{
		person("shop", "s1", "Sara", "Ahmadi", "sara.ahmadi@example.com", "+989121234567", "email_opt_out", "true"),
		person("crm", "c7", "Sarah", "Ahmadi", "sara@example.org", "+989121234567"),
		person("forms", "f3", "Sara", "Ahmadi", "", "+989121234567", "email_opt_out", "false"),
		person("shop", "s2", "محمد", "رضایی", "m.rezaei@example.ir", "+989351112233", "city", "تهران"),
		person("crm", "c9", "محمّد", "رضائی", "", "+989351112233", "city", "تهران", "postal_code", "۱۲۳۴۵۶۷۸۹۰"),
		person("shop", "s3", "<img src=x onerror=alert(1)>", "Karimi", "k@example.com", "+989120000001"),
		person("crm", "c3", "Ali", "Karimi", "k@example.com", "+989120000001"),
		person("shop", "s4", "John", "Smith", "john@example.com", "+989120000002"),
		person("crm", "c4", "Jon", "Smith", "jon@example.com", "+989120000002"),
	}
	if err := st.CreateCustomers(ctx, cs, steward.Meta{Actor: "import", Cause: "import:1"}); err != nil {
		t.Fatal(err)
	}
	s.fx = fixture{
		Latin:   suggest(t, st, 0.82, cs[0], cs[1], cs[2]),
		Persian: suggest(t, st, 0.91, cs[3], cs[4]),
		Pair:    suggest(t, st, 0.95, cs[5], cs[6]),
		Other:   suggest(t, st, 0.75, cs[7], cs[8]),
	}
	return s.fx
}

// browser is a person's browser without JavaScript: cookies, and form
// posts as a browser sends them from a page of the site.
type browser struct {
	s      *site
	client *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is an answer: status, where it redirects, headers, body.
type page struct {
	status   int
	location string
	header   http.Header
	body     string
}

func (b *browser) do(method, path string, form url.Values, headers ...string) page {
	b.s.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.s.url+path, rd)
	if err != nil {
		b.s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.s.url)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	return page{status: res.StatusCode, location: res.Header.Get("Location"), header: res.Header, body: string(body)}
}

func (b *browser) get(path string) page { return b.do("GET", path, nil) }

// follow goes where p redirects (relative to the site), as a browser
// would, until a page answers.
func (b *browser) follow(p page) page {
	b.s.t.Helper()
	for i := 0; i < 5 && p.status >= 300 && p.status < 400; i++ {
		p = b.get(p.location)
	}
	return p
}

func (b *browser) post(path string, form url.Values) page { return b.do("POST", path, form) }

// signIn signs in as user (viewer1, steward1, admin1).
func (b *browser) signIn(role steward.Role) {
	b.s.t.Helper()
	p := b.post("/login", url.Values{"name": {string(role) + "1"}, "password": {"password of " + string(role)}, "next": {"/queue"}})
	if p.status != http.StatusSeeOther || p.location != "/queue" {
		b.s.t.Fatalf("sign in as %s: %d %s %.300s", role, p.status, p.location, p.body)
	}
}

// formValues reads the values of the named inputs of a page: hidden
// ones, checked radios and checkboxes.
func formValues(body string) url.Values {
	v := url.Values{}
	input := regexp.MustCompile(`<input [^>]*>`)
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(` ` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return html.UnescapeString(m[1]), true
	}
	for _, tag := range input.FindAllString(body, -1) {
		name, ok := attr(tag, "name")
		if !ok {
			continue
		}
		typ, _ := attr(tag, "type")
		val, _ := attr(tag, "value")
		switch typ {
		case "radio", "checkbox":
			if strings.Contains(tag, " checked") {
				v.Add(name, val)
			}
		case "hidden":
			v.Add(name, val)
		}
	}
	return v
}

func (s *site) customer(id int64) *steward.Customer {
	s.t.Helper()
	c, err := s.st.Customer(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func wantIn(t testing.TB, p page, what ...string) {
	t.Helper()
	for _, w := range what {
		if !strings.Contains(p.body, w) {
			t.Errorf("page (%d) lacks %q:\n%.3000s", p.status, w, p.body)
		}
	}
}

func path(format string, a ...any) string { return fmt.Sprintf(format, a...) }
