package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/server"
)

type admittedReply struct {
	Outcome    steward.Outcome
	Customer   steward.Customer
	Findings   []steward.Finding
	Candidates []struct {
		Customer    steward.Customer
		Probability float64
	}
	Suggestion *steward.Suggestion
}

var ali = map[string]any{"source": "crm", "id": "c1", "first_name": "علی", "last_name": "رضایی",
	"email": "ali.rezaei@gmail.com", "phone": "+989121234567", "country": "IR"}

// aliAgain is ali typed elsewhere: Arabic letters, a local phone format,
// a city.
var aliAgain = map[string]any{"source": "web", "id": "w9", "first_name": "علي", "last_name": "رضايي",
	"email": "Ali.Rezaei@gmail.com", "phone": "0912 123 4567", "city": "تهران", "country": "IR"}

func TestCreateCustomer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		var first, second admittedReply
		r := a.want(a.do("steward", "POST", "/api/v1/customers", ali), 201)
		r.decode(t, &first)
		if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/customers/%d", first.Customer.ID) || r.header.Get("ETag") != `"c1"` {
			t.Errorf("Location %q, ETag %q", loc, r.header.Get("ETag"))
		}
		// A probable duplicate: created, with its candidate and suggestion;
		// standardized as an import would.
		a.want(a.do("steward", "POST", "/api/v1/customers", aliAgain), 201).decode(t, &second)
		if second.Outcome != steward.OutcomeCreated || len(second.Candidates) != 1 || second.Candidates[0].Customer.ID != first.Customer.ID ||
			second.Suggestion == nil || second.Customer.Record.Phone != "+989121234567" || second.Customer.Record.FirstName != "علی" {
			t.Fatalf("duplicate %+v", second)
		}
		// The same source record again: the known customer, updated (a
		// field left empty keeps its value, as in an import).
		again := map[string]any{"source": "crm", "id": "c1", "first_name": "علی", "last_name": "رضایی", "phone": "+989121234567", "city": "اصفهان"}
		var upd admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", again), 200).decode(t, &upd)
		if upd.Outcome != steward.OutcomeUpdated || upd.Customer.ID != first.Customer.ID || upd.Customer.Record.Email != "ali.rezaei@gmail.com" {
			t.Errorf("known source record %+v", upd)
		}
		// Refused.
		r = a.want(a.do("steward", "POST", "/api/v1/customers", map[string]any{"first_name": "Ann", "email": "ann@@example"}), 422)
		if code, _, field := r.errorOf(t); code != steward.EINVALID || field != "email" {
			t.Errorf("invalid record: %s", r.body)
		}
		var refused struct{ Findings []steward.Finding }
		r.decode(t, &refused)
		if len(refused.Findings) == 0 {
			t.Errorf("invalid record answered without findings: %s", r.body)
		}
		tests := []struct {
			name, body, field string
		}{
			{"not JSON", `{"first_name": `, ""},
			{"unknown field", `{"first_name": "Ann", "loyalty": "gold"}`, "loyalty"},
			{"wrong type", `{"first_name": 7}`, "first_name"},
			{"two values", `{"first_name": "A"} {"first_name": "B"}`, ""},
			{"empty", ``, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := a.want(a.do("steward", "POST", "/api/v1/customers", tt.body), 400)
				if code, _, field := r.errorOf(t); code != steward.EMALFORMED || field != tt.field {
					t.Errorf("%s", r.body)
				}
			})
		}
		r = a.want(a.do("steward", "POST", "/api/v1/customers", map[string]any{"source": "shop", "first_name": "Ann"}), 422)
		if _, _, field := r.errorOf(t); field != "id" {
			t.Errorf("a source without an id: %s", r.body)
		}
		if n, _ := st.CountCustomers(t.Context(), ""); n != 2 {
			t.Errorf("%d customers after refused records, want 2", n)
		}
	})
}

