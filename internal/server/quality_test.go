package server_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/quality"
	"github.com/steward-crm/steward/internal/search"
	"github.com/steward-crm/steward/validate"
)

// TestQualityReport: the report in JSON and on the page /quality, every
// count a link to the customers behind it, and those customers listed by
// the customer search page by page; a metric that counts no customers is
// refused naming the parameter.
func TestQualityReport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		ctx := context.Background()
		a := newAPI(t, st)
		// 12 shop customers, 5 of them with a phone that is not one; 3
		// crm customers without a phone.
		var cs []*steward.Customer
		for i := range 12 {
			phone := fmt.Sprintf("+98912%07d", i)
			if i%3 == 0 || i == 7 {
				phone = "12"
			}
			cs = append(cs, &steward.Customer{Record: steward.Record{Source: "shop", SourceID: fmt.Sprint("s", i),
				FirstName: "Sara", LastName: fmt.Sprint("Ahmadi", i), Phone: phone, Country: "IR"}})
		}
		for i := range 3 {
			cs = append(cs, &steward.Customer{Record: steward.Record{Source: "crm", SourceID: fmt.Sprint("c", i),
				FirstName: "Mina", LastName: fmt.Sprint("Karimi", i), Email: fmt.Sprintf("mina%d@example.ir", i), Country: "IR"}})
		}
		if err := st.CreateCustomers(ctx, cs, steward.Meta{Actor: "test", Cause: "fixture"}); err != nil {
			t.Fatal(err)
		}
		rr, err := validate.NewRecordRules(validate.DefaultRecordRulesConfig("IR"))
		if err != nil {
			t.Fatal(err)
		}
		m := &quality.Measurer{Rules: rr}
		for i := range 2 {
			snap, err := m.Take(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			snap.TakenAt = time.Now().Add(time.Duration(i-2) * time.Hour)
			if err := st.SaveSnapshot(ctx, snap); err != nil {
				t.Fatal(err)
			}
		}

		var rep quality.Report
		a.want(a.do("viewer", "GET", "/api/v1/quality?source=shop", nil), 200).decode(t, &rep)
		found := false
		for _, row := range rep.Rows {
			if row.Dimension == steward.DimValidity && row.Field == steward.FieldPhone {
				found = row.Numerator == 7 && row.Denominator == 12 && row.HasPrevious && len(row.Trend) == 2
			}
		}
		if len(rep.Snapshots) != 2 || !found {
			t.Errorf("report of shop: %d snapshots, phone validity row found with 7 of 12: %v", len(rep.Snapshots), found)
		}
		a.want(a.do("", "GET", "/api/v1/quality", nil), 401)

		// The five whose phone is not one, two pages of three.
		var ids []int64
		cursor := ""
		for range 3 {
			var res struct {
				Items      []search.Hit
				More       bool
				NextCursor string `json:"next_cursor"`
			}
			path := "/api/v1/customers?metric=validity.phone&source=shop&limit=3"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			a.want(a.do("viewer", "GET", path, nil), 200).decode(t, &res)
			for _, h := range res.Items {
				if h.Customer.Record.Phone != "12" {
					t.Errorf("customer %d with phone %q listed as invalid", h.Customer.ID, h.Customer.Record.Phone)
				}
				ids = append(ids, h.Customer.ID)
			}
			if !res.More {
				break
			}
			cursor = res.NextCursor
		}
		if len(ids) != 5 {
			t.Errorf("%d customers with an invalid phone listed, want 5: %v", len(ids), ids)
		}
		var withPhone struct{ Items []search.Hit }
		a.want(a.do("viewer", "GET", "/api/v1/customers?metric=completeness.phone&passing=true&limit=100", nil), 200).decode(t, &withPhone)
		if n := len(withPhone.Items); n != 12 {
			t.Errorf("%d customers with a phone, want 12", n)
		}
		r := a.want(a.do("viewer", "GET", "/api/v1/customers?metric=backlog.pending", nil), 400)
		if code, msg, field := r.errorOf(t); code != "malformed" || field != "metric" || !strings.Contains(msg, "backlog.pending") {
			t.Errorf("a metric of suggestions: %s %s %s", code, field, msg)
		}
		a.want(a.do("viewer", "GET", "/api/v1/customers?metric=validity.phone&passing=maybe", nil), 400)

		// The page: HTML with no script, the counts linked to the search.
		page := a.do("viewer", "GET", "/quality", nil)
		body := string(page.body)
		if page.status != 200 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") ||
			!strings.Contains(page.header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("/quality: %d %v", page.status, page.header)
		}
		if strings.Contains(body, "<script") || !strings.Contains(body, "Worst sources") || !strings.Contains(body, "<svg") {
			t.Errorf("/quality page lacks its parts or runs a script")
		}
		want := "/api/v1/customers?" + url.Values{"metric": {"validity.phone"}, "source": {"shop"}}.Encode()
		if !strings.Contains(body, strings.ReplaceAll(want, "&", "&amp;")) {
			t.Errorf("/quality does not link the invalid phones of shop to %s", want)
		}
		links := regexp.MustCompile(`href="(/api/v1/customers\?[^"]+)"`).FindAllStringSubmatch(body, -1)
		if len(links) < 20 {
			t.Errorf("/quality has %d links to customers", len(links))
		}
		// Every link answers.
		for _, l := range links {
			a.want(a.do("viewer", "GET", strings.ReplaceAll(l[1], "&amp;", "&"), nil), 200)
		}
		if a.do("", "GET", "/quality", nil).status != 401 {
			t.Errorf("/quality answers without signing in")
		}
	})
}
