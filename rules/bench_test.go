package rules

import "testing"

// BenchmarkParseDefault parses the embedded default file as a user file.
func BenchmarkParseDefault(b *testing.B) {
	data := DefaultFile()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "steward.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
