package dedupe

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/steward-crm/steward"
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
	// Placeholders are found when an index is built; a record added
	// later is flagged by that index's. Give the small index the whole
	// one's, so that both flag every record alike.
	if whole.placeholders.empty() {
		t.Fatal("no placeholders in 30,000 generated records: the test means to cover them")
	}
	grown.placeholders = whole.placeholders
	var p prepared
	for i := range grown.recs {
		grown.rec(int32(i), &p)
		p.flags |= grown.placeholders.flagsOf(&p)
		grown.recs[i].flags = p.flags
		for o, k := range sortKeysOf(&p) {
			grown.sortKeys[o][i] = k
		}
	}
	for k := range grown.blocks {
		grown.blocks[k] = grown.buildBlocks(grown.blocks[k].key, k)
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

// TestCountTermsWith: an index of a few records that counts terms with a
// base index scores its pairs exactly as an index of base and those records
// together does.
func TestCountTermsWith(t *testing.T) {
	recs := generated(t, 6_000, 21).records
	base, few := recs[:5_000], recs[5_000:]
	model := trainedIndex(t, recs, DefaultConfig()).Model()
	small, err := NewIndex(context.Background(), few, DefaultConfig(), model)
	if err != nil {
		t.Fatal(err)
	}
	small.CountTermsWith(mustIndex(t, base, model))
	union := mustIndex(t, recs, model)
	alone := mustIndex(t, few, model)
	compared, differ := 0, 0
	for i := range few {
		got, _ := small.Match(&few[i])
		want, _ := union.Match(&few[i])
		solo, _ := alone.Match(&few[i])
		byID := make(map[string]float64)
		for _, c := range want {
			byID[c.ID] = c.Weight
		}
		soloW := make(map[string]float64)
		for _, c := range solo {
			soloW[c.ID] = c.Weight
		}
		for _, c := range got {
			w, ok := byID[c.ID]
			if !ok {
				continue
			}
			compared++
			if w != c.Weight {
				t.Fatalf("record %s with %s: weight %v with a base, %v in one index", few[i].SourceID, c.ID, c.Weight, w)
			}
			if sw, ok := soloW[c.ID]; ok && sw != c.Weight {
				differ++
			}
		}
	}
	if compared < 100 || differ == 0 {
		t.Errorf("compared %d pairs, %d weighed differently without the base: the test does not test", compared, differ)
	}
}

func mustIndex(t *testing.T, recs []steward.Record, model *Model) *Index {
	t.Helper()
	ix, err := NewIndex(context.Background(), recs, DefaultConfig(), model)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestMatchIndexed: matching a record already in an index, without
// preparing it again, answers as Match on the record does, less the record
// itself when it is matched against its own index.
func TestMatchIndexed(t *testing.T) {
	recs := generated(t, 6_000, 31).records
	model := trainedIndex(t, recs, DefaultConfig()).Model()
	db, file := mustIndex(t, recs[:5_000], model), mustIndex(t, recs[5_000:], model)
	found := 0
	for i := range recs[5_000:] {
		for _, ix := range []*Index{db, file} {
			got, err := ix.MatchIndexed(file, i)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := ix.Match(&recs[5_000+i])
			if ix == file {
				// Only the records before i: each pair once.
				want = slices.DeleteFunc(want, func(c Candidate) bool { return c.Index >= i })
			}
			if len(got) != len(want) {
				t.Fatalf("record %d: %d candidates, Match gives %d", i, len(got), len(want))
			}
			for k := range got {
				if got[k].Index != want[k].Index || got[k].Weight != want[k].Weight {
					t.Fatalf("record %d candidate %d: %+v, Match gives %+v", i, k, got[k], want[k])
				}
			}
			found += len(got)
		}
	}
	if found == 0 {
		t.Fatal("no candidates at all: the test does not test")
	}
	other := DefaultConfig()
	other.Blocking = other.Blocking[:3]
	if _, err := mustIndexCfg(t, recs[:10], other, model).MatchIndexed(file, 0); err == nil {
		t.Error("MatchIndexed across other blocking keys did not fail")
	}
}

func mustIndexCfg(t *testing.T, recs []steward.Record, cfg Config, model *Model) *Index {
	t.Helper()
	ix, err := NewIndex(context.Background(), recs, cfg, model)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestIsCandidateAgreesWithCandidates holds the two forms of the pairing
// rule to each other: isCandidate (blocking recall in Evaluate) must say
// yes, both ways round, for exactly the records candidates lists for the
// lower record, with blocks small enough to be paired whole and oversized
// ones paired by window.
func TestIsCandidateAgreesWithCandidates(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBlock, cfg.Window = 4, 2 // many oversized blocks
	ix := mustIndexCfg(t, generated(t, 1500, 53).records, cfg, nil)
	ix.positions()
	var sc candScratch
	windowed := 0
	for i := 0; i < len(ix.recs); i += 3 {
		buf := slices.Clone(ix.candidates(i, &sc, true))
		for j := i + 1; j < len(ix.recs); j++ {
			_, listed := slices.BinarySearch(buf, int32(j))
			if got := ix.isCandidate(i, j); got != listed {
				t.Fatalf("records %d and %d: isCandidate %v, candidates lists it: %v", i, j, got, listed)
			}
			if got := ix.isCandidate(j, i); got != listed {
				t.Fatalf("records %d and %d: isCandidate %v, candidates lists it: %v", j, i, got, listed)
			}
		}
		windowed += len(buf)
	}
	if windowed == 0 {
		t.Fatal("no candidates: the test does not test")
	}
}

// TestAddAllAsNewIndex: records added with AddAll are matched exactly as
// in an index built from all the records at once, and Match agrees with
// the reference after removals too.
func TestAddAllAsNewIndex(t *testing.T) {
	d := generated(t, 6_000, 59)
	recs, probes := d.records[:5_000], d.records[5_000:]
	model := trainedIndex(t, recs, DefaultConfig()).Model()
	whole := mustIndex(t, recs, model)
	ix := mustIndex(t, recs[:3_000], model)
	ix.Add(&recs[3_000]) // one left pending before AddAll
	more := make([]*steward.Record, 0, 2_000)
	for i := range recs[3_001:] {
		more = append(more, &recs[3_001+i])
	}
	first, err := ix.AddAll(context.Background(), more)
	if err != nil {
		t.Fatal(err)
	}
	if first != 3_001 || ix.Len() != whole.Len() {
		t.Fatalf("AddAll put the first at %d, index of %d; want 3001 and %d", first, ix.Len(), whole.Len())
	}
	for k := range whole.blocks {
		if !slices.Equal(ix.blocks[k].sorted, whole.blocks[k].sorted) || len(ix.blocks[k].pending) != 0 {
			t.Fatalf("key %s: blocks differ from one index of all the records", whole.blocks[k].key)
		}
	}
	found := 0
	for i := range probes {
		got, _ := ix.Match(&probes[i])
		want, _ := whole.Match(&probes[i])
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("probe %d: AddAll index gives %+v, one index of all gives %+v", i, got, want)
		}
		found += len(got)
	}
	if found == 0 {
		t.Fatal("no candidates: the test does not test")
	}
	for i := 0; i < ix.Len(); i += 7 {
		ix.Remove(i)
	}
	if _, err := ix.AddAll(context.Background(), []*steward.Record{&probes[0], &probes[1]}); err != nil {
		t.Fatal(err)
	}
	for i := range probes[:300] {
		got, _ := ix.Match(&probes[i])
		if want := matchReference(ix, &probes[i]); !reflect.DeepEqual(got, want) {
			t.Fatalf("after Remove and AddAll, probe %d: %+v, reference %+v", i, got, want)
		}
	}
}

// TestNewIndexPrepared: an index built from records prepared beforehand
// (Prepare, as the import gate does while it reads a file) is the index
// NewIndex builds from the same records.
func TestNewIndexPrepared(t *testing.T) {
	d := generated(t, 5000, 61)
	want, err := NewIndex(context.Background(), d.records, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	prep := make([]Prepared, len(d.records))
	for i := range d.records {
		prep[i] = Prepare(&d.records[i])
	}
	got, err := NewIndexPrepared(context.Background(), prep, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(recsOf(got), recsOf(want)) || !reflect.DeepEqual(ids(got), ids(want)) || !reflect.DeepEqual(got.sortKeys, want.sortKeys) {
		t.Fatal("records or ids differ")
	}
	if !reflect.DeepEqual(got.blocks, want.blocks) {
		t.Fatal("blocks differ")
	}
	if !reflect.DeepEqual(got.tfCount, want.tfCount) || got.tfTotal != want.tfTotal {
		t.Fatal("term counts differ")
	}
}
