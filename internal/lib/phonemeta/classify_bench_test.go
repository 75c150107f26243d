package phonemeta

import (
	"testing"

	"github.com/nyaruka/phonenumbers/v2"
)

// BenchmarkClassify compares Classify with the three library calls it
// stands for, on numbers of single-region and shared calling codes, valid
// and not.
func BenchmarkClassify(b *testing.B) {
	var numbers []*phonenumbers.PhoneNumber
	for _, s := range []string{
		"+989121234567", "+982188776655", "+12025550143", "+14165550123", "+12423456789",
		"+442079460018", "+441534456789", "+61283617145", "+61412345678", "+4930123456",
		"+989411234567", "+1201555012",
	} {
		n, err := phonenumbers.Parse(s, "")
		if err != nil {
			b.Fatalf("parse %s: %v", s, err)
		}
		numbers = append(numbers, n)
	}
	b.Run("phonemeta", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, n := range numbers {
				Classify(n)
			}
		}
	})
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, n := range numbers {
				phonenumbers.GetRegionCodeForNumber(n)
				phonenumbers.GetNumberType(n)
				phonenumbers.IsValidNumber(n)
			}
		}
	})
}