func TestCreateBlocked(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st, block)
		var first admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", ali), 201).decode(t, &first)
		r := a.want(a.do("steward", "POST", "/api/v1/customers", aliAgain), 409)
		var e struct {
			Code       string
			Candidates []struct{ Customer steward.Customer }
		}
		r.decode(t, &e)
		if e.Code != steward.ECONFLICT || len(e.Candidates) != 1 || e.Candidates[0].Customer.ID != first.Customer.ID {
			t.Errorf("blocked duplicate: %s", r.body)
		}
		if n, _ := st.CountCustomers(t.Context(), ""); n != 1 {
			t.Errorf("%d customers, want only the first", n)
		}
	})
}

// TestMaliciousValues: markup and spreadsheet formulas are data: stored
// and returned as they were sent, as JSON that no browser runs.
func TestMaliciousValues(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		script, formula := `<script>alert("x")</script>`, `=HYPERLINK("http://evil.example","click")`
		var c admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", map[string]any{"first_name": "Ann", "email": "ann@example.com",
			"address_line2": script, "attributes": map[string]string{"note": formula, "html": script}}), 201).decode(t, &c)
		r := a.want(a.do("viewer", "GET", fmt.Sprintf("/api/v1/customers/%d", c.Customer.ID), nil), 200)
		if strings.Contains(string(r.body), "<script>") {
			t.Errorf("markup sent unescaped in JSON: %s", r.body)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("no nosniff")
		}
		var v struct{ Customer steward.Customer }
		r.decode(t, &v)
		rec := v.Customer.Record
		if rec.AddressLine2 != script || rec.Attributes["note"] != formula || rec.Attributes["html"] != script {
			t.Errorf("values came back as %q, %q, %q", rec.AddressLine2, rec.Attributes["note"], rec.Attributes["html"])
		}
		stored, err := st.Customer(t.Context(), c.Customer.ID)
		if err != nil || stored.Record.Attributes["note"] != formula {
			t.Errorf("stored %+v (%v)", stored, err)
		}
	})
}

func TestGetAndUpdateCustomer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		var c admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", ali), 201).decode(t, &c)
		path := fmt.Sprintf("/api/v1/customers/%d", c.Customer.ID)
		r := a.want(a.do("viewer", "GET", path, nil), 200)
		var v struct {
			Customer   steward.Customer
			History    []steward.Change
			SourceRefs []steward.SourceRef `json:"source_refs"`
		}
		r.decode(t, &v)
		if r.header.Get("ETag") != `"c1"` || len(v.History) == 0 || len(v.SourceRefs) != 1 || v.SourceRefs[0] != (steward.SourceRef{Source: "crm", ID: "c1"}) {
			t.Errorf("customer view %s", r.body)
		}
		// Update: conditional, through the gate.
		r = a.want(a.do("steward", "PATCH", path, map[string]any{"city": "Tehran", "phone": "0912 765 4321"}, "If-Match", `"c1"`), 200)
		var u admittedReply
		r.decode(t, &u)
		if u.Customer.Record.City != "Tehran" || u.Customer.Record.Phone != "+989127654321" || u.Customer.Record.Email != "ali.rezaei@gmail.com" || r.header.Get("ETag") != `"c2"` {
			t.Errorf("updated %+v, ETag %s", u.Customer.Record, r.header.Get("ETag"))
		}
		r = a.want(a.do("steward", "PATCH", path, map[string]any{"city": "Karaj"}, "If-Match", `"c1"`), 409)
		var conflict struct {
			Code    string
			Current []steward.Customer
		}
		r.decode(t, &conflict)
		if len(conflict.Current) != 1 || conflict.Current[0].Record.City != "Tehran" || conflict.Current[0].Version != 2 {
			t.Errorf("stale update: %s", r.body)
		}
		a.want(a.do("steward", "PATCH", path, map[string]any{"city": "Karaj"}, "If-Match", `"x"`), 400)
		a.want(a.do("steward", "PATCH", path, map[string]any{"email": "not an email"}), 422)
		a.want(a.do("steward", "PATCH", path, map[string]any{"source": "x"}), 422)
		a.want(a.do("steward", "PATCH", "/api/v1/customers/424242", map[string]any{"city": "x"}), 404)
		a.want(a.do("viewer", "GET", "/api/v1/customers/424242", nil), 404)
		a.want(a.do("viewer", "GET", "/api/v1/customers/abc", nil), 400)
		// Every read of the full record is in the audit log.
		es, err := st.AuditEntries(t.Context(), steward.AuditFilter{Target: fmt.Sprintf("customer:%d", c.Customer.ID)})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range es {
			actions = append(actions, e.Actor+" "+e.Action)
		}
		if got := strings.Join(actions, ","); !strings.Contains(got, "viewer1 customer.read") || !strings.Contains(got, "steward1 customer.update") {
			t.Errorf("audit of customer %d: %s", c.Customer.ID, got)
		}
	})
}

