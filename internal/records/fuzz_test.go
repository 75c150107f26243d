package records

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

func FuzzReader(f *testing.F) {
	f.Add([]byte("id,first_name\n1,Ann\n"), false, uint8(0))
	f.Add([]byte("\xEF\xBB\xBFid\temail\n1\t\"a\"\"b\"\n2\n"), false, uint8(0))
	f.Add([]byte("given_name,surname,street_number,address_1\n a, b, 1, x\n"), true, uint8(0))
	f.Add([]byte("id,\"x\n"), false, uint8(0))
	f.Add([]byte("id\tcity\n1\t\t\n"), false, uint8(2))
	m, err := ParseMapping([]byte("columns:\n  first_name: given_name\n  last_name: surname\n  address_line1: [street_number, address_1]\n  country: {const: AU}\n"), "fuzz.yaml")
	if err != nil {
		f.Fatal(err)
	}
	delimiters := []rune{0, ',', '\t', ';', '|', ' '}
	f.Fuzz(func(t *testing.T, data []byte, mapped bool, delim uint8) {
		opts := Options{MaxRowBytes: 4096, MaxFields: 64, Delimiter: delimiters[int(delim)%len(delimiters)]}
		if mapped {
			opts.Mapping = m
		}
		r, err := NewReader(bytes.NewReader(data), opts)
		if err != nil {
			return
		}
		for i := 0; i < len(data)+2; i++ {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				return
			}
			if err == nil && !bytes.Contains(data, r.RawText()) {
				t.Fatalf("raw text %q is not in the input", r.RawText())
			}
			_ = rec
		}
		t.Fatalf("reader did not reach the end of %d bytes", len(data))
	})
}

func FuzzParseMapping(f *testing.F) {
	for _, p := range []string{"../../testdata/mappings/febrl.yaml", "../../testdata/mappings/splink.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("columns: {a: {join: [x], separator: y}}\nignore: [b]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMapping(data, "fuzz.yaml")
		if err != nil {
			return
		}
		_, _ = NewReader(bytes.NewReader([]byte("rec_id,given_name,a,b\n")), Options{Mapping: m})
	})
}
