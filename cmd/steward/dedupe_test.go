package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestDedupeEvalOnFEBRL1(t *testing.T) {
	code, out, errs := runMain(t, "dedupe", "eval", "--in", "../../testdata/er/febrl1.csv",
		"--mapping", "../../testdata/mappings/febrl.yaml", "--truth-column", "id", "--truth-regexp", `^rec-(\d+)-`,
		"--ignore", "national_id", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var sum struct {
		Records    int `json:"records"`
		Evaluation struct {
			TruePairs      int     `json:"true_pairs"`
			F1             float64 `json:"f1"`
			BlockingRecall float64 `json:"blocking_recall"`
		} `json:"evaluation"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if sum.Records != 1000 || sum.Evaluation.TruePairs != 500 {
		t.Fatalf("read %d records with %d true pairs, want 1000 and 500", sum.Records, sum.Evaluation.TruePairs)
	}
	if sum.Evaluation.F1 < 0.99 || sum.Evaluation.BlockingRecall < 0.99 {
		t.Fatalf("FEBRL1 without the identifier: F1 %.4f, blocking recall %.4f; want ≥ 0.99", sum.Evaluation.F1, sum.Evaluation.BlockingRecall)
	}
}

func TestDedupeWritesAClusterForEveryRecord(t *testing.T) {
	dir := t.TempDir()
	in, truth, clusters := filepath.Join(dir, "c.csv"), filepath.Join(dir, "t.csv"), filepath.Join(dir, "clusters.csv")
	if code, _, errs := runMain(t, "gen", "--n", "500", "--out", in, "--truth", truth); code != exitOK {
		t.Fatal(errs)
	}
	if code, _, errs := runMain(t, "dedupe", "--in", in, "--clusters", clusters); code != exitOK {
		t.Fatalf("dedupe exit %d: %s", code, errs)
	}
	f, err := os.Open(clusters)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 501 || rows[0][0] != "id" || rows[0][1] != "cluster_id" {
		t.Fatalf("clusters file: %d rows, header %v; want id,cluster_id and 500 records", len(rows), rows[0])
	}
	multi := 0
	for _, r := range rows[1:] {
		if r[0] != r[1] {
			multi++
		}
	}
	if multi == 0 {
		t.Fatal("no record joined another's cluster in data with 30% duplicated people")
	}

	if code, _, _ := runMain(t, "dedupe", "eval", "--in", in, "--truth", filepath.Join(dir, "missing.csv")); code != exitNotFound {
		t.Fatalf("missing truth file: exit %d, want %d", code, exitNotFound)
	}
}
