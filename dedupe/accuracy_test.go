package dedupe

import (
	"context"
	"testing"
)

// TestAccuracy runs the default configuration, with a model trained on
// each data set itself (no labels, no per-data-set settings), against the
// labelled sets and asserts the pairwise F1 it reaches.
func TestAccuracy(t *testing.T) {
	tests := []struct {
		name      string
		load      func(testing.TB, string) labelled
		path      string
		minF1     float64
		minRecall float64 // blocking recall: share of true pairs compared
	}{
		{"febrl1", loadFEBRL, "../testdata/er/febrl1.csv", 0.995, 0.995},
		{"febrl2", loadFEBRL, "../testdata/er/febrl2.csv", 0.993, 0.985},
		{"splink_fake_1000", loadSplink, "../testdata/er/splink_fake_1000.csv", 0.935, 0.80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.load(t, tt.path)
			res, err := Run(context.Background(), d.records, DefaultConfig(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			ev, err := Evaluate(res, d.truth)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: P %.4f R %.4f F1 %.4f | pairs P %.4f R %.4f F1 %.4f | B3 F1 %.4f ARI %.4f | blocking recall %.4f | compared %d | lambda %.3g share %.3f iter %d",
				tt.name, ev.Precision, ev.Recall, ev.F1, ev.PairPrecision, ev.PairRecall, ev.PairF1,
				ev.BCubedF1, ev.AdjustedRand, ev.BlockingRecall, ev.PairsCompared,
				res.Model.Lambda, res.Model.Training.CandidateShare, res.Model.Training.Iterations)
			if ev.F1 < tt.minF1 {
				t.Errorf("pairwise F1 %.4f, want ≥ %.2f", ev.F1, tt.minF1)
			}
			if ev.BlockingRecall < tt.minRecall {
				t.Errorf("blocking recall %.4f, want ≥ %.2f", ev.BlockingRecall, tt.minRecall)
			}
		})
	}
}

// TestAccuracyGenerated measures the default configuration on 20,000
// generated mixed-locale customers (Persian and Latin script, households,
// colleagues, namesakes, family members of one name and people named
// crosswise as hard negatives; titles in the name field, records with
// little but a name, placeholder dates and emails), national ids blanked.
func TestAccuracyGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 20,000 customers")
	}
	d := generated(t, 20_000, 7)
	res, err := Run(context.Background(), d.records, DefaultConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := Evaluate(res, d.truth)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated 20k: P %.4f R %.4f F1 %.4f | pairs P %.4f R %.4f | blocking recall %.4f | B3 F1 %.4f",
		ev.Precision, ev.Recall, ev.F1, ev.PairPrecision, ev.PairRecall, ev.BlockingRecall, ev.BCubedF1)
	if ev.F1 < 0.94 {
		t.Errorf("pairwise F1 %.4f, want ≥ 0.94", ev.F1)
	}
}
