package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/quality"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/validate"
)

// defaultRulesPath is the rules file a command reads when neither --rules
// nor $STEWARD_RULES names one and it exists.
const defaultRulesPath = "steward.yaml"

// rulesFlag adds the --rules flag to fs.
func rulesFlag(fs *flag.FlagSet) *string {
	return fs.String("rules", "", "rules file (default $STEWARD_RULES, else ./"+defaultRulesPath+" when present, else the built-in defaults)")
}

// loadRules reads the rules file named by --rules, $STEWARD_RULES or
// ./steward.yaml, in that order; with none of them the embedded defaults
// apply. A named file that is missing is an error; problems in a file are
// reported with their line numbers.
func loadRules(env *Env, path string) (*rules.Rules, error) {
	if path == "" {
		path = env.Getenv("STEWARD_RULES")
	}
	if path == "" {
		if _, err := os.Stat(defaultRulesPath); errors.Is(err, fs.ErrNotExist) {
			return rules.Default(), nil
		}
		path = defaultRulesPath
	}
	r, err := rules.Load(path)
	if err != nil {
		return nil, fmt.Errorf("rules file: %w", err)
	}
	return r, nil
}

// emailVerifier builds a verifier from the rules' email section; offline
// asks no DNS server, dnsServer overrides the rules' server.
func emailVerifier(r *rules.Rules, offline bool, dnsServer string) (*validate.EmailVerifier, error) {
	if dnsServer == "" {
		dnsServer = r.EmailVerification.DNSServer
	}
	v, err := newEmailVerifier(offline, dnsServer, r.EmailVerification.Timeout, "name a server with --dns HOST:PORT or email_verification.dns_server, or use --offline")
	if err != nil {
		return nil, err
	}
	v.Concurrency = r.EmailVerification.Concurrency
	return v, nil
}

// newEmailVerifier builds a verifier with the email lists and, unless
// offline, a resolver asking server (HOST:PORT; "" is the first nameserver
// of /etc/resolv.conf) with timeout per attempt. noServer is the hint when
// there is no server to ask.
func newEmailVerifier(offline bool, server string, timeout time.Duration, noServer string) (*validate.EmailVerifier, error) {
	lists, err := validate.LoadLists()
	if err != nil {
		return nil, fmt.Errorf("load email lists: %w", err)
	}
	v := &validate.EmailVerifier{Lists: lists}
	if offline {
		return v, nil
	}
	if server == "" {
		if server, err = validate.SystemDNSServer("/etc/resolv.conf"); err != nil {
			return nil, usagef(noServer, "no DNS server: %v", err)
		}
	}
	res, err := validate.NewDNSResolver(validate.DNSConfig{Server: server, Timeout: timeout})
	if err != nil {
		return nil, usagef("write the DNS server as HOST:PORT, for example 1.1.1.1:53", "%v", err)
	}
	v.Resolver = res
	return v, nil
}

// recordRules compiles the record rules; a --country (countryFlag) that is
// no country is a usage error naming the flag.
func recordRules(cfg validate.RecordRulesConfig, countryFlag string) (*validate.RecordRules, error) {
	rr, err := validate.NewRecordRules(cfg)
	if countryFlag != "" && errors.Is(err, validate.ErrUnknownCountry) {
		return nil, usagef("use an ISO 3166-1 alpha-2 code such as IR, GB or US", "--country: %v", err)
	}
	if err != nil {
		return nil, fmt.Errorf("record rules: %w", err)
	}
	return rr, nil
}

// gatePolicy is the admission policy of the rules file: standardization
// and validation (for the country the --country flag names, when it does),
// what becomes of invalid records and duplicates, the thresholds and the
// survivorship of merges. Every entry of records (import, the API) takes
// it from here.
func gatePolicy(r *rules.Rules, countryFlag string) (gate.Policy, error) {
	p := gate.Policy{
		Cleanse:         r.CleanseOptions(),
		FieldActions:    r.FieldActions(),
		OnInvalid:       r.Gate.OnInvalid,
		OnDuplicate:     r.Gate.OnDuplicate,
		ReviewThreshold: r.Matching.ReviewThreshold,
		Survivorship:    r.Survivorship,
	}
	if r.Matching.AutoMerge.Enabled {
		p.AutoMergeThreshold = r.Matching.AutoMerge.Threshold
	}
	rrc := r.RecordRulesConfig()
	if countryFlag != "" {
		p.Cleanse.DefaultCountry = strings.ToUpper(countryFlag)
		rrc.DefaultCountry = p.Cleanse.DefaultCountry
	}
	rr, err := recordRules(rrc, countryFlag)
	if err != nil {
		return gate.Policy{}, err
	}
	p.Validate = gate.RecordValidator(rr)
	return p.Defaults()
}

// currentModel returns the matching model the database scores with (its
// stored model, or the built-in one while it has none), and logs why a
// stored model was passed over.
func currentModel(ctx context.Context, env *Env, st steward.ModelStore) (matchindex.Scorer, error) {
	sc, warn, err := matchindex.CurrentModel(ctx, st)
	if err != nil {
		return matchindex.Scorer{}, err
	}
	if warn != "" {
		envLogger(env).Warn(warn)
	}
	return sc, nil
}

// qualityMeasurer builds the data-quality measurer and thresholds of the
// rules file: the record rules a value must pass, the standardization it
// is measured against, the required fields, the consent attributes (those
// whose survivorship is most_restrictive) and the verification window.
func qualityMeasurer(r *rules.Rules) (*quality.Measurer, []quality.Threshold, error) {
	rr, err := recordRules(r.RecordRulesConfig(), "")
	if err != nil {
		return nil, nil, err
	}
	m := &quality.Measurer{Rules: rr, Cleanse: r.CleanseOptions(), VerificationWindow: r.EmailVerification.Window}
	for name, f := range r.Fields {
		if f.Required {
			m.Required = append(m.Required, name)
		}
	}
	slices.Sort(m.Required)
	for name, p := range r.Survivorship.Attributes {
		if p.Strategy == steward.MostRestrictive {
			m.ConsentAttributes = append(m.ConsentAttributes, name)
		}
	}
	slices.Sort(m.ConsentAttributes)
	var ths []quality.Threshold
	for _, t := range r.Quality.Thresholds {
		q := quality.Threshold{Metric: t.Metric, Source: t.Source, Bound: t.Bound}
		switch t.Bound {
		case "share_below":
			q.Value = t.ShareBelow
		case "share_above":
			q.Value = t.ShareAbove
		case "count_above":
			q.Value = float64(t.CountAbove)
		}
		ths = append(ths, q)
	}
	return m, ths, nil
}
