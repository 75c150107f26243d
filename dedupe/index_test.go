package dedupe

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

// TestIndexMatchFindsOriginal trains a model on FEBRL1, loads only the
// original records into an index with it, and asks the index about each
// duplicate one at a time, as the import gate does.
func TestIndexMatchFindsOriginal(t *testing.T) {
	d := loadFEBRL(t, "../testdata/er/febrl1.csv")
	var orgs, dups []steward.Record
	for _, r := range d.records {
		if strings.Contains(r.SourceID, "-dup-") {
			dups = append(dups, r)
		} else {
			orgs = append(orgs, r)
		}
	}
	ctx := context.Background()
	trained, err := Run(ctx, d.records, DefaultConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex(ctx, orgs, DefaultConfig(), trained.Model)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, dup := range dups {
		cands, err := ix.Match(&dup)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Split(dup.SourceID, "-")[1]
		if len(cands) > 0 && strings.Split(cands[0].ID, "-")[1] == want && cands[0].Probability >= 0.5 {
			found++
			if len(cands[0].Explanation) == 0 {
				t.Fatalf("candidate %s without explanation", cands[0].ID)
			}
		}
	}
	if share := float64(found) / float64(len(dups)); share < 0.98 {
		t.Errorf("the original is the top match for %d of %d duplicates (%.3f), want ≥ 0.98", found, len(dups), share)
	}

	// A record added later is found too.
	added := steward.Record{SourceID: "new-1", FirstName: "Zebedee", LastName: "Quixotic", BirthDate: "19800101", PostalCode: "2000", AddressLine1: "1 Nowhere Lane", City: "Sydney"}
	ix.Add(&added)
	probe := added
	probe.SourceID = "probe"
	probe.FirstName = "Zebede"
	cands, err := ix.Match(&probe)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) == 0 || cands[0].ID != "new-1" {
		t.Fatalf("after Add, Match = %+v, want new-1 first", cands)
	}
}

func TestIndexWithoutModel(t *testing.T) {
	ix, err := NewIndex(context.Background(), []steward.Record{{FirstName: "a"}}, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Match(&steward.Record{FirstName: "a"}); err != ErrNoModel {
		t.Fatalf("Match without model: %v, want ErrNoModel", err)
	}
}

// TestModelRoundTrip saves a trained model as JSON, loads it, and scores
// the same data with it: every pair gets the same probability.
func TestModelRoundTrip(t *testing.T) {
	d := loadSplink(t, "../testdata/er/splink_fake_1000.csv")
	ctx := context.Background()
	first, err := Run(ctx, d.records, DefaultConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteModel(&buf, first.Model); err != nil {
		t.Fatal(err)
	}
	m, err := ReadModel(&buf)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Run(ctx, d.records, DefaultConfig(), Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Pairs) != len(second.Pairs) {
		t.Fatalf("%d pairs with the trained model, %d with the loaded one", len(first.Pairs), len(second.Pairs))
	}
	for k := range first.Pairs {
		p, q := first.Pairs[k], second.Pairs[k]
		if p.A != q.A || p.B != q.B || math.Abs(p.Probability-q.Probability) > 1e-12 {
			t.Fatalf("pair %d: %+v vs %+v", k, p, q)
		}
	}
	if _, err := ReadModel(strings.NewReader(`{"lambda": 0.5, "comparisons": []}`)); err == nil {
		t.Error("a model without comparisons loaded without error")
	}
}

// TestExplanationAddsUp checks that a pair's explanation accounts for its
// weight: prior plus field weights.
func TestExplanationAddsUp(t *testing.T) {
	d := loadFEBRL(t, "../testdata/er/febrl1.csv")
	res, err := Run(context.Background(), d.records, DefaultConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) == 0 {
		t.Fatal("no pairs")
	}
	for _, p := range res.Pairs[:min(50, len(res.Pairs))] {
		sum := res.Model.prior
		for _, fw := range res.Explain(p) {
			sum += fw.Weight
		}
		if math.Abs(sum-p.Weight) > 1e-9 {
			t.Fatalf("pair %d-%d: explanation sums to %g, weight %g", p.A, p.B, sum, p.Weight)
		}
	}
}

// TestReadModelOfEarlierVersion reads a model written before levels were
// added and renamed: the levels it has keep their weights, those it lacks
// weigh nothing and are listed.
func TestReadModelOfEarlierVersion(t *testing.T) {
	d := loadFEBRL(t, "../testdata/er/febrl1.csv")
	res, err := Run(context.Background(), d.records, DefaultConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := *res.Model
	old.Comparisons = append([]ComparisonModel(nil), old.Comparisons...)
	fn := old.Comparisons[cmpFirstName]
	var levels []LevelModel
	for _, lv := range fn.Levels {
		if lv.Name != "transliterated" {
			levels = append(levels, lv)
		}
	}
	fn.Levels = levels
	old.Comparisons[cmpFirstName] = fn
	var buf bytes.Buffer
	if err := WriteModel(&buf, &old); err != nil {
		t.Fatal(err)
	}
	m, err := ReadModel(&buf)
	if err != nil {
		t.Fatalf("a model without a level this version has: %v", err)
	}
	if got := m.Training.UntrainedLevels; len(got) != 1 || got[0] != "first_name.transliterated" {
		t.Errorf("UntrainedLevels = %v, want [first_name.transliterated]", got)
	}
	if w := m.weights[cmpFirstName][fnTranslit]; w != 0 {
		t.Errorf("weight of the untrained level %g, want 0", w)
	}
	if m.weights[cmpFirstName][fnExact] != res.Model.weights[cmpFirstName][fnExact] {
		t.Error("the exact level lost its weight")
	}
}
