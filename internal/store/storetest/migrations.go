package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

func testMigrateTwice(t *testing.T, s steward.Store) {
	m, ok := s.(Migrator)
	if !ok {
		t.Skip("the store does not migrate itself")
	}
	c := create(t, s, sample(1))
	for range 2 {
		applied, err := m.Migrate(context.Background())
		must(t, err)
		if len(applied) != 0 {
			t.Errorf("migrating a migrated store applied %v", applied)
		}
	}
	sameCustomer(t, get(t, s, c.ID), c)
}

// testEvidenceMigration stores suggestions with the evidence the import
// gate and the nightly job wrote before steward.Evidence, makes the
// database forget the migration that rewrites them, migrates it again, and
// checks that each reads back in the one shape, and that evidence in
// another shape (the new one, none, an unknown one) is left as it was.
func testEvidenceMigration(t *testing.T, db *Database) {
	ctx := context.Background()
	s := db.Store
	m, ok := s.(Migrator)
	if !ok {
		t.Fatal("the store does not migrate itself")
	}
	ids := customers(t, s, 8)
	fields := []steward.FieldEvidence{{Field: "email", Level: "exact", Weight: 9.5}, {Field: "last_name", Level: "close", Weight: 1.75}}
	tests := []struct {
		name        string
		members     []int64
		probability float64
		evidence    string
		want        *steward.Evidence // nil: the evidence stays as it is
	}{
		{"import gate", []int64{ids[2], ids[0]}, 0.30000000000000004,
			`{"file": "shop: customers.csv", "row": 7, "weight": 11.25, "fields": [{"field": "email", "level": "exact", "weight": 9.5}, {"field": "last_name", "level": "close", "weight": 1.75}]}`,
			&steward.Evidence{Producer: steward.EvidenceImport, Origin: "shop: customers.csv", Row: 7, Pairs: []steward.PairEvidence{
				{A: ids[0], B: ids[2], Probability: 0.30000000000000004, Weight: 11.25, Fields: fields}}}},
		{"import gate without a file name", []int64{ids[1], ids[3]}, 0.75,
			`{"row": 3, "weight": -2.5, "fields": []}`,
			&steward.Evidence{Producer: steward.EvidenceImport, Row: 3, Pairs: []steward.PairEvidence{
				{A: ids[1], B: ids[3], Probability: 0.75, Weight: -2.5, Fields: []steward.FieldEvidence{}}}}},
		{"nightly job", []int64{ids[6], ids[4], ids[5]}, 0.97,
			`{"pairs": [{"a": ` + idText(ids[4]) + `, "b": ` + idText(ids[5]) + `, "probability": 0.97, "fields": [{"field": "email", "level": "exact", "weight": 9.5}, {"field": "last_name", "level": "close", "weight": 1.75}]}, {"a": ` + idText(ids[5]) + `, "b": ` + idText(ids[6]) + `, "probability": 0.9100000000000001, "fields": []}]}`,
			&steward.Evidence{Producer: steward.EvidenceDedupe, Pairs: []steward.PairEvidence{
				{A: ids[4], B: ids[5], Probability: 0.97, Fields: fields},
				{A: ids[5], B: ids[6], Probability: 0.9100000000000001, Fields: []steward.FieldEvidence{}}}}},
		{"new shape", []int64{ids[0], ids[7]}, 0.6,
			`{"producer": "api", "pairs": [{"a": ` + idText(ids[0]) + `, "b": ` + idText(ids[7]) + `, "probability": 0.6, "weight": 0.58, "prior": -12, "fields": []}]}`, nil},
		{"no evidence", []int64{ids[1], ids[7]}, 0.5, ``, nil},
		{"unknown shape", []int64{ids[2], ids[7]}, 0.5, `{"note": "hand-made"}`, nil},
	}
	stored := make([]*steward.Suggestion, len(tests))
	for i, tt := range tests {
		stored[i] = &steward.Suggestion{CustomerIDs: tt.members, Probability: tt.probability, Evidence: json.RawMessage(tt.evidence)}
	}
	must(t, s.UpsertSuggestions(ctx, stored))
	// A decided suggestion is rewritten too, and keeps its decision.
	must(t, s.SetSuggestionStatus(ctx, stored[1].ID, steward.SuggestionRejected, meta))
	before := make([]*steward.Suggestion, len(tests))
	for i, sg := range stored {
		got, err := s.Suggestion(ctx, sg.ID)
		must(t, err)
		before[i] = got
	}

	db.Exec(t, `DELETE FROM schema_migrations WHERE version LIKE '%_one_evidence_shape.sql'`)
	applied, err := m.Migrate(ctx)
	must(t, err)
	if len(applied) != 1 || !strings.HasSuffix(applied[0], "_one_evidence_shape.sql") {
		t.Fatalf("migrating applied %v, want the evidence migration only", applied)
	}

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Suggestion(ctx, stored[i].ID)
			must(t, err)
			was := before[i]
			if got.Status != was.Status || got.Probability != was.Probability || !got.UpdatedAt.Equal(was.UpdatedAt) ||
				!reflect.DeepEqual(got.CustomerIDs, was.CustomerIDs) {
				t.Errorf("the migration changed more than the evidence: %+v, was %+v", got, was)
			}
			if tt.want == nil {
				if !sameJSONOrEmpty(got.Evidence, was.Evidence) {
					t.Errorf("evidence %s, want it left as %s", got.Evidence, was.Evidence)
				}
				return
			}
			ev, err := got.DecodeEvidence()
			must(t, err)
			if !reflect.DeepEqual(ev, tt.want) {
				t.Errorf("evidence %s\nreads %+v\nwant  %+v", got.Evidence, ev, tt.want)
			}
			// What was missing is left out, as the Evidence type leaves it.
			var top map[string]any
			must(t, json.Unmarshal(got.Evidence, &top))
			for k, v := range top {
				if v == nil {
					t.Errorf("evidence %s: %s is null", got.Evidence, k)
				}
			}
		})
	}
	if applied, err := m.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Errorf("migrating again applied %v, %v", applied, err)
	}
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }
