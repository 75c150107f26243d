package phonemeta

import (
	"testing"

	"github.com/nyaruka/phonenumbers/v2"
)

// BenchmarkParse compares Parse with phonenumbers.Parse on what the
// import reads: E.164 as cleanse writes it, national numbers with and
// without punctuation, and one the library must read (an extension).
func BenchmarkParse(b *testing.B) {
	in := []struct{ s, region string }{
		{"+989121234567", "IR"}, {"+442079460018", "IR"}, {"09121234567", "IR"},
		{"0412 345 678", "AU"}, {"(202) 555-0143", "US"}, {"(415) 555-2671 ext. 12", "US"},
	}
	for _, p := range []struct {
		name  string
		parse func(s, region string) (*phonenumbers.PhoneNumber, error)
	}{{"phonemeta", Parse}, {"library", phonenumbers.Parse}} {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, x := range in {
					if _, err := p.parse(x.s, x.region); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
