package validate

import "testing"

func TestPhone(t *testing.T) {
	tests := []struct {
		number, region string
		verdict        string
		reason         Reason
		e164, typ      string
	}{
		{"09121234567", "IR", "valid", ReasonPhoneOK, "+989121234567", "mobile"},
		{"۰۹۱۲ ۱۲۳ ۴۵۶۷", "IR", "valid", ReasonPhoneOK, "+989121234567", "mobile"},
		{"００９８ ９１２\u200c１２３ ４５６７", "US", "valid", ReasonPhoneOK, "+989121234567", "mobile"}, // full-width, "00" prefix, a ZWNJ
		{"٠٩١٢١٢٣٤٥٦٧", "IR", "valid", ReasonPhoneOK, "+989121234567", "mobile"},
		{"+98 912 123 4567", "", "valid", ReasonPhoneOK, "+989121234567", "mobile"},
		{"00989121234567", "US", "valid", ReasonPhoneOK, "+989121234567", "mobile"},
		{"021 8877 6655", "IR", "valid", ReasonPhoneOK, "+982188776655", "fixed_line"},
		{"+44 20 7946 0018", "IR", "valid", ReasonPhoneOK, "+442079460018", "fixed_line"},
		{"(202) 555-0143", "US", "valid", ReasonPhoneOK, "+12025550143", "fixed_line_or_mobile"},
		// A mobile prefix the metadata does not know yet: possible, not invalid.
		{"09411234567", "IR", "possible", ReasonPhoneIranMobileLags, "+989411234567", "mobile"},
		{"0997 123 4567", "IR", "possible", ReasonPhoneIranMobileLags, "+989971234567", "mobile"},
		{"0912123456", "IR", "invalid", ReasonPhoneInvalid, "", ""},
		{"091212345678", "IR", "invalid", ReasonPhoneTooLong, "", ""},
		{"12", "IR", "invalid", ReasonPhoneTooShort, "", ""},
		{"hello", "IR", "invalid", ReasonPhoneUnparseable, "", ""},
		{"9121234567", "", "invalid", ReasonPhoneCountryCode, "", ""},
		{"", "IR", "invalid", ReasonPhoneEmpty, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			got := Phone(tt.number, tt.region)
			if got.Verdict() != tt.verdict || got.Reason != tt.reason || got.Normalized != tt.e164 {
				t.Fatalf("Phone(%q, %q) = %s/%s %q, want %s/%s %q", tt.number, tt.region,
					got.Verdict(), got.Reason, got.Normalized, tt.verdict, tt.reason, tt.e164)
			}
			if tt.typ != "" && got.Type != tt.typ {
				t.Fatalf("type %s, want %s", got.Type, tt.typ)
			}
		})
	}
}

func BenchmarkPhone(b *testing.B) {
	in := []struct{ s, region string }{
		{"+989121234567", "IR"}, {"09121234567", "IR"}, {"+442079460018", "IR"},
		{"+44 20 7946 0018", "IR"}, {"(202) 555-0143", "US"}, {"+61283617145", "AU"},
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, x := range in {
			Phone(x.s, x.region)
		}
	}
}
