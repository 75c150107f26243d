package rules

import (
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/validate"
)

func TestRecordRulesConfig(t *testing.T) {
	r, err := Parse([]byte(`
defaults: {country: AU}
fields:
  email: {required: true}
  national_id: ~
attributes:
  tier: {validate: "oneof=gold silver", severity: warning}
require: {name: false}
`), "steward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := r.RecordRulesConfig()
	if cfg.DefaultCountry != "AU" || cfg.RequireName || !cfg.RequireContact {
		t.Errorf("config = %+v", cfg)
	}
	rr, err := validate.NewRecordRules(cfg)
	if err != nil {
		t.Fatalf("validate rejects the compiled rules: %v", err)
	}
	findings := func(rec steward.Record) map[string]steward.Severity {
		out := map[string]steward.Severity{}
		for _, f := range validate.Record(&rec, rr) {
			out[f.Field] = f.Severity
		}
		return out
	}
	good := steward.Record{Email: "ann@example.com", Attributes: map[string]string{"tier": "gold"}}
	if got := findings(good); len(got) != 0 {
		t.Errorf("good record has findings %v", got)
	}
	bad := steward.Record{Phone: "+61 2 9999 9999", Attributes: map[string]string{"tier": "platinum"}}
	got := findings(bad)
	if got["email"] != steward.SeverityError {
		t.Errorf("missing required email not an error: %v", got)
	}
	if got["tier"] != steward.SeverityWarning {
		t.Errorf("bad tier not a warning: %v", got)
	}
	for _, f := range cfg.Fields {
		if f.Field == "national_id" {
			t.Error("national_id rule removed by the file is still there")
		}
	}
}

func TestDefaultRecordRulesCompile(t *testing.T) {
	rr, err := validate.NewRecordRules(Default().RecordRulesConfig())
	if err != nil {
		t.Fatal(err)
	}
	got := validate.Record(&steward.Record{City: "Perth"}, rr)
	fields := map[string]bool{}
	for _, f := range got {
		fields[f.Field] = true
	}
	if !fields["name"] || !fields["contact"] {
		t.Errorf("a record with neither name nor contact: findings %+v", got)
	}
}
