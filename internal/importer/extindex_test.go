package importer

import (
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
)

// TestExternalIndexDecidesAsInMemory: the file's duplicate index on disk
// (dedupe.ExternalIndex, a file of more rows than
// Options.fileIndexInMemory) decides every row as the index in memory
// does: the same summary, reports, customers, merges and suggestions with
// their evidence, for blocking into an empty database, and suggesting and merging into
// one that holds a first version of some of the rows, which the
// import updates and matches against the file.
func TestExternalIndexDecidesAsInMemory(t *testing.T) {
	const n, stored = 1500, 300
	file := generatedCSV(t, n, 13, "shop", "s")
	// The first version lacks the city: the import fills it in.
	recs := csvRecords(t, file)[:stored]
	for i := range recs {
		recs[i].City = ""
	}
	first := recordsCSV(t, recs)
	path, firstPath := writeTemp(t, "in.csv", string(file)), writeTemp(t, "first.csv", string(first))
	cases := []struct {
		name string
		gate.Policy
		prefilled bool
	}{
		{"suggest/prefilled", gate.Policy{OnDuplicate: steward.DuplicateSuggest}, true},
		{"block/empty", gate.Policy{OnDuplicate: steward.DuplicateBlock}, false},
		{"merge/prefilled", gate.Policy{OnDuplicate: steward.DuplicateMerge, AutoMergeThreshold: 0.9}, true},
	}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			for _, p := range cases {
				prefilled := p.prefilled
				t.Run(p.name, func(t *testing.T) {
					run := func(inMemory int) *importRun {
						st := b.open(t)
						if prefilled {
							mustImport(t, st, firstPath, Options{Source: "shop"})
						}
						return runImport(t, st, path, Options{Source: "shop", Policy: p.Policy, SpillDir: t.TempDir(), fileIndexInMemory: inMemory})
					}
					mem, ext := run(n), run(-1)
					if mem.sum.Duplicates < 50 || mem.sum.Duplicates == mem.sum.Suggestions && p.OnDuplicate != steward.DuplicateSuggest && p.OnDuplicate != steward.DuplicateHold {
						t.Fatalf("too few duplicates found in the file for the test to say anything: %+v", mem.sum)
					}
					if prefilled && mem.sum.Updated < stored/2 {
						t.Fatalf("%d rows updated, want most of the %d stored", mem.sum.Updated, stored)
					}
					sameImports(t, mem, ext, "in memory", "on disk")
				})
			}
		})
	}
}
