package dedupe

import (
	"context"
	"testing"

	"github.com/steward-crm/steward"
)

// TestEvaluateGuards: Evaluate reports the links clustering parted (and
// which were right to stay) and the false pairs joined by a link of their
// own or only through others.
func TestEvaluateGuards(t *testing.T) {
	recs := []steward.Record{{SourceID: "0", FirstName: "a"}, {SourceID: "1", FirstName: "b"}, {SourceID: "2", FirstName: "c"}, {SourceID: "3", FirstName: "d"}}
	ix, err := NewIndex(context.Background(), recs, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res := &Result{
		Index: ix,
		// 0-1 one entity parted; 1-2 a false link; 2-3 a true link; 1
		// and 3 together through 2 only.
		Pairs:   []Pair{{A: 0, B: 1, Probability: 0.9}, {A: 1, B: 2, Probability: 0.8}, {A: 2, B: 3, Probability: 0.9}, {A: 0, B: 3, Probability: 0.3}},
		Cluster: []int32{0, 1, 1, 1},
	}
	ev, err := Evaluate(res, []string{"x", "x", "y", "y"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.LinksSplit != 1 || ev.LinksSplitTrue != 1 || ev.FalsePairsLinked != 1 || ev.FalsePairsChained != 1 {
		t.Errorf("links split %d (true %d), false pairs linked %d, chained %d; want 1, 1, 1, 1",
			ev.LinksSplit, ev.LinksSplitTrue, ev.FalsePairsLinked, ev.FalsePairsChained)
	}
}
