package server_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/server"
	"github.com/steward-crm/steward/internal/suppress"
)

func withKeys(k *suppress.Keys) option {
	return func(c *server.Config) { c.Keys = k; c.PublicURL = "https://crm.example.com/" }
}

// TestOneClickUnsubscribe: a steward makes a link for a customer; GET
// shows a button and changes nothing (link scanners); POST with
// List-Unsubscribe=One-Click, form-urlencoded or multipart, suppresses
// the address at once and again changes nothing more; forged, altered
// and cut tokens, a token of a key rotated out, and one whose address is
// not the customer's change nothing and say only that the link is not
// valid; a rotated-in key keeps older links working. The customer shows
// its suppression.
func TestOneClickUnsubscribe(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		keys := suppress.NewKeys()
		a := newAPI(t, st, withKeys(keys))
		var created admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", ali), 201).decode(t, &created)
		id := created.Customer.ID

		a.want(a.do("viewer", "POST", fmt.Sprintf("/api/v1/customers/%d/unsubscribe-links", id), nil), 403)
		var link struct {
			URL     string
			Headers map[string]string
		}
		a.want(a.do("steward", "POST", fmt.Sprintf("/api/v1/customers/%d/unsubscribe-links", id), map[string]any{"list": "news"}), 200).decode(t, &link)
		if !strings.HasPrefix(link.URL, "https://crm.example.com/u/") || link.Headers["List-Unsubscribe"] != "<"+link.URL+">" ||
			link.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || strings.Contains(link.URL, "rezaei") {
			t.Fatalf("link %+v", link)
		}
		path := strings.TrimPrefix(link.URL, "https://crm.example.com")
		token := strings.TrimPrefix(path, "/u/")
		suppressions := func() int {
			t.Helper()
			var v struct{ Suppressions []steward.Suppression }
			a.want(a.do("viewer", "GET", fmt.Sprintf("/api/v1/customers/%d", id), nil), 200).decode(t, &v)
			return len(v.Suppressions)
		}
		get := func(p string) (int, string) {
			res, err := http.Get(a.url + p)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		post := func(p, contentType string, body io.Reader) (int, string, http.Header) {
			res, err := http.Post(a.url+p, contentType, body)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b), res.Header
		}
		oneClick := func(p string) (int, string, http.Header) {
			return post(p, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		}

		if code, body := get(path); code != 200 || !strings.Contains(body, `<form method="post">`) || !strings.Contains(body, "news") {
			t.Errorf("GET: %d %s", code, body)
		}
		if n := suppressions(); n != 0 {
			t.Fatalf("GET unsubscribed: %d suppressions", n)
		}
		if code, _, _ := post(path, "application/x-www-form-urlencoded", strings.NewReader("")); code != 400 || suppressions() != 0 {
			t.Errorf("POST without List-Unsubscribe=One-Click: %d", code)
		}

		// Forged and altered tokens.
		raw, _ := base64.RawURLEncoding.DecodeString(token)
		flip := func(i int) string {
			b := bytes.Clone(raw)
			b[i] ^= 1
			return "/u/" + base64.RawURLEncoding.EncodeToString(b)
		}
		other := suppress.NewKeys()
		otherTok, _ := other.Mint(suppress.Token{CustomerID: id, List: "news", AddressHash: other.Hash(steward.ChannelEmail, "ali.rezaei@gmail.com")})
		wrongAddr, _ := keys.Mint(suppress.Token{CustomerID: id, AddressHash: keys.Hash(steward.ChannelEmail, "someone.else@example.org")})
		for name, p := range map[string]string{"cut": path[:len(path)-3], "altered id": flip(6), "altered list": flip(8),
			"altered mac": flip(len(raw) - 1), "another key": "/u/" + otherTok, "another address": "/u/" + wrongAddr, "junk": "/u/%3Cscript%3E"} {
			code, body, _ := oneClick(p)
			if code != 404 || !strings.Contains(body, "not valid") || strings.Contains(body, "rezaei") {
				t.Errorf("%s: %d %s", name, code, body)
			}
		}
		if n := suppressions(); n != 0 {
			t.Fatalf("bad tokens suppressed: %d", n)
		}

		code, body, h := oneClick(path)
		if code != 200 || !strings.Contains(body, "unsubscribed") || h.Get("Set-Cookie") != "" || h.Get("Location") != "" {
			t.Fatalf("one-click POST: %d %s %v", code, body, h)
		}
		if n := suppressions(); n != 1 {
			t.Fatalf("%d suppressions after one click", n)
		}
		// Replayed, and multipart as some clients send it: same answer,
		// nothing more.
		var mp bytes.Buffer
		w := multipart.NewWriter(&mp)
		_ = w.WriteField("List-Unsubscribe", "One-Click")
		_ = w.Close()
		if code, _, _ := post(path, w.FormDataContentType(), &mp); code != 200 {
			t.Errorf("multipart one-click: %d", code)
		}
		if code, _, _ := oneClick(path); code != 200 || suppressions() != 1 {
			t.Errorf("replay: %d, %d suppressions", code, suppressions())
		}
		var v struct{ Suppressions []steward.Suppression }
		a.want(a.do("viewer", "GET", fmt.Sprintf("/api/v1/customers/%d", id), nil), 200).decode(t, &v)
		if s := v.Suppressions[0]; s.Reason != steward.ReasonUnsubscribed || s.Scope != "news" || s.Source != "one-click" {
			t.Errorf("suppression %+v", s)
		}

		// Keys rotated: a new key first, the old one still verifies; once
		// dropped, its links are not valid.
		rotated, err := suppress.ParseKeys(fmt.Sprintf("%x", keys.HashKey), fmt.Sprintf("%x,%x", bytes.Repeat([]byte{7}, 32), keys.TokenKeys[0]))
		if err != nil {
			t.Fatal(err)
		}
		b := newAPI(t, st, withKeys(rotated))
		if code, _ := get2(t, b.url+path); code != 200 {
			t.Errorf("old link after rotation: %d", code)
		}
		dropped, _ := suppress.ParseKeys(fmt.Sprintf("%x", keys.HashKey), fmt.Sprintf("%x", bytes.Repeat([]byte{7}, 32)))
		c := newAPI(t, st, withKeys(dropped))
		if code, _ := get2(t, c.url+path); code != 404 {
			t.Errorf("old link after its key was dropped: %d", code)
		}
	})
}

