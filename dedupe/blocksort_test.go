package dedupe

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortKeyed: the bucketed sort orders entries as a plain sort by
// hash, sort key and index does, for sizes below and above the bucketing
// bound, with hashes that share their top bits and equal hashes.
func TestSortKeyed(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 100, 1<<bucketBits + 7, 300_000} {
		es := make([]keyedEntry, n)
		for k := range es {
			h := r.Uint64()
			switch k % 5 {
			case 0:
				h = 42 // one large block
			case 1:
				h &= 0xffff_0000_0000_00ff // shared top bits
			}
			es[k] = keyedEntry{h: h, s: uint64(r.IntN(50)), i: int32(k)}
		}
		want := slices.Clone(es)
		slices.SortFunc(want, cmpKeyed)
		sortKeyed(es)
		if !slices.Equal(es, want) {
			t.Fatalf("n=%d: bucketed sort differs from a plain sort", n)
		}
	}
}
