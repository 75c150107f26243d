package dedupe

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/steward-crm/steward"
)

// matchReference is Index.Match written plainly, as it was before Match
// was made fast: binary search over each key's sorted entries, every
// candidate compared in full. Match must return exactly what it returns.
func matchReference(ix *Index, r *steward.Record) []Candidate {
	q := ix.prepareQuery(r)
	tf := ix.tfOf(&q)
	// Per candidate, its score: the weights of the keys that met it.
	score := make(map[int32]int)
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		h := blockHash(kb.key, kb.kind, &q)
		if h == 0 {
			continue
		}
		lo := sort.Search(len(kb.sorted), func(i int) bool { return kb.sorted[i].hash() >= h })
		hi := sort.Search(len(kb.sorted), func(i int) bool { return kb.sorted[i].hash() > h })
		windowed := hi-lo > ix.cfg.MaxBlock
		if windowed {
			sk := ix.sortKeys[kb.order]
			p := lo + sort.Search(hi-lo, func(i int) bool { return sk[kb.sorted[lo+i].idx] >= sortKeysOf(&q)[kb.order] })
			lo, hi = max(lo, p-ix.cfg.Window), min(hi, p+ix.cfg.Window)
		}
		// A meeting weighs 1 in a sorted neighbourhood, else 1 + 16/size
		// of the block (at least 2 records).
		met := func(j int32, windowed bool, size int) {
			if ix.isRemoved(j) {
				return
			}
			score[j]++
			if !windowed {
				score[j] += 16 / max(2, size)
			}
		}
		for _, e := range kb.sorted[lo:hi] {
			met(e.idx, windowed, hi-lo)
		}
		for _, j := range kb.pending[h] {
			met(j, false, hi-lo+len(kb.pending[h]))
		}
	}
	// The Config.Neighbours of the highest score, the lower index first.
	var buf []int32
	for j := range score {
		buf = append(buf, j)
	}
	sort.Slice(buf, func(a, b int) bool {
		if score[buf[a]] != score[buf[b]] {
			return score[buf[a]] > score[buf[b]]
		}
		return buf[a] < buf[b]
	})
	buf = buf[:min(len(buf), ix.cfg.Neighbours)]
	slices.Sort(buf)
	var out []Candidate
	for _, j := range buf {
		var r prepared
		ix.rec(j, &r)
		p := compare(&q, &r)
		w := referenceWeight(ix, p, &tf)
		prob := probability(w)
		if prob < ix.cfg.ReviewThreshold {
			continue
		}
		out = append(out, Candidate{Index: int(j), ID: ix.id(j), Probability: prob, Weight: w, Explanation: referenceExplain(ix, p, &tf, &q, &r)})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Weight > out[b].Weight })
	return out
}

// referenceWeight is Index.weight as it was before the term-frequency
// adjustments were computed once per record: each one worked out for the
// pair from the counts of one side's values (tf).
func referenceWeight(ix *Index, p pattern, tf *[len(tfComparisons)]int32) float64 {
	m := ix.model
	w := m.prior
	for c := range numComparisons {
		l := p.level(c)
		w += m.weights[c][l]
		if t := m.tfIndex[c]; termAgrees(p, c) && t >= 0 {
			w += tfAdjustment(ix.tfChance(c, t), tf[t], ix.tfTotalOf(t))
		}
	}
	return w
}

// referenceExplain is referenceWeight field by field.
func referenceExplain(ix *Index, p pattern, tf *[len(tfComparisons)]int32, a, b *prepared) []FieldWeight {
	m := ix.model
	var out []FieldWeight
	for c := range numComparisons {
		l := p.level(c)
		if l == 0 {
			continue
		}
		w := m.weights[c][l]
		if t := m.tfIndex[c]; termAgrees(p, c) && t >= 0 {
			w += tfAdjustment(ix.tfChance(c, t), tf[t], ix.tfTotalOf(t))
		}
		va, vb := comparedValues(c, p, a, b)
		out = append(out, FieldWeight{Field: m.Comparisons[c].Field, Level: m.Comparisons[c].Levels[l].Name, Weight: w, A: va, B: vb})
	}
	return out
}

