package merge

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/gate"
)

// TestMatchedFieldsAgreeWithTheMatcher holds steward.MatchedFields (and so
// the stores' triggers that clear not-duplicate marks) to what the
// matcher sees: a field is listed exactly when changing it changes the
// match keys dedupe prepares.
func TestMatchedFieldsAgreeWithTheMatcher(t *testing.T) {
	base := steward.Record{SourceID: "1", FirstName: "Sara", LastName: "Ahmadi", Company: "Acme Ltd",
		Email: "sara@example.com", Phone: "+989121234567", AddressLine1: "12 Vali-Asr St", AddressLine2: "Unit 3",
		City: "Tehran", Region: "Tehran", PostalCode: "1234567890", Country: "IR", BirthDate: "1990-01-02",
		NationalID: "0012345678", Attributes: map[string]string{"loyalty": "gold", "email_opt_out": "false"}}
	other := map[string]string{"first_name": "Mina", "last_name": "Karimi", "company": "Globex", "email": "mina@example.org",
		"phone": "+442079460000", "address_line1": "7 Azadi Ave", "address_line2": "Floor 2", "city": "Shiraz",
		"region": "Fars", "postal_code": "7134567890", "country": "GB", "birth_date": "1985-07-30",
		"national_id": "0098765432", "loyalty": "silver", "email_opt_out": "true"}
	matched := steward.MatchedFields()
	for _, f := range append(steward.CanonicalFields(), "loyalty", "email_opt_out") {
		t.Run(f, func(t *testing.T) {
			changed := base.Clone()
			changed.Set(f, other[f])
			sees := dedupe.Prepare(&base) != dedupe.Prepare(&changed)
			if listed := slices.Contains(matched, f); sees != listed {
				t.Errorf("the matcher sees a change of %s: %v; steward.MatchedFields lists it: %v", f, sees, listed)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &steward.Customer{ID: 1, UpdatedAt: t0, Record: steward.Record{Source: "shop", SourceID: "a", FirstName: "Ali",
		Email: "ali@example.com", Attributes: map[string]string{"newsletter_unsubscribed": "yes", "tier": "gold"}}}
	b := &steward.Customer{ID: 2, UpdatedAt: t0.Add(time.Hour), Record: steward.Record{Source: "crm", SourceID: "b", FirstName: "Alireza",
		Email: "ali.r@example.com", Attributes: map[string]string{"newsletter_unsubscribed": "no", "tier": "silver"}}}
	policy := steward.Survivorship{Default: steward.FieldPolicy{Strategy: steward.MostRecent},
		Fields: map[string]steward.FieldPolicy{"first_name": {Strategy: steward.MostComplete}}}
	tests := []struct {
		name      string
		survivor  int64
		overrides []Override
		want      map[string]string
		by        map[string]steward.Chooser
		customs   []string
		code      string
	}{
		{"policy", 1, nil,
			map[string]string{"first_name": "Alireza", "email": "ali.r@example.com", "tier": "silver", "newsletter_unsubscribed": "yes"},
			map[string]steward.Chooser{"first_name": steward.ByPolicy, "newsletter_unsubscribed": steward.ByConsent}, nil, ""},
		{"source of the survivor", 2, nil, map[string]string{"source": "crm", "id": "b"}, nil, nil, ""},
		{"member's value", 1, []Override{{Field: "Email", From: 1}},
			map[string]string{"email": "ali@example.com"}, map[string]steward.Chooser{"email": steward.BySteward}, nil, ""},
		{"typed value", 1, []Override{{Field: "tier", Value: ptr("platinum")}, {Field: "city", Value: ptr("Tehran")}},
			map[string]string{"tier": "platinum", "city": "Tehran"}, map[string]steward.Chooser{"city": steward.BySteward}, []string{"tier", "city"}, ""},
		{"consent by its name", 1, []Override{{Field: "newsletter_unsubscribed", Value: ptr("no")}}, nil, nil, nil, steward.EINVALID},
		{"both from and value", 1, []Override{{Field: "email", From: 1, Value: ptr("x")}}, nil, nil, nil, steward.EINVALID},
		{"neither", 1, []Override{{Field: "email"}}, nil, nil, nil, steward.EINVALID},
		{"twice", 1, []Override{{Field: "email", From: 1}, {Field: "email", From: 2}}, nil, nil, nil, steward.EINVALID},
		{"the id", 1, []Override{{Field: "id", Value: ptr("x")}}, nil, nil, nil, steward.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, _, choices, customs, err := plan([]*steward.Customer{a, b}, tt.survivor, policy, tt.overrides)
			if tt.code != "" {
				if steward.ErrorCode(err) != tt.code {
					t.Fatalf("err %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for f, v := range tt.want {
				if got := rec.Get(f); got != v {
					t.Errorf("%s = %q, want %q", f, got, v)
				}
			}
			for f, by := range tt.by {
				i := slices.IndexFunc(choices, func(c steward.FieldChoice) bool { return c.Field == f })
				if i < 0 || choices[i].By != by {
					t.Errorf("choice of %s %+v, want by %s", f, choices, by)
				}
			}
			if !reflect.DeepEqual(customs, tt.customs) {
				t.Errorf("typed fields %v, want %v", customs, tt.customs)
			}
		})
	}
}

// TestCheckCustoms: a typed value is standardized as an import's would
// be; an invalid one refuses the merge naming the field, unless the rules
// store invalid records with a warning; errors the record had before
// refuse nothing.
func TestCheckCustoms(t *testing.T) {
	p, err := gate.Policy{}.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	warn := p
	warn.OnInvalid = steward.InvalidWarn
	drop := p
	drop.FieldActions = map[string]steward.FieldAction{"email": steward.FieldDrop}
	base := steward.Record{FirstName: "Ali", LastName: "Rezaei", Country: "IR", Email: "ali@example.com", Phone: "not a phone"}
	tests := []struct {
		name   string
		p      *gate.Policy
		field  string
		value  string
		want   string
		code   string
		fields int
	}{
		{"standardized", &p, "phone", "0912 123 4567", "+989121234567", "", 0},
		{"persian digits", &p, "phone", "۰۹۱۲۱۲۳۴۵۶۷", "+989121234567", "", 0},
		{"invalid", &p, "email", "ali@@example", "", steward.EINVALID, 0},
		{"invalid, warned", &warn, "email", "ali@@example", "ali@@example", "", 2}, // the address, and no valid contact left
		{"formula kept as data", &p, "company", "=SUM(A1:A9)", "=SUM(A1:A9)", "", 0},
		{"invalid, which an import would leave out", &drop, "email", "ali@@example", "", steward.EINVALID, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := base.Clone()
			rec.Set(tt.field, tt.value)
			fs, err := checkCustoms(tt.p, &rec, base.Clone(), []string{tt.field})
			if tt.code != "" {
				if steward.ErrorCode(err) != tt.code || steward.ErrorField(err) != tt.field {
					t.Fatalf("err %v (field %q), want %s on %s", err, steward.ErrorField(err), tt.code, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.Get(tt.field); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.field, got, tt.want)
			}
			if len(fs) != tt.fields {
				t.Errorf("findings %v, want %d", fs, tt.fields)
			}
			if rec.Phone != "not a phone" && tt.field != "phone" {
				t.Errorf("a field not typed was changed: phone %q", rec.Phone)
			}
		})
	}
}

func ptr(s string) *string { return &s }
