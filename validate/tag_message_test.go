package validate

import (
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

// A validator tag that fails is explained in words an admin understands,
// never as the tag itself.
func TestTagFindingsSpeakPlainly(t *testing.T) {
	rules, err := NewRecordRules(RecordRulesConfig{Fields: []FieldRule{
		{Field: steward.FieldBirthDate, Tag: "omitempty,datetime=2006-01-02"},
		{Field: steward.FieldCity, Tag: "max=5"},
		{Field: "tier", Tag: "oneof=gold silver"},
		{Field: steward.FieldCountry, Tag: "omitempty,iso3166_1_alpha2"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := steward.Record{FirstName: "Ann", Email: "ann@example.org", BirthDate: "02.11.1975", City: "Birmingham", Country: "XX"}
	r.Set("tier", "bronze")
	want := map[string]string{
		steward.FieldBirthDate: "set defaults.date_order",
		steward.FieldCity:      "city is longer than 5 characters.",
		"tier":                 "tier must be one of: gold, silver.",
		steward.FieldCountry:   "two-letter ISO 3166-1 country code",
	}
	got := make(map[string]string)
	for _, f := range Record(&r, rules) {
		got[f.Field] = f.Message
	}
	for field, w := range want {
		if !strings.Contains(got[field], w) || strings.Contains(got[field], "must satisfy") {
			t.Errorf("%s: message %q, want it to say %q", field, got[field], w)
		}
	}
}
