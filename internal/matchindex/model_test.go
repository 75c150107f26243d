package matchindex

import (
	"bytes"
	"context"
	"flag"
	"os"
	"testing"

	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/gen"
	"github.com/steward-crm/steward/internal/records"
)

var update = flag.Bool("update", false, "regenerate model.json")

// TestDefaultModel checks that the embedded model reads and finds the
// duplicates of generated customers; with -update it trains it again.
func TestDefaultModel(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	if err := gen.Generate(ctx, gen.Options{N: 20000, Seed: 1, DupRate: gen.DefaultDupRate, Locale: gen.LocaleMixed}, &buf, nil, nil); err != nil {
		t.Fatal(err)
	}
	rd, err := records.NewReader(&buf, records.Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := records.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		res, err := dedupe.Run(ctx, recs, dedupe.DefaultConfig(), dedupe.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := dedupe.WriteModel(&out, res.Model); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("model.json", out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	m := DefaultModel()
	if len(m.Comparisons) == 0 {
		t.Fatal("the embedded model has no comparisons")
	}
	// An exact copy of a generated customer is its top match.
	ix, err := dedupe.NewIndex(ctx, recs[:5000], dedupe.DefaultConfig(), m)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for i := 0; i < 200; i++ {
		probe := recs[i*7]
		probe.SourceID = "probe"
		cands, err := ix.Match(&probe)
		if err != nil {
			t.Fatal(err)
		}
		if len(cands) > 0 && cands[0].Probability >= 0.9 {
			found++
		}
	}
	if found < 195 {
		t.Errorf("exact copies matched with probability ≥ 0.9: %d of 200", found)
	}
}
