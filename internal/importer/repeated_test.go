package importer

import (
	"strconv"
	"testing"
)

// TestRepeatedIDsWithSharedHashes: repeated ids are found by a hash of
// (source, id), and told from pairs that only share the hash by the pairs
// read back from the spill: with a hash of three bits, where most pairs
// share one, an import rejects the same rows, naming the same earlier
// rows, and stores the same customers as with the whole hash.
func TestRepeatedIDsWithSharedHashes(t *testing.T) {
	const n, repeats = 400, 20
	recs := csvRecords(t, generatedRaw(t, n, 13))
	for i := range recs {
		recs[i].Source, recs[i].SourceID = "", "s"+strconv.Itoa(i+1)
		if i%7 == 0 {
			recs[i].SourceID = "" // derived from the row's values
		}
	}
	for k := range repeats {
		recs = append(recs, recs[10*(k+1)])
	}
	// A row like a derived one but for one value has an id of its own.
	other := recs[14]
	other.City += "x"
	recs = append(recs, other)
	path := writeTemp(t, "in.csv", string(recordsCSV(t, recs)))
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			whole := runImport(t, b.open(t), path, Options{Source: "shop"})
			if got := whole.sum.RejectedBy[CodeRepeatedID]; got != repeats {
				t.Fatalf("%d rows rejected as repeated ids, want %d: %+v", got, repeats, whole.sum)
			}
			shared := runImport(t, b.open(t), path, Options{Source: "shop", refHashBits: 3})
			sameImports(t, whole, shared, "whole hash", "three bits")
		})
	}
}
