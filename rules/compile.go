package rules

import (
	"github.com/steward-crm/steward"
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
			Check:    string(f.Check),
			Severity: validate.Severity(f.Severity),
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
