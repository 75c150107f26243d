package validate

import (
	"regexp"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
	"github.com/steward-crm/steward/internal/lib/fold"
	"github.com/steward-crm/steward/internal/lib/postaldata"
)

// Reason codes of postal code checks.
const (
	ReasonPostalOK             Reason = "postal_code_ok"
	ReasonPostalEmpty          Reason = "postal_code_empty"
	ReasonPostalFormat         Reason = "postal_code_format"
	ReasonPostalUnknownCountry Reason = "postal_code_unknown_country"
	ReasonPostalUnchecked      Reason = "postal_code_unchecked"
)

// PostalRules holds each country's postal code format, from Google's
// address metadata (libaddressinput, BSD-3-Clause). It is read-only after
// construction and safe for concurrent use.
type PostalRules struct {
	countries map[string]postalRule
	// iso are the regions that are ISO 3166-1 alpha-2 countries.
	iso map[string]bool
}

type postalRule struct {
	name    string
	re      *regexp.Regexp // nil: the country uses no postal codes
	example string
}

// isCountry reports whether c (any case) is an ISO 3166-1 alpha-2 country
// code.
func (p *PostalRules) isCountry(c string) bool { return p.iso[strings.ToUpper(c)] }

// LoadPostalRules parses and compiles the embedded per-country rules, once
// per process; the rules are read-only and safe for concurrent use.
func LoadPostalRules() (*PostalRules, error) { return sharedPostalRules() }

var sharedPostalRules = sync.OnceValues(parsePostalRules)

func parsePostalRules() (*PostalRules, error) {
	raw, err := postaldata.Rules()
	if err != nil {
		return nil, err
	}
	p := &PostalRules{countries: make(map[string]postalRule, len(raw)), iso: make(map[string]bool, len(raw))}
	tags := validator.New()
	for cc, r := range raw {
		// The postal data also has AC, TA and ZZ, which are no ISO 3166-1
		// codes: a country is what the rules file's iso3166_1_alpha2 reads
		// as one.
		if tags.Var(cc, "iso3166_1_alpha2") == nil {
			p.iso[cc] = true
		}
		rule := postalRule{name: r.Name, re: r.Pattern}
		if len(r.Examples) > 0 {
			rule.example = r.Examples[0]
		}
		p.countries[cc] = rule
	}
	return p, nil
}

// Check reports whether code has the postal code format of country (ISO
// 3166-1 alpha-2, any case): Iran's ten digits (11936-12345), the UK's
// postcodes (EC1Y 8SY), US ZIP and ZIP+4 (95014, 22162-1010) and so on.
// Persian, Arabic-Indic and full-width digits are folded, invisible
// characters dropped (internal/fold) and letters compared in upper case;
// Normalized is the code so folded.
func (p *PostalRules) Check(country, code string) Check {
	code = strings.ToUpper(strings.TrimSpace(fold.Digits(code)))
	if code == "" {
		return Check{Reason: ReasonPostalEmpty}
	}
	rule, ok := p.countries[strings.ToUpper(strings.TrimSpace(country))]
	switch {
	case !ok:
		return Check{Reason: ReasonPostalUnknownCountry}
	case rule.re == nil:
		return Check{Valid: true, Reason: ReasonPostalUnchecked, Normalized: code}
	case !rule.re.MatchString(code):
		return Check{Reason: ReasonPostalFormat}
	}
	return Check{Valid: true, Reason: ReasonPostalOK, Normalized: code}
}

// Example returns an example postal code of country, or "" when none is on
// record; useful in a message that says what was expected.
func (p *PostalRules) Example(country string) string {
	return p.countries[strings.ToUpper(country)].example
}