func TestSearchCustomers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		var c, other admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", ali), 201).decode(t, &c)
		a.want(a.do("steward", "POST", "/api/v1/customers", map[string]any{"source": "crm", "id": "c2", "first_name": "Sara",
			"last_name": "Rezaei", "email": "sara@example.com", "country": "IR"}), 201).decode(t, &other)
		tests := []struct {
			name, query string
			want        []int64
		}{
			{"email", "?q=ALI.REZAEI@gmail.com", []int64{c.Customer.ID}},
			{"local phone", "?q=0912%20123%204567", []int64{c.Customer.ID}},
			{"Latin name for Persian", "?q=Ali%20Rezaei", []int64{c.Customer.ID}},
			{"family name, as likely, by id", "?name=rezaei", []int64{c.Customer.ID, other.Customer.ID}},
			{"id", fmt.Sprintf("?id=%d", c.Customer.ID), []int64{c.Customer.ID}},
			{"source record", "?source=crm&source_id=c2", []int64{other.Customer.ID}},
			{"nobody", "?q=nobody@example.com", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var res struct {
					Items []struct{ Customer steward.Customer }
				}
				a.want(a.do("viewer", "GET", "/api/v1/customers"+tt.query, nil), 200).decode(t, &res)
				var got []int64
				for _, h := range res.Items {
					got = append(got, h.Customer.ID)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("found %v, want %v", got, tt.want)
				}
			})
		}
		a.want(a.do("viewer", "GET", "/api/v1/customers", nil), 400)
		a.want(a.do("viewer", "GET", "/api/v1/customers?limit=1000&q=x", nil), 400)
		a.want(a.do("viewer", "GET", "/api/v1/customers?source=crm", nil), 400)
	})
}

// TestOthersWrites: customers another writer (an import, a job, another
// instance) stored after the server loaded its indexes are found by
// search and matched by the gate.
func TestOthersWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		a.create(map[string]any{"first_name": "Sara", "email": "sara@example.com"})
		c := &steward.Customer{Record: steward.Record{Source: "shop", SourceID: "9", FirstName: "Mina", LastName: "Karimi",
			Email: "mina.karimi@gmail.com", Phone: "+989351112233", Country: "IR"}}
		if err := st.CreateCustomer(t.Context(), c, steward.Meta{Actor: "import", Cause: "import:1"}); err != nil {
			t.Fatal(err)
		}
		var dup admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", map[string]any{"first_name": "Mina", "last_name": "Karimi",
			"email": "Mina.Karimi@gmail.com", "phone": "0935 111 2233", "country": "IR"}), 201).decode(t, &dup)
		if len(dup.Candidates) != 1 || dup.Candidates[0].Customer.ID != c.ID {
			t.Errorf("the gate did not match the customer stored by another writer: %+v", dup)
		}
		// A search answers at once from the indexes it has, and finds a
		// customer stored by another once they are loaded again, in the
		// background.
		d := &steward.Customer{Record: steward.Record{Source: "shop", SourceID: "10", FirstName: "Omid", Email: "omid@example.com"}}
		if err := st.CreateCustomer(t.Context(), d, steward.Meta{Actor: "import", Cause: "import:2"}); err != nil {
			t.Fatal(err)
		}
		found := false
		for deadline := time.Now().Add(10 * time.Second); !found && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			var sr struct {
				Items []struct{ Customer steward.Customer }
			}
			a.want(a.do("viewer", "GET", "/api/v1/customers?q=omid@example.com", nil), 200).decode(t, &sr)
			found = len(sr.Items) == 1 && sr.Items[0].Customer.ID == d.ID
		}
		if !found {
			t.Errorf("search does not find a customer stored by another writer")
		}
	})
}

