package merge

import (
	"context"
	"fmt"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/rules"
)

func TestTrainingLabels(t *testing.T) {
	ali := steward.Record{FirstName: "Ali", LastName: "Rezaei", Email: "ali@example.com"}
	sara := steward.Record{FirstName: "Sara", LastName: "Ahmadi", Email: "sara@example.com"}
	changed := sara.Clone()
	changed.Email = "sara.new@example.com"
	recs := []steward.Record{ali, sara}
	ids := []int64{10, 20}
	labels := []Label{
		{A: 10, B: 30, RecA: ali, RecB: steward.Record{FirstName: "Ali", LastName: "Rezai"}, Match: true}, // 30 was merged: not in recs
		{A: 10, B: 20, RecA: ali, RecB: sara},    // both as indexed
		{A: 20, B: 10, RecA: changed, RecB: ali}, // 20 as it was, not as indexed
	}
	extra, dl := TrainingLabels(labels, ids, recs)
	if len(extra) != 2 || extra[0].LastName != "Rezai" || extra[1].Email != "sara.new@example.com" {
		t.Fatalf("extra records %+v, want the merged member and the changed record", extra)
	}
	want := [][3]any{{0, 2, true}, {0, 1, false}, {3, 0, false}}
	for i, w := range want {
		if dl[i].A != w[0] || dl[i].B != w[1] || dl[i].Match != w[2] {
			t.Errorf("label %d = %+v, want %v", i, dl[i], w)
		}
	}
}

// TestEvalDecisions: of the decided pairs, the matcher suggests the merged
// one (a true positive) and one marked not a duplicate that looks like one
// (a false positive); the two strangers it never pairs.
func TestEvalDecisions(t *testing.T) {
	ali := steward.Record{FirstName: "Ali", LastName: "Rezaei", Email: "ali.rezaei@gmail.com", Phone: "+989121234567", City: "Tehran", Country: "IR", BirthDate: "1990-01-02"}
	aliAgain := ali.Clone()
	aliAgain.Email = "ali.rezaei@yahoo.com"
	twin := ali.Clone()
	twin.FirstName = "Alireza"
	mina := steward.Record{FirstName: "Mina", LastName: "Karimi", Email: "mina@example.org", City: "Shiraz", Country: "IR"}
	reza := steward.Record{FirstName: "Reza", LastName: "Tavakoli", Email: "reza@example.net", City: "Tabriz", Country: "IR"}
	labels := []Label{
		{A: 1, B: 2, RecA: ali, RecB: aliAgain, Match: true},
		{A: 1, B: 3, RecA: ali, RecB: twin},
		{A: 4, B: 5, RecA: mina, RecB: reza},
	}
	ev, err := EvalDecisions(context.Background(), labels, rules.Default().DedupeConfig(), matchindex.DefaultModel())
	if err != nil {
		t.Fatal(err)
	}
	if ev.Matches != 1 || ev.NonMatches != 2 || ev.TruePositives != 1 || ev.FalsePositives != 1 || ev.FalseNegatives != 0 ||
		ev.Precision != 0.5 || ev.Recall != 1 {
		t.Errorf("evaluation %+v, want 1 TP, 1 FP, precision 0.5, recall 1", ev)
	}
}

// TestTrainWithMerges: merged members' before-images, which no active
// customer holds any more, take part in training as labelled pairs.
func TestTrainWithMerges(t *testing.T) {
	ctx := context.Background()
	var recs []steward.Record
	var ids []int64
	for i := range 400 {
		recs = append(recs, steward.Record{SourceID: fmt.Sprint(i), FirstName: []string{"Ali", "Sara", "Reza", "Mina", "Omid"}[i%5],
			LastName: fmt.Sprintf("Family%d", i%97), Email: fmt.Sprintf("user%d@example.com", i), City: []string{"Tehran", "Shiraz"}[i%2], Country: "IR"})
		ids = append(ids, int64(i+1))
	}
	var labels []Label
	for i := range 20 {
		b := recs[i].Clone()
		b.Email = fmt.Sprintf("other%d@example.org", i)
		labels = append(labels, Label{A: ids[i], B: int64(1000 + i), RecA: recs[i], RecB: b, Match: true})
	}
	m, n, err := Train(ctx, recs, ids, labels, rules.Default().DedupeConfig())
	if err != nil {
		t.Fatal(err)
	}
	if n != 20 || m.Training.LabelledPairs != 20 || m.Training.Records != 420 {
		t.Errorf("trained on %d records with %d labels (%d given), want 420 and 20", m.Training.Records, m.Training.LabelledPairs, n)
	}
}
