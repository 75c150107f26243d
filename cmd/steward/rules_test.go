package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward/rules"
)

func rulesEnv(stdin string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &Env{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }}, &stdout, &stderr
}

func writeRules(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRulesCheck(t *testing.T) {
	good := writeRules(t, "good.yaml", "defaults:\n  country: AU\n")
	bad := writeRules(t, "bad.yaml", "gate:\n  on_invalid: drop\nmatching:\n  review_threshhold: 0.5\n")
	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		stdout     []string
		stderrPart string
	}{
		{"valid file", []string{"rules", "check", good}, "", exitOK, []string{good + ": ok"}, ""},
		{"every problem", []string{"rules", "check", bad}, "", exitFindings, []string{
			bad + `:2:15: gate.on_invalid: unknown value "drop": want one of reject, warn`,
			bad + `:4:3: matching.review_threshhold: unknown setting "review_threshhold" (did you mean "review_threshold"?)`,
		}, ""},
		{"several files", []string{"rules", "check", good, bad}, "", exitFindings, []string{good + ": ok", bad + ":2:15:"}, ""},
		{"stdin", []string{"rules", "check", "-"}, "version: 3\n", exitFindings, []string{"<stdin>:1:10: version: only version 1 exists, got 3"}, ""},
		{"missing file", []string{"rules", "check", "/nonexistent/steward.yaml"}, "", exitNotFound, nil, "does not exist"},
		{"no file", []string{"rules", "check"}, "", exitUsage, nil, "needs a file"},
		{"no subcommand", []string{"rules"}, "", exitUsage, nil, "needs a subcommand"},
		{"unknown subcommand", []string{"rules", "lint"}, "", exitUsage, nil, `unknown rules subcommand "lint"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, stdout, stderr := rulesEnv(tt.stdin)
			code := Main(context.Background(), env, tt.args)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			for i, w := range tt.stdout {
				if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
					t.Errorf("stdout line %d: want prefix %q; stdout:\n%s", i+1, w, stdout)
				}
			}
			if !strings.Contains(stderr.String(), tt.stderrPart) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderrPart)
			}
		})
	}
}

func TestRulesCheckJSON(t *testing.T) {
	good := writeRules(t, "good.yaml", "")
	bad := writeRules(t, "bad.yaml", "schedules:\n  nightly: {cron: \"0 25 * * *\"}\n")
	env, stdout, _ := rulesEnv("")
	if code := Main(context.Background(), env, []string{"rules", "check", "--json", good, bad}); code != exitFindings {
		t.Fatalf("exit %d", code)
	}
	dec := json.NewDecoder(stdout)
	var first, second rulesCheckJSON
	if err := dec.Decode(&first); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&second); err != nil {
		t.Fatal(err)
	}
	if !first.OK || first.File != good || first.Problems == nil || len(first.Problems) != 0 {
		t.Errorf("first = %+v", first)
	}
	want := rules.Problem{File: bad, Line: 2, Column: 19, Path: "schedules.nightly.cron"}
	if second.OK || len(second.Problems) != 1 {
		t.Fatalf("second = %+v", second)
	}
	got := second.Problems[0]
	got.Message = ""
	if got != want || !strings.Contains(second.Problems[0].Message, "bad cron expression") {
		t.Errorf("problem = %+v", second.Problems[0])
	}
}

func TestRulesDefault(t *testing.T) {
	env, stdout, _ := rulesEnv("")
	if code := Main(context.Background(), env, []string{"rules", "default"}); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !bytes.Equal(stdout.Bytes(), rules.DefaultFile()) {
		t.Error("output is not the default file")
	}
	// What it prints must pass its own check.
	path := writeRules(t, "steward.yaml", stdout.String())
	env, out, _ := rulesEnv("")
	if code := Main(context.Background(), env, []string{"rules", "check", path}); code != exitOK {
		t.Errorf("the default file does not pass check: %s", out)
	}
}
