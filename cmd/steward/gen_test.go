package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenIsDeterministicAndWritesTruth(t *testing.T) {
	dir := t.TempDir()
	run := func(name string, seed string) ([]byte, []byte) {
		out, truth := filepath.Join(dir, name+".csv"), filepath.Join(dir, name+".truth.csv")
		if code, _, errs := runMain(t, "gen", "--n", "300", "--seed", seed, "--out", out, "--truth", truth); code != exitOK {
			t.Fatalf("gen exit %d: %s", code, errs)
		}
		a, _ := os.ReadFile(out)
		b, _ := os.ReadFile(truth)
		return a, b
	}
	a1, t1 := run("a", "7")
	a2, t2 := run("b", "7")
	a3, _ := run("c", "8")
	if !bytes.Equal(a1, a2) || !bytes.Equal(t1, t2) {
		t.Fatal("the same seed gave different files")
	}
	if bytes.Equal(a1, a3) {
		t.Fatal("different seeds gave the same file")
	}
	if got := strings.Count(string(a1), "\n"); got != 301 {
		t.Fatalf("%d lines, want a header and 300 records", got)
	}
	if !strings.HasPrefix(string(t1), "id,entity_id\n") || strings.Count(string(t1), "\n") != 301 {
		t.Fatalf("truth file: %.80q", t1)
	}
}

func TestGenUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"gen", "--n", "10", "--out", filepath.Join(t.TempDir(), "x.csv"), "--locale", "klingon"},
		{"gen", "--n", "10"},
	} {
		if code, _, errs := runMain(t, args...); code != exitUsage || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want %d with a message", args, code, errs, exitUsage)
		}
	}
}
