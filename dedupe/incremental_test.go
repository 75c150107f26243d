package dedupe

import (
	"context"
	"testing"
)

// TestPairsOfIsRunsPairs: the pairs PairsOf gives for every record are
// exactly the pairs Run keeps, with the same probabilities to the bit, and
// ClusterPairs over them gives Run's clusters; so a nightly run that
// follows pairs from the records that changed finds what a full run
// finds, record by record. Default blocking (oversized blocks windowed,
// Neighbours bounded) is kept, as that is where candidates are chosen from
// one side.
func TestPairsOfIsRunsPairs(t *testing.T) {
	d := generated(t, 4000, 11)
	ix := trainedIndex(t, d.records, DefaultConfig())
	res, err := RunIndex(context.Background(), ix, Options{Model: ix.Model()})
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[[2]int32]float64, len(res.Pairs))
	for _, p := range res.Pairs {
		want[[2]int32{p.A, p.B}] = p.Probability
	}
	involving := make([]int, ix.Len())
	for k := range want {
		involving[k[0]]++
		involving[k[1]]++
	}
	got := make(map[[2]int32]float64)
	var all []Pair
	for i := range ix.Len() {
		ps, err := ix.PairsOf(i)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != involving[i] {
			t.Errorf("PairsOf(%d) gave %d pairs, Run keeps %d with it", i, len(ps), involving[i])
		}
		for _, p := range ps {
			if p.A != int32(i) && p.B != int32(i) || p.A >= p.B {
				t.Fatalf("PairsOf(%d) gave pair %d-%d", i, p.A, p.B)
			}
			k := [2]int32{p.A, p.B}
			if _, seen := got[k]; !seen {
				all = append(all, p)
			}
			got[k] = p.Probability
			if q := ix.Probability(int(p.B), int(p.A)); q != p.Probability {
				t.Errorf("Probability(%d, %d) = %v, PairsOf %v", p.B, p.A, q, p.Probability)
			}
		}
	}
	if len(want) < 500 {
		t.Fatalf("Run kept only %d pairs", len(want))
	}
	for k, p := range want {
		if q, ok := got[k]; !ok || q != p {
			t.Errorf("pair %v: Run %v, PairsOf %v (found %v)", k, p, q, ok)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("pair %v from PairsOf is not Run's", k)
		}
	}
	clusters := ix.ClusterPairs(all)
	for i := range clusters {
		if clusters[i] != res.Cluster[i] {
			t.Fatalf("record %d: ClusterPairs puts it with %d, Run with %d", i, clusters[i], res.Cluster[i])
		}
	}
}
