package validate

import "testing"

func TestIranNationalID(t *testing.T) {
	tests := []struct {
		in     string
		reason Reason
		norm   string
	}{
		{"0499370899", ReasonNationalIDValid, "0499370899"},
		{"۰۴۹۹\u200c۳۷۰۸۹۹", ReasonNationalIDValid, "0499370899"}, // a stray ZWNJ, as cleanse reads it
		{"0790419904", ReasonNationalIDValid, "0790419904"},
		{"0084575948", ReasonNationalIDValid, "0084575948"},
		{"0963695398", ReasonNationalIDValid, "0963695398"},
		{"0684159414", ReasonNationalIDValid, "0684159414"},
		{"۰۴۹۹۳۷۰۸۹۹", ReasonNationalIDValid, "0499370899"},
		{"٠٤٩٩٣٧٠٨٩٩", ReasonNationalIDValid, "0499370899"},
		{"049-937089-9", ReasonNationalIDValid, "0499370899"},
		{"84575948", ReasonIDLeadingZeros, "0084575948"},
		{"0684159415", ReasonIDChecksum, ""},
		{"0499370898", ReasonIDChecksum, ""},
		{"1111111111", ReasonIDRepeated, ""},
		{"0000000000", ReasonIDRepeated, ""},
		{"12345", ReasonIDLength, ""},
		{"04993708991", ReasonIDLength, ""},
		{"04993708a9", ReasonIDNotDigits, ""},
		{"", ReasonIDEmpty, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := IranNationalID(tt.in)
			if got.Reason != tt.reason || got.Normalized != tt.norm || got.Valid != (tt.norm != "") {
				t.Fatalf("IranNationalID(%q) = %+v, want reason %s normalized %q", tt.in, got, tt.reason, tt.norm)
			}
		})
	}
}

// TestIranNationalIDCheckDigitIsUnique: for any nine leading digits exactly
// one check digit is accepted, so every single-digit typo in the check
// position is caught.
func TestIranNationalIDCheckDigitIsUnique(t *testing.T) {
	for _, prefix := range []string{"049937089", "123456789", "000000001", "987654321"} {
		n := 0
		for c := '0'; c <= '9'; c++ {
			if IranNationalID(prefix + string(c)).Valid {
				n++
			}
		}
		if n != 1 {
			t.Errorf("prefix %s: %d check digits accepted, want 1", prefix, n)
		}
	}
}

func TestIranLegalID(t *testing.T) {
	tests := []struct {
		in     string
		reason Reason
	}{
		{"10380284790", ReasonLegalIDValid},
		{"۱۰۳۸۰۲۸۴۷۹۰", ReasonLegalIDValid},
		{"10380284791", ReasonIDChecksum},
		{"10100000040", ReasonIDZeroSerial},
		{"1038028479", ReasonIDLength},
		{"", ReasonIDEmpty},
		{"1038028479x", ReasonIDNotDigits},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := IranLegalID(tt.in); got.Reason != tt.reason || got.Valid != (tt.reason == ReasonLegalIDValid) {
				t.Fatalf("IranLegalID(%q) = %+v, want %s", tt.in, got, tt.reason)
			}
		})
	}
}
