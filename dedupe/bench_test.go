package dedupe

import (
	"context"
	"fmt"
	"testing"
)

// benchSizes are the record counts of the scaling benchmarks; select one
// with -bench 'Run/n=100000$'.
var benchSizes = []int{10_000, 50_000, 100_000, 300_000, 1_000_000}

// BenchmarkRun measures duplicate detection end to end (match keys,
// blocking, training, scoring, clustering) on generated mixed-locale
// customers; records are generated outside the timer.
func BenchmarkRun(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			d := generated(b, n, 11)
			b.ReportAllocs()
			b.ResetTimer()
			var compared int64
			for b.Loop() {
				res, err := Run(context.Background(), d.records, DefaultConfig(), Options{})
				if err != nil {
					b.Fatal(err)
				}
				compared = res.Stats.PairsCompared
			}
			b.ReportMetric(float64(compared)/float64(n), "pairs/record")
		})
	}
}

func BenchmarkCompareGenerated(b *testing.B) {
	d := generated(b, 2000, 17)
	ix, err := NewIndex(context.Background(), d.records, DefaultConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	ix.positions()
	var pairs [][2]int32
	var sc candScratch
	for i := range d.records {
		for _, j := range ix.candidates(i, &sc, true) {
			pairs = append(pairs, [2]int32{int32(i), j})
		}
	}
	b.ReportAllocs()
	k := 0
	var x, y prepared
	for b.Loop() {
		p := pairs[k%len(pairs)]
		ix.rec(p[0], &x)
		ix.rec(p[1], &y)
		compare(&x, &y)
		k++
	}
}

// BenchmarkNewIndex measures building an index (match keys and sorted
// blocks), what the import gate does for every file and, without a cache,
// for the database.
func BenchmarkNewIndex(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			d := generated(b, n, 11)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewIndex(context.Background(), d.records, DefaultConfig(), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
