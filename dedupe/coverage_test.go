package dedupe

import (
	"context"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

// TestBlockingCoverage measures blocking on FEBRL1's true pairs, both
// ways: within one index (Run) and for the duplicates as incoming records
// against an index of the originals (Match). Both cover nearly all pairs,
// and every key's counts add up.
func TestBlockingCoverage(t *testing.T) {
	d := loadFEBRL(t, "../testdata/er/febrl1.csv")
	ctx := context.Background()
	check := func(t *testing.T, cov BlockingCoverage, pairs int) {
		t.Helper()
		if cov.Pairs != pairs || cov.Recall < 0.98 || cov.Compared > cov.Pairs {
			t.Errorf("%d pairs, %d compared, recall %.4f; want %d pairs, recall ≥ 0.98", cov.Pairs, cov.Compared, cov.Recall, pairs)
		}
		only, used := 0, 0
		for _, k := range cov.Keys {
			if k.Only > k.Pairs || k.Pairs > cov.Pairs {
				t.Errorf("key %s: %d pairs, %d only", k.Key, k.Pairs, k.Only)
			}
			only += k.Only
			if k.Pairs > 0 {
				used++
			}
		}
		if only > cov.Compared || used < 5 {
			t.Errorf("%d pairs brought by one key alone of %d compared, %d keys used", only, cov.Compared, used)
		}
	}
	t.Run("indexed pairs", func(t *testing.T) {
		ix, err := NewIndex(ctx, d.records, DefaultConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var pairs [][2]int
		for i := range d.records {
			for j := i + 1; j < len(d.records); j++ {
				if d.truth[i] == d.truth[j] {
					pairs = append(pairs, [2]int{j, i})
				}
			}
		}
		check(t, ix.BlockingCoverage(append(pairs, [2]int{1, 1}, [2]int{0, len(d.records)})), len(pairs))
	})
	t.Run("incoming records", func(t *testing.T) {
		var orgs []steward.Record
		at := make(map[string]int)
		for _, r := range d.records {
			if !strings.Contains(r.SourceID, "-dup-") {
				at[strings.Split(r.SourceID, "-")[1]] = len(orgs)
				orgs = append(orgs, r)
			}
		}
		// A model trained where the duplicates are.
		ix, err := NewIndex(ctx, orgs, DefaultConfig(), trainedIndex(t, d.records, DefaultConfig()).Model())
		if err != nil {
			t.Fatal(err)
		}
		var pairs []PairWith
		for i := range d.records {
			if r := &d.records[i]; strings.Contains(r.SourceID, "-dup-") {
				pairs = append(pairs, PairWith{Record: r, Index: at[strings.Split(r.SourceID, "-")[1]]})
			}
		}
		cov := ix.BlockingCoverageOf(pairs)
		check(t, cov, len(pairs))
		found := 0
		for _, p := range pairs[:50] {
			cands, err := ix.Match(p.Record)
			if err != nil {
				t.Fatal(err)
			}
			if len(cands) > 0 && cands[0].Index == p.Index {
				found++
				if len(ix.SharedKeysOf(p.Record, p.Index)) == 0 {
					t.Errorf("Match found %s without a shared key", p.Record.SourceID)
				}
			}
		}
		if found < 40 {
			t.Errorf("Match found the original of %d of 50 duplicates", found)
		}
	})
}
