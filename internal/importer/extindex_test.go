package importer

import (
	"bytes"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/records"
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
	rd, err := records.NewReader(bytes.NewReader(file), records.Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := records.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	// The first version lacks the city: the import fills it in.
	var first bytes.Buffer
	w := records.NewWriter(&first, nil)
	for i := range recs[:stored] {
		r := recs[i]
		r.City = ""
		if err := w.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path, firstPath := writeTemp(t, "in.csv", string(file)), writeTemp(t, "first.csv", first.String())
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
					type result struct {
						sum                *Summary
						annotated, rejects bytes.Buffer
						state              string
					}
					run := func(inMemory int) *result {
						st := b.open(t)
						if prefilled {
							mustImport(t, st, firstPath, Options{Source: "shop"})
						}
						res := &result{}
						res.sum = mustImport(t, st, path, Options{Source: "shop", Policy: p.Policy, Annotated: &res.annotated, Rejects: &res.rejects,
							SpillDir: t.TempDir(), fileIndexInMemory: inMemory})
						res.state = dbState(t, st)
						return res
					}
					mem, ext := run(n), run(-1)
					if mem.sum.Duplicates < 50 || mem.sum.Duplicates == mem.sum.Suggestions && p.OnDuplicate != steward.DuplicateSuggest && p.OnDuplicate != steward.DuplicateHold {
						t.Fatalf("too few duplicates found in the file for the test to say anything: %+v", mem.sum)
					}
					if prefilled && mem.sum.Updated < stored/2 {
						t.Fatalf("%d rows updated, want most of the %d stored", mem.sum.Updated, stored)
					}
					for _, s := range []*Summary{mem.sum, ext.sum} {
						s.Elapsed, s.Read, s.Load, s.Write, s.ImportID = 0, 0, 0, 0, 0
					}
					if a, b := mustJSON(t, mem.sum), mustJSON(t, ext.sum); a != b {
						t.Errorf("summaries differ:\nin memory %s\non disk   %s", a, b)
					}
					if !bytes.Equal(mem.annotated.Bytes(), ext.annotated.Bytes()) {
						t.Errorf("annotated reports differ")
					}
					if !bytes.Equal(mem.rejects.Bytes(), ext.rejects.Bytes()) {
						t.Errorf("rejects reports differ")
					}
					if mem.state != ext.state {
						t.Errorf("databases differ")
					}
				})
			}
		})
	}
}
