package server_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward/internal/store/storetest"
)

// TestOpenAPI fails when a route and the OpenAPI document disagree: a
// route the document lacks, an operation no route answers, another role,
// other path parameters; and when the document is not OpenAPI 3.1 or
// refers to a schema it does not define.
func TestOpenAPI(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Role       string `json:"x-steward-role"`
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	a := newAPI(t, storetest.SQLite(t))
	seen := map[string]bool{}
	for _, rt := range a.srv.Routes() {
		key := rt.Method + " " + rt.Pattern
		seen[key] = true
		op, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s: a route the document does not describe", key)
			continue
		}
		role := string(rt.Role)
		if role == "" {
			role = "none"
		}
		if op.Role != role {
			t.Errorf("%s: role %q in the document, %q in the server", key, op.Role, role)
		}
		var want, got []string
		for _, m := range regexp.MustCompile(`\{([a-z_]+)\}`).FindAllStringSubmatch(rt.Pattern, -1) {
			want = append(want, m[1])
		}
		for _, p := range op.Parameters {
			if p.In == "path" {
				got = append(got, p.Name)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: path parameters %v in the document, %v in the pattern", key, got, want)
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s: no responses documented", key)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if key := strings.ToUpper(method) + " " + path; !seen[key] {
				t.Errorf("%s: in the document, but no route answers it", key)
			}
		}
	}
	for _, m := range regexp.MustCompile(`"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("the document refers to schema %s, which it does not define", m[1])
		}
	}
	// And the server serves it.
	r := a.want(a.do("viewer", "GET", "/api/v1/openapi.json", nil), 200)
	var served map[string]any
	r.decode(t, &served)
	if served["openapi"] != "3.1.0" {
		t.Errorf("served %v", served["openapi"])
	}
}