func get2(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestEraseCustomerAPI: only an admin erases; the erased customer
// answers as erased with nothing left, and is no longer found by search;
// a server without keys answers 503.
func TestEraseCustomerAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st, withKeys(suppress.NewKeys()))
		var created admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", ali), 201).decode(t, &created)
		id := created.Customer.ID
		p := fmt.Sprintf("/api/v1/customers/%d", id)
		a.want(a.do("steward", "DELETE", p, nil), 403)
		var res struct {
			Customers []int64
			Addresses int
			Erased    bool
		}
		a.want(a.do("admin", "DELETE", p, nil), 200).decode(t, &res)
		if !res.Erased || len(res.Customers) != 1 || res.Addresses != 2 {
			t.Errorf("erasure %+v; want the customer and its email and phone", res)
		}
		var v struct {
			Customer     steward.Customer
			Suppressions []steward.Suppression
		}
		a.want(a.do("viewer", "GET", p, nil), 200).decode(t, &v)
		if v.Customer.Status != steward.StatusErased || v.Customer.Record.Email != "" || v.Customer.Record.FirstName != "" {
			t.Errorf("erased customer %+v", v.Customer)
		}
		var found struct{ Items []any }
		a.want(a.do("viewer", "GET", "/api/v1/customers?q="+url.QueryEscape("ali.rezaei@gmail.com"), nil), 200).decode(t, &found)
		if len(found.Items) != 0 {
			t.Errorf("search finds the erased customer: %+v", found.Items)
		}
		var again struct{ Erased bool }
		a.want(a.do("admin", "DELETE", p, nil), 200).decode(t, &again)
		if again.Erased {
			t.Error("erasing again erased something")
		}
		b := newAPI(t, st)
		b.want(b.do("admin", "DELETE", p, nil), 503)
	})
}
