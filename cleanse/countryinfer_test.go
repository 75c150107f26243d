package cleanse

import (
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

func TestInferCountry(t *testing.T) {
	tests := []struct {
		name string
		rec  steward.Record
		def  string // default country
		want string
		why  string // part of why
	}{
		{"Iranian mobile in international form", steward.Record{Phone: "+98 912 123 4567"}, "", "IR", "+98 is the calling code of Iran alone"},
		{"Persian digits", steward.Record{Phone: "+۹۸۹۱۲۱۲۳۴۵۶۷"}, "", "IR", "+989121234567"},
		{"German number", steward.Record{Phone: "+49 30 901820"}, "", "DE", "Germany"},
		{"NANP is the US, Canada and the Caribbean", steward.Record{Phone: "+1 416 555 0100"}, "", "", ""},
		{"+44 is shared with Jersey, Guernsey and the Isle of Man", steward.Record{Phone: "+44 7911 123456"}, "", "", ""},
		{"a national number alone says nothing", steward.Record{FirstName: "Ann", Phone: "09121234567"}, "", "", ""},
		{"a national Iranian number and a Persian name", steward.Record{FirstName: "علی", LastName: "رضایی", Phone: "09121234567"}, "", "IR", "name written in Persian"},
		{"a Persian name and a number that is not Iranian", steward.Record{FirstName: "علی", Phone: "020 7946 0000"}, "", "", ""},
		{"a Persian address word", steward.Record{AddressLine1: "تهران، خیابان آزادی، پلاک ۱۲"}, "", "IR", "خیابان"},
		{"an Iranian province", steward.Record{Region: "اصفهان"}, "", "IR", "Iranian province"},
		{"Persian letters", steward.Record{AddressLine1: "چهارراه ولیعصر"}, "", "IR", "Persian letters"},
		{"an Arabic address", steward.Record{AddressLine1: "شارع الملك فهد", City: "الرياض"}, "", "", ""},
		{"an Urdu address", steward.Record{AddressLine1: "گلبرگ", City: "لاہور"}, "", "", ""},
		{"a Latin address", steward.Record{AddressLine1: "12 Elm St", City: "Boston"}, "", "", ""},
		{"phone and address agree", steward.Record{Phone: "+989121234567", AddressLine1: "کوچه ۳"}, "", "IR", "and the address word"},
		{"a NANP phone beside a Persian address", steward.Record{Phone: "+1 617 555 0100", AddressLine1: "خیابان آزادی"}, "", "", ""},
		{"an Afghan phone beside a Persian address", steward.Record{Phone: "+93 70 123 4567", AddressLine1: "کوچه ۳"}, "", "", ""},
		{"an unreadable phone and nothing else", steward.Record{Phone: "12"}, "", "", ""},
		{"an international number read for the default country", steward.Record{Phone: "0098 912 123 4567"}, "GB", "IR", "+989121234567"},
		{"a national number says the default country", steward.Record{Phone: "020 7946 0000"}, "GB", "", ""},
		{"an abbreviated address word", steward.Record{AddressLine1: "خ آزادی"}, "", "IR", "خیابان"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := InferCountry(&tt.rec, tt.def)
			if got != tt.want || !strings.Contains(why, tt.why) {
				t.Errorf("InferCountry = %q, %q; want %q, …%q…", got, why, tt.want, tt.why)
			}
			if got == "" && why != "" {
				t.Errorf("no country but a why: %q", why)
			}
		})
	}
}

// TestRecordInfersCountry: Record fills an empty country from the
// record's own values, with a fix saying from what, never over a country
// given, and not with the default country, which applies anyway.
func TestRecordInfersCountry(t *testing.T) {
	tests := []struct {
		name     string
		rec      steward.Record
		opts     Options
		country  string
		inferred bool
		phone    string
	}{
		{"from the phone", steward.Record{Phone: "+98 912 123 4567"}, Options{}, "IR", true, "+989121234567"},
		{"the Persian address lets the national phone be read", steward.Record{Phone: "0912 123 4567", AddressLine1: "خیابان آزادی"}, Options{}, "IR", true, "+989121234567"},
		{"over a default country", steward.Record{Phone: "+98 912 123 4567"}, Options{DefaultCountry: "US"}, "IR", true, "+989121234567"},
		{"never over a given country", steward.Record{Country: "United Kingdom", Phone: "+98 912 123 4567"}, Options{}, "GB", false, "+989121234567"},
		{"never over an unknown country", steward.Record{Country: "Atlantis", Phone: "+98 912 123 4567"}, Options{}, "Atlantis", false, "+989121234567"},
		{"not with the default country", steward.Record{AddressLine1: "خیابان آزادی", Phone: "09121234567"}, Options{DefaultCountry: "IR"}, "", false, "+989121234567"},
		{"00 read for the default country", steward.Record{Phone: "0098 912 123 4567"}, Options{DefaultCountry: "GB"}, "IR", true, "+989121234567"},
		{"an abbreviated address word", steward.Record{AddressLine1: "خ آزادی"}, Options{}, "IR", true, ""},
		{"ambiguous: left empty", steward.Record{Phone: "+1 617 555 0100"}, Options{}, "", false, "+16175550100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rec.Clone()
			fixes := Record(&r, tt.opts)
			if r.Country != tt.country || r.Phone != tt.phone {
				t.Errorf("country %q phone %q, want %q %q", r.Country, r.Phone, tt.country, tt.phone)
			}
			var inferred []Fix
			for _, f := range fixes {
				if f.Rule == RuleCountryInferred {
					inferred = append(inferred, f)
				}
			}
			if tt.inferred != (len(inferred) == 1) {
				t.Fatalf("inferred fixes %+v, want %v", inferred, tt.inferred)
			}
			if tt.inferred {
				fs := Findings(fixes)
				if len(fs) != 1 || fs[0].Code != RuleCountryInferred || fs[0].Severity != steward.SeverityWarning ||
					fs[0].Field != steward.FieldCountry || !strings.Contains(fs[0].Message, "filled in from the ") {
					t.Errorf("findings %+v", fs)
				}
			}
			again := r.Clone()
			for _, f := range Record(&again, tt.opts) {
				if f.Before != f.After {
					t.Errorf("not idempotent: %+v", f)
				}
			}
		})
	}
}