// TestCustomerShowsVerification: the customer's view carries the latest
// verification of its current address, and none for a new address.
func TestCustomerShowsVerification(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		var created admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", ali), 201).decode(t, &created)
		id := created.Customer.ID
		at := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
		if err := st.RecordEmailCheck(context.Background(), id, created.Customer.Record.Email, "invalid", "no_mx", at); err != nil {
			t.Fatal(err)
		}
		var v struct{ Verification *steward.EmailCheck }
		a.want(a.do("viewer", "GET", fmt.Sprintf("/api/v1/customers/%d", id), nil), 200).decode(t, &v)
		if v.Verification == nil || v.Verification.Verdict != "invalid" || v.Verification.Reason != "no_mx" || !v.Verification.CheckedAt.Equal(at) {
			t.Errorf("verification %+v", v.Verification)
		}
		a.want(a.do("steward", "PATCH", fmt.Sprintf("/api/v1/customers/%d", id), map[string]any{"email": "ali.new@gmail.com"}), 200)
		v.Verification = nil
		a.want(a.do("viewer", "GET", fmt.Sprintf("/api/v1/customers/%d", id), nil), 200).decode(t, &v)
		if v.Verification != nil {
			t.Errorf("a new address shows the old one's verification: %+v", v.Verification)
		}
	})
}

// TestImportsAPI: the imports history, newest first, by source, one by
// one.
func TestImportsAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		for _, src := range []string{"shop", "crm"} {
			im := &steward.ImportRecord{Source: src, Name: src + ".csv", Status: steward.ImportCommitted, StartedAt: at, FinishedAt: at, Rows: 3, Accepted: 2, Rejected: 1,
				Summary: []byte(`{"rows":3}`)}
			if err := st.RecordImport(context.Background(), im); err != nil {
				t.Fatal(err)
			}
		}
		var page struct {
			Items      []steward.ImportRecord
			NextCursor string `json:"next_cursor"`
		}
		a.want(a.do("viewer", "GET", "/api/v1/imports?limit=1", nil), 200).decode(t, &page)
		if len(page.Items) != 1 || page.Items[0].Source != "crm" || page.NextCursor == "" {
			t.Fatalf("first page %+v", page)
		}
		var one steward.ImportRecord
		a.want(a.do("viewer", "GET", fmt.Sprintf("/api/v1/imports/%d", page.Items[0].ID), nil), 200).decode(t, &one)
		if one.Rejected != 1 || len(one.Summary) == 0 {
			t.Errorf("import %+v", one)
		}
		page.Items = nil
		a.want(a.do("viewer", "GET", "/api/v1/imports?source=shop", nil), 200).decode(t, &page)
		if len(page.Items) != 1 || page.Items[0].Name != "shop.csv" {
			t.Errorf("shop's imports %+v", page.Items)
		}
		a.want(a.do("viewer", "GET", "/api/v1/imports/424242", nil), 404)
	})
}

// TestCreateHeld: under gate.on_duplicate hold, a probable duplicate made
// through the API is created held, with its suggestion, and is not found
// by search until a steward decides.
func TestCreateHeld(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st, func(c *server.Config) { c.Policy.OnDuplicate = steward.DuplicateHold })
		a.want(a.do("steward", "POST", "/api/v1/customers", ali), 201)
		var second admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", aliAgain), 201).decode(t, &second)
		if second.Outcome != steward.OutcomeHeld || second.Customer.Status != steward.StatusHeld || second.Suggestion == nil {
			t.Fatalf("duplicate under hold: %+v", second)
		}
		var found struct {
			Items []struct{ Customer steward.Customer }
		}
		a.want(a.do("viewer", "GET", "/api/v1/customers?q="+url.QueryEscape("ali.rezaei@gmail.com"), nil), 200).decode(t, &found)
		for _, it := range found.Items {
			if it.Customer.ID == second.Customer.ID {
				t.Errorf("search finds the held customer")
			}
		}
	})
}
