package gate_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/validate"
)

// rulesPolicy is the admission policy of a rules file (as cmd builds it):
// its checks and its per-field on_invalid actions.
func rulesPolicy(t *testing.T, file string) gate.Policy {
	t.Helper()
	r, err := rules.Parse([]byte(file), "steward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rr, err := validate.NewRecordRules(r.RecordRulesConfig())
	if err != nil {
		t.Fatal(err)
	}
	p, err := gate.Policy{Cleanse: r.CleanseOptions(), Validate: gate.RecordValidator(rr), FieldActions: r.FieldActions(), OnInvalid: r.Gate.OnInvalid}.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheckFieldActions: one bad optional value costs that value, not the
// customer; the name and contact rules judge what is left.
func TestCheckFieldActions(t *testing.T) {
	ann := steward.Record{FirstName: "Ann", LastName: "Lee", Email: "ann.lee@gmail.com"}
	with := func(r steward.Record, field, v string) steward.Record {
		r = r.Clone()
		r.Set(field, v)
		return r
	}
	tests := []struct {
		name    string
		rules   string
		rec     steward.Record
		ok      bool
		dropped []string // fields cleared
		// codes are the findings as code/severity; every one must be
		// there and no other error.
		codes []string
		// message is part of the message of the first finding.
		message string
		after   map[string]string // field values after the check
	}{
		{"valid email, phone 12: the phone is dropped", "", with(ann, "phone", "12"), true, []string{"phone"},
			[]string{"phone_invalid_country_code/warning"}, `phone "12": `, map[string]string{"phone": "", "email": "ann.lee@gmail.com"}},
		{"a day-month birth date is dropped", "", with(ann, "birth_date", "05/01/1993"), true, []string{"birth_date"},
			[]string{"invalid_datetime/warning"}, `birth_date "05/01/1993": `, map[string]string{"birth_date": ""}},
		{"a bad email with a good phone: the email is dropped", "", with(with(ann, "email", "ann@@gmail.com"), "phone", "+44 7911 123456"), true, []string{"email"},
			nil, `email "ann@@gmail.com": `, map[string]string{"email": "", "phone": "+447911123456"}},
		{"the only contact invalid: refused, the phone one of its errors, kept in the record", "", with(with(ann, "email", ""), "phone", "12"), false, nil,
			[]string{"no_valid_contact/error", "phone_invalid_country_code/error"}, "at least one valid contact", map[string]string{"phone": "12"}},
		{"the only name invalid: refused, the name one of its errors", "", steward.Record{FirstName: strings.Repeat("x", 101), Email: "x@gmail.com"}, false, nil,
			[]string{"name_missing/error", "invalid_max/error"}, "needs a first or last name", nil},
		{"an unknown country is dropped and the phone read without it", "defaults: {country: AU}\n",
			with(with(ann, "country", "Atlantis"), "phone", "02 9999 9999"), true, []string{"country"},
			[]string{"country_unknown/warning"}, `country "Atlantis": `, map[string]string{"country": "", "phone": "+61299999999"}},
		{"keep stores the value with a warning", "fields:\n  phone: {on_invalid: keep}\n", with(ann, "phone", "12"), true, nil,
			[]string{"phone_invalid_country_code/warning"}, `phone "12": The country calling code does not exist, or the number is local and no country was given. The value was kept as it is.`, map[string]string{"phone": "12"}},
		{"reject rejects the record", "fields:\n  birth_date: {on_invalid: reject}\n", with(ann, "birth_date", "05/01/1993"), false, nil,
			[]string{"invalid_datetime/error"}, `birth_date "05/01/1993": `, map[string]string{"birth_date": "05/01/1993"}},
		{"a required field rejects", "fields:\n  email: {required: true}\n", with(with(ann, "email", "ann@@gmail.com"), "phone", "+44 7911 123456"), false, nil,
			[]string{"multiple_at/error"}, `email "ann@@gmail.com"`, nil},
		{"gate.on_invalid warn stores a rejected field's record", "fields:\n  phone: {on_invalid: reject}\ngate: {on_invalid: warn}\n", with(ann, "phone", "12"), true, nil,
			[]string{"phone_invalid_country_code/error"}, `phone "12"`, map[string]string{"phone": "12"}},
		{"an attribute is dropped too", "attributes:\n  tier: {validate: \"oneof=gold silver\"}\n", with(ann, "tier", "platinum"), true, []string{"tier"},
			[]string{"invalid_oneof/warning"}, `tier "platinum": `, map[string]string{"tier": ""}},
		{"a US ZIP code that lost its leading zero is restored, with a warning", "", with(with(ann, "country", "USA"), "postal_code", "2134"), true, nil,
			[]string{"postal.leading_zero/warning"}, `postal_code "2134": a US ZIP code has five digits; the leading zero a spreadsheet dropped was restored: 02134.`,
			map[string]string{"postal_code": "02134", "country": "US"}},
		{"a ZIP+4 too", "", with(with(ann, "country", "US"), "postal_code", "2134-1234"), true, nil,
			[]string{"postal.leading_zero/warning"}, `postal_code "2134-1234"`, map[string]string{"postal_code": "02134-1234"}},
		{"four digits are an Australian postcode, untouched", "", with(with(ann, "country", "AU"), "postal_code", "2134"), true, nil,
			nil, "", map[string]string{"postal_code": "2134"}},
		{"an Iranian mobile with a Persian address and no country: the country is inferred", "",
			steward.Record{FirstName: "Ali", LastName: "Rezaei", Phone: "0912 123 4567", AddressLine1: "تهران، خیابان آزادی، پلاک ۱۲"}, true, nil,
			[]string{"country.inferred/warning"}, `country: none was given; IR was filled in from the address word "خیابان".`,
			map[string]string{"country": "IR", "phone": "+989121234567"}},
		{"a +1 phone says no country", "", with(ann, "phone", "+1 617 555 0100"), true, nil,
			nil, "", map[string]string{"country": "", "phone": "+16175550100"}},
		{"a clean record is untouched", "", with(ann, "phone", "+44 7911 123456"), true, nil, nil, "", map[string]string{"phone": "+447911123456"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := rulesPolicy(t, tt.rules)
			rec := tt.rec.Clone()
			c := p.Examine(&rec)
			if c.OK != tt.ok {
				t.Errorf("ok %v, want %v; findings %+v", c.OK, tt.ok, c.Findings)
			}
			var dropped []string
			for _, d := range c.Dropped {
				dropped = append(dropped, d.Field)
				if d.Before == "" {
					t.Errorf("dropped %s without its value", d.Field)
				}
			}
			if !reflect.DeepEqual(dropped, tt.dropped) {
				t.Errorf("dropped %v, want %v", dropped, tt.dropped)
			}
			got := map[string]bool{}
			for _, f := range c.Findings {
				got[f.Code+"/"+string(f.Severity)] = true
				if f.IsError() && !contains(tt.codes, f.Code+"/error") {
					t.Errorf("unexpected error %+v", f)
				}
			}
			for _, w := range tt.codes {
				if !got[w] {
					t.Errorf("no finding %s in %+v", w, c.Findings)
				}
			}
			if tt.message != "" && (len(c.Findings) == 0 || !strings.Contains(c.Findings[0].Message, tt.message)) {
				t.Errorf("first finding %+v does not say %q", c.Findings, tt.message)
			}
			for i := 1; i < len(c.Findings); i++ {
				if c.Findings[i].IsError() && !c.Findings[i-1].IsError() {
					t.Errorf("an error after a warning: %+v", c.Findings)
				}
			}
			for field, want := range tt.after {
				if v := rec.Get(field); v != want {
					t.Errorf("%s = %q after the check, want %q", field, v, want)
				}
			}
			if fs, ok := p.Check(&tt.rec); ok != c.OK || len(fs) != len(c.Findings) {
				t.Errorf("Check says %v %+v, Examine %v %+v", ok, fs, c.OK, c.Findings)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestCheckDropMessage: the warning of a dropped field says so and names
// the value, so that the findings report explains the empty field.
func TestCheckDropMessage(t *testing.T) {
	p := rulesPolicy(t, "")
	rec := steward.Record{FirstName: "Ann", Email: "ann@gmail.com", Phone: "12"}
	fs, ok := p.Check(&rec)
	if !ok || len(fs) != 1 {
		t.Fatalf("ok %v, findings %+v", ok, fs)
	}
	if want := `phone "12": The country calling code does not exist, or the number is local and no country was given. The value was left out; the customer was kept without it.`; fs[0].Message != want {
		t.Errorf("message %q\nwant    %q", fs[0].Message, want)
	}
}

// TestCheckZeroPolicyRejects: a Policy without FieldActions rejects every
// invalid field, as before there were any.
func TestCheckZeroPolicyRejects(t *testing.T) {
	p, err := gate.Policy{}.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	rec := steward.Record{FirstName: "Ann", Email: "ann@gmail.com", Phone: "12"}
	if fs, ok := p.Check(&rec); ok || rec.Phone != "12" {
		t.Errorf("ok %v, phone %q, findings %+v", ok, rec.Phone, fs)
	}
}

// TestCheckDropOfARejectedRecord: an invalid email that would be left out
// of a kept record is, when the record is refused all the same (no valid
// contact left), one of its errors, not a value "left out" of a customer
// "kept without it".
func TestCheckDropOfARejectedRecord(t *testing.T) {
	p := rulesPolicy(t, "")
	rec := steward.Record{FirstName: "Ann", Email: "ann@@gmail.com"}
	c := p.Examine(&rec)
	if c.OK || len(c.Dropped) != 0 {
		t.Fatalf("ok %v, dropped %+v; want refused, nothing dropped", c.OK, c.Dropped)
	}
	var email *steward.Finding
	for i, f := range c.Findings {
		if f.Field == "email" {
			email = &c.Findings[i]
		}
	}
	if email == nil || !email.IsError() || strings.Contains(email.Message, "left out") || !strings.Contains(email.Message, `"ann@@gmail.com"`) {
		t.Errorf("email finding %+v, want an error naming the value", email)
	}
}
