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
	good := steward.Record{Email: "ann@acme-widgets.com", Attributes: map[string]string{"tier": "gold"}}
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

func TestFieldActions(t *testing.T) {
	tests := []struct {
		name string
		file string
		want map[string]steward.FieldAction // entries that must be there
	}{
		{"defaults: optional fields drop, identity rejects", "", map[string]steward.FieldAction{
			"phone": steward.FieldDrop, "email": steward.FieldDrop, "birth_date": steward.FieldDrop, "country": steward.FieldDrop,
			"postal_code": steward.FieldDrop, "id": steward.FieldReject, "source": steward.FieldReject,
		}},
		{"a required field rejects", "fields:\n  email: {required: true}\n", map[string]steward.FieldAction{
			"email": steward.FieldReject, "phone": steward.FieldDrop,
		}},
		{"named actions win", "fields:\n  phone: {on_invalid: reject}\n  birth_date: {on_invalid: keep}\n  email: {required: true, on_invalid: keep}\n", map[string]steward.FieldAction{
			"phone": steward.FieldReject, "birth_date": steward.FieldKeep, "email": steward.FieldKeep,
		}},
		{"attributes", "attributes:\n  tier: {validate: \"oneof=gold silver\"}\n  vip: {validate: \"oneof=yes no\", on_invalid: reject}\n", map[string]steward.FieldAction{
			"tier": steward.FieldDrop, "vip": steward.FieldReject,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse([]byte(tt.file), "steward.yaml")
			if err != nil {
				t.Fatal(err)
			}
			got := r.FieldActions()
			for field, want := range tt.want {
				if got[field] != want {
					t.Errorf("%s: %q, want %q", field, got[field], want)
				}
			}
		})
	}
}
