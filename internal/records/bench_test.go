package records

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"
)

// BenchmarkRead reads FEBRL rows through the FEBRL mapping from memory and
// reports rows per second.
func BenchmarkRead(b *testing.B) {
	data, err := os.ReadFile("../../testdata/er/febrl2.csv")
	if err != nil {
		b.Fatal(err)
	}
	header, body, _ := bytes.Cut(data, []byte("\n"))
	m, err := LoadMapping("../../testdata/mappings/febrl.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{5000, 100000} {
		var buf bytes.Buffer
		buf.Write(header)
		buf.WriteByte('\n')
		for buf.Len() < len(header)+1+n/5000*len(body) {
			buf.Write(body)
		}
		input := buf.Bytes()
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(input)))
			rows := 0
			for b.Loop() {
				r, err := NewReader(bytes.NewReader(input), Options{Mapping: m})
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					rows++
				}
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
