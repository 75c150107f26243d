package fold

import "testing"

func TestDigits(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"ascii unchanged", "0912 123", "0912 123"},
		{"persian", "۰۹۱۲۱۲۳۴۵۶۷", "09121234567"},
		{"arabic-indic", "٠٩١٢", "0912"},
		{"full-width and plus", "＋９８９１２", "+98912"},
		{"zwnj and direction marks dropped", "۱۲۳\u200c۴۵\u200f", "12345"},
		{"letters kept", "خیابان ۱۲", "خیابان 12"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Digits(tt.in); got != tt.want {
				t.Errorf("Digits(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzDigits(f *testing.F) {
	f.Add("۰۹۱۲\u200c٣＋")
	f.Fuzz(func(t *testing.T, s string) {
		if once := Digits(s); Digits(once) != once {
			t.Fatalf("Digits is not idempotent on %q", s)
		}
	})
}
