package records

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
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
	f.Add([]byte("columns:\n  birth_date: {column: b, date: \"%d/%m/%Y\"}\nattributes:\n  email_opt_out: {column: a, transform: not}\n  \"no\": {const: \"yes\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMapping(data, "fuzz.yaml")
		if err != nil {
			return
		}
		_, _ = NewReader(bytes.NewReader([]byte("rec_id,given_name,a,b\n")), Options{Mapping: m})
		// Written out, it reads back, and writes out the same.
		out := m.Marshal("fuzz")
		back, err := ParseMapping(out, "back.yaml")
		if err != nil {
			t.Fatalf("written out, the mapping does not parse: %v\n%s", err, out)
		}
		if again := back.Marshal("fuzz"); !bytes.Equal(again, out) {
			t.Fatalf("written out twice, the mapping differs:\n%s\n%s", out, again)
		}
	})
}

// FuzzInfer: inference never panics; what it infers reads its header,
// written out reads back to the same records; a header of canonical names
// (any case, any order) is read the same as without inference.
func FuzzInfer(f *testing.F) {
	f.Add("Name|E-mail Address|Mobile", "John Smith|john@gmail.com|+44 7911 123456\nSara|s@x.ir|09121234567", "GB")
	f.Add("نام|نام خانوادگی|ایمیل|موبایل|کد ملی", "علی|رضایی|a@b.ir|09121234567|0012345679", "IR")
	f.Add("First Name|Accepts Email Marketing|DOB|Zip|Province|Province Code", "Ann|yes|25/01/1993|02134|Ontario|ON", "US")
	f.Add("email|ID|Phone|x", "a@b.com|1|+1 617 555 0100|", "")
	f.Add("a|b|a|steward_line|", "1|2|3", "XX")
	f.Fuzz(func(t *testing.T, head, body, country string) {
		header := strings.Split(head, "|")
		var rows [][]string
		for _, l := range strings.Split(body, "\n") {
			rows = append(rows, strings.Split(l, "|"))
		}
		inf := Infer(header, rows, InferOptions{DefaultCountry: country, Always: true})
		plain, err := NewColumns(header, nil, 0)
		if err != nil {
			return // the header itself is at fault (empty or repeated names, bad UTF-8)
		}
		cols, err := NewColumns(header, inf.Mapping(), 0)
		if err != nil {
			t.Fatalf("the inferred mapping does not read its header %q: %v", header, err)
		}
		var back *Columns
		if len(inf.Mapping().targets) > 0 {
			m, err := ParseMapping(inf.Mapping().Marshal("fuzz"), "fuzz.yaml")
			if err != nil {
				t.Fatalf("the inferred mapping, written out, does not parse: %v\n%s", err, inf.Mapping().Marshal("fuzz"))
			}
			if back, err = NewColumns(header, m, 0); err != nil {
				t.Fatalf("the written mapping does not read its header: %v", err)
			}
		}
		canonical := !NeedsInference(header)
		for _, row := range rows {
			a, errA := cols.Record(row)
			if back != nil {
				if b, errB := back.Record(row); (errA == nil) != (errB == nil) || !reflect.DeepEqual(a, b) {
					t.Fatalf("written out, the mapping reads %+v, inferred %+v", b, a)
				}
			}
			if canonical {
				if p, _ := plain.Record(row); !reflect.DeepEqual(a, p) {
					t.Fatalf("a canonical header read with inference: %+v, without: %+v", a, p)
				}
			}
		}
	})
}
