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
						run := func(keys int) *importRun {
							st := b.open(t)
							if prefilled {
								mustImport(t, st, firstPath, Options{Source: "shop"})
							}
							return runImport(t, st, path, Options{Source: "shop", Policy: p.Policy, keysInMemory: keys})
						}
						kept, spilled := run(n), run(-1)
						if kept.sum.Duplicates == 0 {
							t.Fatalf("no duplicates found in the file: %+v", kept.sum)
						}
						sameImports(t, kept, spilled, "kept", "spilled")
					})
				}
			}
		})
	}
}

// importRun is what one import of a test left: its summary, its
// reports and the database after it.
type importRun struct {
	sum                *Summary
	annotated, rejects bytes.Buffer
	state              string
}

// runImport imports the file at path into st with opts, keeping its
// annotated and rejects reports.
func runImport(t *testing.T, st steward.Store, path string, opts Options) *importRun {
	t.Helper()
	res := &importRun{}
	opts.Annotated, opts.Rejects = &res.annotated, &res.rejects
	res.sum = mustImport(t, st, path, opts)
	res.state = dbState(t, st)
	return res
}

// sameImports fails t unless imports a and b (named an and bn) left the
// same summary (times and import ids aside), reports and database.
func sameImports(t *testing.T, a, b *importRun, an, bn string) {
	t.Helper()
	for _, s := range []*Summary{a.sum, b.sum} {
		s.Elapsed, s.Read, s.Load, s.Write, s.ImportID = 0, 0, 0, 0, 0
	}
	if x, y := mustJSON(t, a.sum), mustJSON(t, b.sum); x != y {
		t.Errorf("summaries differ:\n%s %s\n%s %s", an, x, bn, y)
	}
	if !bytes.Equal(a.annotated.Bytes(), b.annotated.Bytes()) {
		t.Errorf("annotated reports differ")
	}
	if !bytes.Equal(a.rejects.Bytes(), b.rejects.Bytes()) {
		t.Errorf("rejects reports differ")
	}
	if a.state != b.state {
		t.Errorf("databases differ")
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
