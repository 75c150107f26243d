package rules

import (
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/validate"
)

// RecordRulesConfig returns the record validation settings of r for
// validate.NewRecordRules: the field rules in canonical column order, then
// the attribute rules by name, the default country and the record-level
// requirements.
func (r *Rules) RecordRulesConfig() validate.RecordRulesConfig {
	cfg := validate.RecordRulesConfig{
		DefaultCountry: r.Defaults.Country,
		RequireName:    r.Require.Name,
		RequireContact: r.Require.Contact,
	}
	add := func(name string, f FieldRule) {
		cfg.Fields = append(cfg.Fields, validate.FieldRule{
			Field:    name,
			Required: f.Required,
			Tag:      f.Validate,
			Check:    f.Check,
			Severity: f.Severity,
		})
	}
	for _, name := range steward.CanonicalColumns() {
		if f, ok := r.Fields[name]; ok {
			add(name, f)
		}
	}
	for _, name := range sortedKeys(r.Attributes) {
		add(name, r.Attributes[name])
	}
	return cfg
}

// FieldActions returns what becomes of a record whose field fails its
// rule, for every field and attribute with a rule: its on_invalid, or,
// unset, reject for a required field and for id and source (they say
// which record this is) and drop_field for any other, so that one bad
// optional value (a phone "12", a birth date 05/01/1993) costs that value,
// not the customer.
func (r *Rules) FieldActions() map[string]steward.FieldAction {
	out := make(map[string]steward.FieldAction, len(r.Fields)+len(r.Attributes))
	one := func(name string, f FieldRule) {
		switch {
		case f.OnInvalid != "":
			out[name] = f.OnInvalid
		case f.Required || name == steward.ColumnID || name == steward.ColumnSource:
			out[name] = steward.FieldReject
		default:
			out[name] = steward.FieldDrop
		}
	}
	for name, f := range r.Fields {
		one(name, f)
	}
	for name, f := range r.Attributes {
		one(name, f)
	}
	return out
}

// CleanseOptions returns the standardization settings of the rules: the
// default country and how to read ambiguous dates. Year-first dates
// (1990/03/04) are never ambiguous, so "ymd" reads day/month-ambiguous
// dates like "reject": as invalid, not guessed.
func (r *Rules) CleanseOptions() cleanse.Options {
	order := cleanse.DateOrderReject
	switch r.Defaults.DateOrder {
	case DateDMY:
		order = cleanse.DateOrderDMY
	case DateMDY:
		order = cleanse.DateOrderMDY
	}
	return cleanse.Options{DefaultCountry: r.Defaults.Country, DateOrder: order}
}

// DedupeConfig returns the matcher's settings: dedupe's defaults with the
// rules' blocking keys and block cap (when the rules set them) and review
// threshold (the probability from which a pair joins a cluster and so a
// suggestion).
func (r *Rules) DedupeConfig() dedupe.Config {
	cfg := dedupe.DefaultConfig()
	if len(r.Matching.Blocking.Keys) > 0 {
		cfg.Blocking = cfg.Blocking[:0:0]
		for _, k := range r.Matching.Blocking.Keys {
			cfg.Blocking = append(cfg.Blocking, dedupe.BlockingKey(k))
		}
	}
	if n := r.Matching.Blocking.MaxBlockSize; n > 0 {
		cfg.MaxBlock = n
	}
	cfg.Threshold = r.Matching.ReviewThreshold
	cfg.ReviewThreshold = min(cfg.ReviewThreshold, cfg.Threshold)
	return cfg
}
