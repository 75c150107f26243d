package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

// TestHelpListsEveryCommand: the top-level help names every command.
func TestHelpListsEveryCommand(t *testing.T) {
	out, _, code := runWith(t, nil, "help")
	if code != exitOK {
		t.Fatalf("help: exit %d", code)
	}
	seen := map[string]bool{}
	for _, c := range commands() {
		if strings.Count(out, "\n  "+c.name+" ") != 1 || seen[c.name] {
			t.Errorf("help does not list %q once:\n%s", c.name, out)
		}
		seen[c.name] = true
	}
}

func TestVersion(t *testing.T) {
	out, _, code := runWith(t, nil, "version", "--json")
	var v versionInfo
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != exitOK || v.Go != runtime.Version() || v.Version == "" {
		t.Fatalf("version --json: exit %d, %q (%v)", code, out, err)
	}
	if out, _, _ := runWith(t, nil, "version"); !strings.HasPrefix(out, "steward ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("version: %q", out)
	}
}

// TestSubcommandHelp: a subcommand's own subcommands print their own
// usage for -h.
func TestSubcommandHelp(t *testing.T) {
	for _, args := range [][]string{{"dedupe", "eval", "-h"}, {"dedupe", "model", "show", "-h"}, {"run", "-h"}} {
		_, errOut, code := runWith(t, nil, args...)
		if code != exitOK || !strings.Contains(errOut, "Usage: steward "+strings.Join(args[:len(args)-1], " ")) {
			t.Errorf("steward %s: exit %d, %q", strings.Join(args, " "), code, errOut)
		}
	}
}

// TestExitCodes: every domain error code has its exit code and prints the
// error's message for the user; anything else is internal.
func TestExitCodes(t *testing.T) {
	for code, want := range map[string]int{
		steward.EINVALID: exitFindings, steward.EMALFORMED: exitUsage, steward.EUNAUTHORIZED: exitUsage,
		steward.ENOTFOUND: exitNotFound, steward.ECONFLICT: exitConflict, steward.EFORBIDDEN: exitRefused,
		steward.EUNAVAILABLE: exitUnavailable, steward.ETHROTTLED: exitUnavailable, steward.EINTERNAL: exitInternal,
	} {
		var stderr bytes.Buffer
		err := fmt.Errorf("wrapped: %w", &steward.Error{Code: code, Message: "the message for " + code})
		if got := exitCode(&Env{Stderr: &stderr}, "x", err); got != want {
			t.Errorf("%s: exit %d, want %d", code, got, want)
		}
		if !strings.Contains(stderr.String(), "the message for "+code) {
			t.Errorf("%s: printed %q", code, stderr.String())
		}
	}
}
