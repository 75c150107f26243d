package validate

import "testing"

func TestPostalRules(t *testing.T) {
	p, err := LoadPostalRules()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		country, code string
		reason        Reason
	}{
		{"IR", "1193612345", ReasonPostalOK},
		{"ir", "11936-12345", ReasonPostalOK},
		{"IR", "۱۱۹۳۶۱۲۳۴۵", ReasonPostalOK},
		{"IR", "１１９３６１２３４５", ReasonPostalOK}, // full-width, as cleanse reads it
		{"IR", "119361234", ReasonPostalFormat},
		{"IR", "11936123456", ReasonPostalFormat},
		{"GB", "EC1Y 8SY", ReasonPostalOK},
		{"GB", "ec1y 8sy", ReasonPostalOK},
		{"GB", "GIR 0AA", ReasonPostalOK},
		{"GB", "12345", ReasonPostalFormat},
		{"US", "95014", ReasonPostalOK},
		{"US", "22162-1010", ReasonPostalOK},
		{"US", "2216", ReasonPostalFormat},
		{"US", "22162-101", ReasonPostalFormat},
		{"DE", "26133", ReasonPostalOK},
		{"AE", "12345", ReasonPostalUnchecked},
		{"XX", "12345", ReasonPostalUnknownCountry},
		{"US", " ", ReasonPostalEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.country+" "+tt.code, func(t *testing.T) {
			got := p.Check(tt.country, tt.code)
			wantValid := tt.reason == ReasonPostalOK || tt.reason == ReasonPostalUnchecked
			if got.Reason != tt.reason || got.Valid != wantValid {
				t.Fatalf("Check(%s, %q) = %+v, want %s", tt.country, tt.code, got, tt.reason)
			}
		})
	}
	if ex := p.Example("IR"); ex != "11936-12345" {
		t.Errorf("Example(IR) = %q", ex)
	}
}
