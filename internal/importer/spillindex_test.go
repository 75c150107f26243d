package importer

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
)

// TestSpilledIndexDecidesAsKeptKeys: the file's duplicate index built
// from the rows read back from the spill (a large file) decides every row
// as the one built from the match keys kept in memory (a small file): the
// same outcomes, reports, customers, merges and suggestions, for every
// duplicate action, into an empty database and into one that already
// holds some of the rows.
func TestSpilledIndexDecidesAsKeptKeys(t *testing.T) {
	const n, stored = 1500, 300
	file := generatedCSV(t, n, 11, "shop", "s")
	head := file[:bytes.IndexByte(file, '\n')+1]
	lines := bytes.SplitAfter(file[len(head):], []byte("\n"))
	first := append(append([]byte{}, head...), bytes.Join(lines[:stored], nil)...)
	path, firstPath := writeTemp(t, "in.csv", string(file)), writeTemp(t, "first.csv", string(first))
	policies := []struct {
		name string
		gate.Policy
	}{
		{"suggest", gate.Policy{OnDuplicate: steward.DuplicateSuggest}},
		{"hold", gate.Policy{OnDuplicate: steward.DuplicateHold}},
		{"block", gate.Policy{OnDuplicate: steward.DuplicateBlock}},
		{"merge", gate.Policy{OnDuplicate: steward.DuplicateMerge, AutoMergeThreshold: 0.9}},
	}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			for _, p := range policies {
				for _, prefilled := range []bool{false, true} {
					name := p.name + "/empty"
					if prefilled {
						name = p.name + "/prefilled"
					}
					t.Run(name, func(t *testing.T) {
						type result struct {
							sum                *Summary
							annotated, rejects bytes.Buffer
							state              string
						}
						run := func(keys int) *result {
							st := b.open(t)
							if prefilled {
								mustImport(t, st, firstPath, Options{Source: "shop"})
							}
							res := &result{}
							res.sum = mustImport(t, st, path, Options{Source: "shop", Policy: p.Policy, Annotated: &res.annotated, Rejects: &res.rejects, keysInMemory: keys})
							res.state = dbState(t, st)
							return res
						}
						kept, spilled := run(n), run(-1)
						if kept.sum.Duplicates == 0 {
							t.Fatalf("no duplicates found in the file: %+v", kept.sum)
						}
						for _, s := range []*Summary{kept.sum, spilled.sum} {
							s.Elapsed, s.Read, s.Load, s.Write, s.ImportID = 0, 0, 0, 0, 0
						}
						if a, b := mustJSON(t, kept.sum), mustJSON(t, spilled.sum); a != b {
							t.Errorf("summaries differ:\nkept    %s\nspilled %s", a, b)
						}
						if !bytes.Equal(kept.annotated.Bytes(), spilled.annotated.Bytes()) {
							t.Errorf("annotated reports differ")
						}
						if !bytes.Equal(kept.rejects.Bytes(), spilled.rejects.Bytes()) {
							t.Errorf("rejects reports differ")
						}
						if kept.state != spilled.state {
							t.Errorf("databases differ")
						}
					})
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
