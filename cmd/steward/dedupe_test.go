package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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

// TestDedupeEvalReports: dedupe eval tells whether training converged,
// the pairs per record, what the chaining guards parted and what each
// blocking key brought, in text and JSON.
func TestDedupeEvalReports(t *testing.T) {
	args := []string{"dedupe", "eval", "--in", "../../testdata/er/splink_fake_1000.csv",
		"--mapping", "../../testdata/mappings/splink.yaml", "--truth-column", "cluster"}
	code, out, errs := runMain(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"per record)", "training ", "converged in", "blocking recall", "last_name_phonetic+birth_year", "chaining guards"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = runMain(t, append(args, "--json")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var sum struct {
		PairsPerRecord float64 `json:"pairs_per_record"`
		Clustering     struct {
			Links int `json:"links"`
		} `json:"clustering"`
		Training struct {
			Converged   bool     `json:"converged"`
			Unconverged []string `json:"unconverged"`
		} `json:"training"`
		Evaluation struct {
			Blocking struct {
				Pairs    int `json:"pairs"`
				Compared int `json:"compared"`
				Keys     []struct {
					Key   string `json:"key"`
					Pairs int    `json:"pairs"`
				} `json:"keys"`
			} `json:"blocking"`
			LinksSplit int `json:"links_split"`
		} `json:"evaluation"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	b := sum.Evaluation.Blocking
	if sum.PairsPerRecord <= 0 || sum.Clustering.Links == 0 || !sum.Training.Converged || b.Pairs != 2031 || b.Compared == 0 || len(b.Keys) == 0 {
		t.Errorf("summary %+v", sum)
	}
}