// TestMatchAgreesWithReference asks thousands of generated records,
// duplicates of indexed ones among them, against indexes of tens of
// thousands with small and default block limits, with pending and removed
// records: Match must answer exactly like matchReference.
func TestMatchAgreesWithReference(t *testing.T) {
	d := generated(t, 40_000, 43)
	base, added, queries := d.records[:30_000], d.records[30_000:32_000], d.records[32_000:]
	small := DefaultConfig()
	small.MaxBlock, small.Window = 4, 2
	tests := []struct {
		name string
		cfg  Config
	}{
		{"default", DefaultConfig()},
		{"small blocks", small},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := trainedIndex(t, base, tt.cfg)
			check := func(stage string) {
				t.Helper()
				found := 0
				for q := range queries {
					got, err := ix.Match(&queries[q])
					if err != nil {
						t.Fatal(err)
					}
					want := matchReference(ix, &queries[q])
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s: query %d (%s):\ngot  %+v\nwant %+v", stage, q, queries[q].SourceID, got, want)
					}
					found += len(want)
				}
				if found < len(queries)/10 {
					t.Fatalf("%s: only %d candidates for %d queries", stage, found, len(queries))
				}
			}
			check("built")
			for i := range added {
				ix.Add(&added[i])
			}
			for i := 0; i < len(base); i += 7 {
				ix.Remove(i)
			}
			check("after Add and Remove")
			ix = roundTrip(t, ix)
			check("read back")
		})
	}
}

// BenchmarkMatch measures one lookup of an incoming record against an
// index of n generated customers with a trained model, as the import gate
// does for every row.
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			d := generated(b, n+1000, 13)
			ctx := context.Background()
			ix, err := NewIndex(ctx, d.records[:n], DefaultConfig(), nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ix.Train(ctx, nil); err != nil {
				b.Fatal(err)
			}
			probes := d.records[n:]
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				if _, err := ix.Match(&probes[k%len(probes)]); err != nil {
					b.Fatal(err)
				}
				k++
			}
		})
	}
}

// TestMatchConcurrent runs Match from several goroutines at once (run it
// with -race): each answer must be the one a lone call gives.
func TestMatchConcurrent(t *testing.T) {
	d := generated(t, 3000, 47)
	base, queries := d.records[:2500], d.records[2500:]
	ix := trainedIndex(t, base, DefaultConfig())
	want := make([][]Candidate, len(queries))
	for q := range queries {
		want[q] = matchReference(ix, &queries[q])
	}
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			for q := range queries {
				q = (q + w*97) % len(queries)
				got, err := ix.Match(&queries[q])
				if err == nil && !reflect.DeepEqual(got, want[q]) {
					err = fmt.Errorf("query %d: got %+v, want %+v", q, got, want[q])
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestScoreAllAgreesWithFullCompare holds the pairs a run keeps to those
// that comparing every candidate pair in full keeps: dropping a pair whose
// person fields alone rule it out (personCut) must never drop one that
// reaches the review threshold.
func TestScoreAllAgreesWithFullCompare(t *testing.T) {
	d := generated(t, 20_000, 53)
	small := DefaultConfig()
	small.MaxBlock, small.Window = 4, 2
	for _, cfg := range []Config{DefaultConfig(), small} {
		ix := trainedIndex(t, d.records, cfg)
		got, _, err := ix.scoreAll(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		minWeight := log2Odds(cfg.ReviewThreshold)
		var want []Pair
		var sc candScratch
		for i := range ix.recs {
			buf := ix.candidates(i, &sc, true)
			var a, b prepared
			ix.rec(int32(i), &a)
			tf := ix.tfOf(&a)
			for _, j := range buf {
				ix.rec(j, &b)
				p := compare(&a, &b)
				if w := referenceWeight(ix, p, &tf); w >= minWeight {
					want = append(want, Pair{A: int32(i), B: j, Probability: probability(w), Weight: w, levels: p})
				}
			}
		}
		slices.SortFunc(want, func(x, y Pair) int {
			if x.A != y.A {
				return int(x.A) - int(y.A)
			}
			return int(x.B) - int(y.B)
		})
		if len(want) < 1000 {
			t.Fatalf("only %d pairs kept: the test needs more", len(want))
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("max block %d: scoreAll kept %d pairs, full comparison %d", cfg.MaxBlock, len(got), len(want))
		}
	}
}

// TestTrainIsDeterministic trains twice on the same records, with more
// candidate pairs than the training takes: the two models must be equal to
// the last bit, so that two runs on one file cluster it alike.
func TestTrainIsDeterministic(t *testing.T) {
	d := generated(t, 20_000, 59)
	cfg := DefaultConfig()
	cfg.TrainingPairs = 5000
	var models []*Model
	for range 3 {
		ix, err := NewIndex(context.Background(), d.records, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ix.Train(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.Training.CandidatePairs < cfg.TrainingPairs {
			t.Fatalf("trained on %d candidate pairs, want at least %d", m.Training.CandidatePairs, cfg.TrainingPairs)
		}
		models = append(models, m)
	}
	for _, m := range models[1:] {
		if !reflect.DeepEqual(m, models[0]) {
			t.Fatalf("two trainings on the same records differ:\n%+v\n%+v", m.Training, models[0].Training)
		}
	}
}
