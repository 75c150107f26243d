package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
)

const versionUsage = `[--json]

Prints steward's version: the module version it was built from (a
release tag, or "(devel)" for a build from a working copy), the commit
and whether the working copy had changes, and the Go version.`

// versionInfo is what "steward version --json" prints.
type versionInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Time     string `json:"commit_time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

// buildVersion reads steward's version from the build information the Go
// toolchain embeds (go install, go build in a git checkout).
func buildVersion() versionInfo {
	v := versionInfo{Version: "(unknown)", Go: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Version = bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// runVersion implements "steward version".
func runVersion(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "version", versionUsage)
	asJSON := fs.Bool("json", false, "print the version as one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	v := buildVersion()
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(v)
	}
	fmt.Fprintf(env.Stdout, "steward %s", v.Version)
	if v.Commit != "" {
		fmt.Fprintf(env.Stdout, " (commit %.12s", v.Commit)
		if v.Modified {
			fmt.Fprint(env.Stdout, ", with local changes")
		}
		fmt.Fprint(env.Stdout, ")")
	}
	fmt.Fprintf(env.Stdout, ", %s\n", v.Go)
	return nil
}
