// Package postaldata holds each country's postal-code format from Google's
// address metadata (BSD-3-Clause, LICENSE beside it), embedded once and
// parsed once for both cleanse (laying codes out) and validate (checking
// them).
package postaldata

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

//go:embed countries_postal_rules.json
var rulesJSON []byte

// Rule is one country's postal code format.
type Rule struct {
	// Name is the country's name in the metadata.
	Name string
	// Pattern matches a whole postal code; nil when the country has none.
	Pattern *regexp.Regexp
	// Examples are the metadata's sample codes, as written there.
	Examples []string
}

// Rules returns every country's rule by ISO 3166-1 alpha-2 code. The map
// is built once per process, is read-only and safe for concurrent use.
func Rules() (map[string]Rule, error) { return rules() }

var rules = sync.OnceValues(func() (map[string]Rule, error) {
	var raw map[string]struct {
		Name  string `json:"name"`
		Zip   string `json:"zip"`
		Zipex string `json:"zipex"`
	}
	if err := json.Unmarshal(rulesJSON, &raw); err != nil {
		return nil, fmt.Errorf("read postal rules: %w", err)
	}
	out := make(map[string]Rule, len(raw))
	for cc, r := range raw {
		rule := Rule{Name: r.Name}
		if r.Zipex != "" {
			rule.Examples = strings.Split(r.Zipex, ",")
		}
		if r.Zip != "" {
			re, err := regexp.Compile(`^(?:` + r.Zip + `)$`)
			if err != nil {
				return nil, fmt.Errorf("postal rule of %s: %w", cc, err)
			}
			rule.Pattern = re
		}
		out[cc] = rule
	}
	return out, nil
})
