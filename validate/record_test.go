package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

func newDefaultRules(t *testing.T, country string) *RecordRules {
	t.Helper()
	rules, err := NewRecordRules(DefaultRecordRulesConfig(country))
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

func codes(fs []steward.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Field+":"+f.Code+":"+string(f.Severity))
		if f.Message == "" {
			out = append(out, "NO MESSAGE")
		}
	}
	return strings.Join(out, " ")
}

func TestRecordDefaults(t *testing.T) {
	rules := newDefaultRules(t, "IR")
	tests := []struct {
		name string
		rec  steward.Record
		want string
	}{
		{"clean person", steward.Record{FirstName: "علی", LastName: "رضایی", Email: "ali.rezaei@gmail.com",
			Phone: "۰۹۱۲۱۲۳۴۵۶۷", PostalCode: "11936-12345", NationalID: "0499370899", BirthDate: "1990-03-21"}, ""},
		{"clean company by phone", steward.Record{Company: "Acme", Phone: "+44 20 7946 0018", Country: "GB", PostalCode: "EC1Y 8SY"}, ""},
		{"no name", steward.Record{Email: "ali@gmail.com"}, "name:name_missing:error"},
		{"no contact", steward.Record{FirstName: "Ali"}, "contact:no_valid_contact:error"},
		{"invalid email only", steward.Record{FirstName: "Ali", Email: "ali@@gmail.com"},
			"email:multiple_at:error contact:no_valid_contact:error"},
		{"invalid email, valid phone", steward.Record{FirstName: "Ali", Email: "ali..r@gmail.com", Phone: "09121234567"},
			"email:consecutive_dots:error"},
		{"new mobile prefix warns", steward.Record{FirstName: "Ali", Phone: "09971234567"},
			"phone:phone_possible_new_prefix:warning"},
		{"bad national id", steward.Record{FirstName: "Ali", Phone: "09121234567", NationalID: "0499370898"},
			"national_id:id_checksum:error"},
		{"legal id for company", steward.Record{Company: "شرکت نمونه", Phone: "02188776655", NationalID: "10380284790"}, ""},
		{"national id not checked outside Iran", steward.Record{FirstName: "Jo", Phone: "+12025550143", Country: "US", NationalID: "123"}, ""},
		{"postal code of the record's country", steward.Record{FirstName: "Jo", Phone: "+12025550143", Country: "US", PostalCode: "1193612345"},
			"postal_code:postal_code_format:error"},
		{"bad country", steward.Record{FirstName: "Jo", Email: "jo@acme-widgets.com", Country: "Iran", PostalCode: "12345"},
			"country:country_unknown:error postal_code:postal_code_unknown_country:warning"},
		{"postal data region that is no country", steward.Record{FirstName: "Jo", Email: "jo@acme-widgets.com", Country: "ZZ"},
			"country:country_unknown:error"},
		{"birth date tag", steward.Record{FirstName: "Jo", Email: "jo@acme-widgets.com", BirthDate: "21/03/1990"},
			"birth_date:invalid_datetime:error"},
		{"a typo of a provider warns as a typo, not as disposable", steward.Record{FirstName: "Jo", Email: "jo@gmial.com"},
			"email:typo_suggestion:warning"},
		{"a disposable domain warns", steward.Record{FirstName: "Jo", Email: "jo@mailinator.com"},
			"email:disposable:warning"},
		{"an RFC 2606 example domain warns, and is a contact", steward.Record{FirstName: "Jo", Email: "jo@shop.example.com"},
			"email:reserved_domain:warning"},
		{"role account warns", steward.Record{Company: "Acme", Email: "info@acme-widgets.com"},
			"email:role_account:warning"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codes(Record(&tt.rec, rules)); got != tt.want {
				t.Fatalf("findings %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRecordRulesCustom(t *testing.T) {
	rules, err := NewRecordRules(RecordRulesConfig{Fields: []FieldRule{
		{Field: "email", Required: true, Check: CheckEmail},
		{Field: "loyalty_tier", Tag: "oneof=gold silver bronze", Severity: steward.SeverityWarning},
		{Field: "last_name", Required: true, Tag: "max=5"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rec := steward.Record{LastName: "Rezaeian", Attributes: map[string]string{"loyalty_tier": "platinum"}}
	want := "email:required:error last_name:invalid_max:error loyalty_tier:invalid_oneof:warning"
	if got := codes(Record(&rec, rules)); got != want {
		t.Fatalf("findings %q, want %q", got, want)
	}
}

func TestNewRecordRulesRejectsBadRules(t *testing.T) {
	tests := []struct {
		name string
		rule FieldRule
		msg  string
	}{
		{"unknown tag", FieldRule{Field: "email", Tag: "no_such_tag"}, "no_such_tag"},
		{"bad tag syntax", FieldRule{Field: "email", Tag: "max="}, "max="},
		{"unknown check", FieldRule{Field: "email", Check: "smtp"}, "unknown check"},
		{"unknown severity", FieldRule{Field: "email", Severity: "fatal"}, "unknown severity"},
		{"no field", FieldRule{Tag: "max=3"}, "no field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRecordRules(RecordRulesConfig{Fields: []FieldRule{tt.rule}})
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.msg)
			}
		})
	}
	if _, err := NewRecordRules(RecordRulesConfig{DefaultCountry: "Persia"}); err == nil {
		t.Fatal("bad default country accepted")
	}
}

func BenchmarkRecord(b *testing.B) {
	rules, err := NewRecordRules(DefaultRecordRulesConfig("IR"))
	if err != nil {
		b.Fatal(err)
	}
	recs := []steward.Record{
		{FirstName: "علی", LastName: "رضایی", Email: "ali.rezaei@gmail.com", Phone: "09121234567",
			PostalCode: "1193612345", NationalID: "0499370899", BirthDate: "1990-03-21"},
		{Company: "Acme", Email: "info@acme-widgets.com", Phone: "+44 20 7946 0018", Country: "GB", PostalCode: "EC1Y 8SY"},
		{FirstName: "Jo", Email: "jo..smith@gmial.com", Country: "US", PostalCode: "1193612345"},
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		_ = Record(&recs[n%len(recs)], rules)
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}

// TestDefaultCountryIsISO: the postal data's AC, TA and ZZ are no default
// country, as in the rules file; XK (Kosovo) is one there too.
func TestDefaultCountryIsISO(t *testing.T) {
	for _, c := range []string{"ZZ", "AC", "TA", "Iran"} {
		if _, err := NewRecordRules(DefaultRecordRulesConfig(c)); !errors.Is(err, ErrUnknownCountry) {
			t.Errorf("default country %q: %v, want ErrUnknownCountry", c, err)
		}
	}
	for _, c := range []string{"IR", "us", "XK"} {
		if _, err := NewRecordRules(DefaultRecordRulesConfig(c)); err != nil {
			t.Errorf("default country %q: %v", c, err)
		}
	}
}
