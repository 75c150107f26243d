package dedupe

import (
	"context"
	"slices"
	"testing"
)

// TestAddKeepsBlocksSorted: an index that grew by Add (pending records
// merged into the sorted blocks several times, some records removed on
// the way) holds exactly the blocks of an index built at once from the
// same records.
func TestAddKeepsBlocksSorted(t *testing.T) {
	recs := generated(t, 30_000, 11).records
	whole, err := NewIndex(context.Background(), recs, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	grown, err := NewIndex(context.Background(), recs[:5_000], DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 5_000; i < len(recs); i++ {
		grown.Add(&recs[i])
	}
	for _, i := range []int{3, 4_999, 12_345, 29_999} {
		whole.Remove(i)
		grown.Remove(i)
	}
	for k := range whole.blocks {
		for _, ix := range []*Index{whole, grown} {
			kb := &ix.blocks[k]
			n := len(kb.sorted)
			for h, idx := range kb.pending {
				for _, j := range idx {
					kb.sorted = append(kb.sorted, entryOf(h, j))
				}
			}
			kb.sortAfter(ix, n)
		}
		if !slices.Equal(whole.blocks[k].sorted, grown.blocks[k].sorted) {
			t.Errorf("key %v: blocks differ after Add (%d and %d entries)", whole.blocks[k].key, len(whole.blocks[k].sorted), len(grown.blocks[k].sorted))
		}
	}
}
