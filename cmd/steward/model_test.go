package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store"
)

// TestOneStoredModel: the nightly dedupe job stores the model it trains,
// the next import scores with it (its suggestions name it), and "dedupe
// model show" prints it; before any training the built-in model scores.
func TestOneStoredModel(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	in := filepath.Join(dir, "customers.csv")
	if _, errOut, code := runWith(t, nil, "gen", "--n", "1500", "--out", in, "--truth", filepath.Join(dir, "truth.csv"), "--seed", "3"); code != exitOK {
		t.Fatalf("gen: %s", errOut)
	}
	out, errOut, _ := runWith(t, nil, "dedupe", "model", "show", "--db", db, "--json")
	if !strings.Contains(errOut, "does not exist") {
		t.Errorf("model show on a missing database: %q %q", out, errOut)
	}
	if _, errOut, code := runWith(t, nil, "import", in, "--source", "crm", "--db", db); code > exitFindings {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	var shown modelJSON
	out, _, _ = runWith(t, nil, "dedupe", "model", "show", "--db", db, "--json")
	if err := json.Unmarshal([]byte(out), &shown); err != nil || !shown.Builtin {
		t.Fatalf("model show before training: %v %q; want the built-in model", err, out)
	}
	if _, errOut, code := runWith(t, nil, "run", "dedupe", "--db", db); code != exitOK {
		t.Fatalf("run dedupe: exit %d: %s", code, errOut)
	}
	out, _, _ = runWith(t, nil, "dedupe", "model", "show", "--db", db, "--json")
	if err := json.Unmarshal([]byte(out), &shown); err != nil || shown.Builtin || shown.ID == 0 || shown.Records < 1000 {
		t.Fatalf("model show after training: %v %q; want the stored model", err, out)
	}
	human, _, _ := runWith(t, nil, "dedupe", "model", "show", "--db", db)
	if !strings.Contains(human, "trained") || !strings.Contains(human, "first_name") {
		t.Errorf("model show:\n%s", human)
	}
	// Some of the same customers again, from a file without a source
	// column: every suggestion the import makes is scored by the stored
	// model.
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var again strings.Builder
	again.WriteString(strings.Replace(lines[0], ",source,", ",", 1) + "\n")
	for i, l := range lines[1:200] {
		cols := strings.SplitN(l, ",", 3)
		fmt.Fprintf(&again, "again%d,%s\n", i, cols[2])
	}
	second := filepath.Join(dir, "again.csv")
	if err := os.WriteFile(second, []byte(again.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runWith(t, nil, "import", second, "--source", "shop", "--db", db); code > exitFindings {
		t.Fatalf("second import: exit %d: %s", code, errOut)
	}
	st, err := store.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ss, err := st.Suggestions(context.Background(), steward.SuggestionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	imported := 0
	for _, sg := range ss {
		ev, err := sg.DecodeEvidence()
		if err != nil {
			t.Fatal(err)
		}
		if ev.Producer == steward.EvidenceImport && strings.HasPrefix(ev.Origin, "shop") {
			imported++
			if ev.Model != shown.ID {
				t.Fatalf("suggestion %d of the second import scored by model %d, want the stored %d", sg.ID, ev.Model, shown.ID)
			}
		}
	}
	if imported == 0 {
		t.Error("the second import made no suggestions")
	}
}
