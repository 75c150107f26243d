package dedupe

import (
	"reflect"
	"testing"

	"github.com/steward-crm/steward"
)

// TestIndexRemove removes records and compares the index with one built
// with those records blanked: with no oversized blocks both must answer
// every query alike, term frequencies included, before and after a round
// trip through WriteTo and ReadIndex.
func TestIndexRemove(t *testing.T) {
	d := generated(t, 6000, 37)
	base, queries := d.records[:4000], d.records[4000:]
	cfg := DefaultConfig()
	cfg.MaxBlock = 1 << 20
	ix := trainedIndex(t, base, cfg)

	// Remove every record some query finds at the top.
	gone := make(map[int]bool)
	for q := range queries {
		cands, err := ix.Match(&queries[q])
		if err != nil {
			t.Fatal(err)
		}
		if len(cands) > 0 && len(gone) < 400 {
			gone[cands[0].Index] = true
		}
	}
	if len(gone) < 100 {
		t.Fatalf("only %d records to remove", len(gone))
	}
	blanked := make([]steward.Record, len(base))
	for i, r := range base {
		if gone[i] {
			r = steward.Record{SourceID: r.SourceID}
		}
		blanked[i] = r
	}
	want, err := NewIndex(t.Context(), blanked, cfg, ix.model)
	if err != nil {
		t.Fatal(err)
	}
	for i := range gone {
		ix.Remove(i)
		ix.Remove(i)
	}
	if ix.tfTotal != want.tfTotal || !reflect.DeepEqual(ix.tfCount, want.tfCount) {
		t.Fatal("term frequencies still count removed records")
	}
	if ix.Len() != len(base) {
		t.Fatalf("Len %d after Remove, want %d", ix.Len(), len(base))
	}
	sameMatches(t, want, ix, queries)
	read := roundTrip(t, ix)
	sameIndex(t, ix, read)
	sameMatches(t, want, read, queries)

	// An update: the old position removed, the new record added.
	r := base[0]
	r.SourceID = "updated"
	read.Remove(0)
	if j := read.Add(&r); j != len(base) {
		t.Fatalf("Add after Remove = %d, want %d", j, len(base))
	}
	cands, err := read.Match(&base[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) == 0 || cands[0].ID != "updated" {
		t.Fatalf("after an update Match = %+v, want the new record first", cands)
	}
	for _, c := range cands {
		if c.Index == 0 {
			t.Fatal("Match returned a removed record")
		}
	}
}

// TestIndexRemoveResort adds enough records to re-sort the blocks: the
// entries of removed records leave them.
func TestIndexRemoveResort(t *testing.T) {
	d := generated(t, 5000, 41)
	ix := trainedIndex(t, d.records[:100], DefaultConfig())
	ix.Remove(3)
	ix.Remove(50)
	for i := range d.records[100:] {
		ix.Add(&d.records[100+i])
	}
	ix.Remove(4500)
	resorted := 0
	for k := range ix.blocks {
		kb := &ix.blocks[k]
		if len(kb.sorted) <= 100 {
			continue // not re-sorted since the records were removed
		}
		resorted++
		for _, e := range kb.sorted {
			if e.idx == 3 || e.idx == 50 {
				t.Fatalf("%s: removed record %d still in a block", kb.key, e.idx)
			}
		}
	}
	if resorted == 0 {
		t.Fatal("no blocks re-sorted")
	}
	sameIndex(t, ix, roundTrip(t, ix))
	for _, i := range []int{3, 50, 4500} {
		cands, err := ix.Match(&d.records[i])
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cands {
			if c.Index == i {
				t.Fatalf("Match returned removed record %d", i)
			}
		}
	}
}
