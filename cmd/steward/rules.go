package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/steward-crm/steward/rules"
)

const rulesUsage = `check [--json] FILE... | default

  check FILE...  lint rules files: print "FILE: ok", or every problem as
                 file:line:col: setting: message. FILE "-" reads standard
                 input. With --json, one JSON object per file.
  default        print the built-in rules file, to start your own from.

A rules file says only what it changes; the rest comes from the defaults.

Exit status: 0 when every file is valid, 1 when any has problems, 2 on a
bad command line, 3 when a file does not exist.`

// rulesCheckJSON is one line of "rules check --json" output.
type rulesCheckJSON struct {
	File     string          `json:"file"`
	OK       bool            `json:"ok"`
	Problems []rules.Problem `json:"problems"`
}

// runRules implements "steward rules".
func runRules(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usagef("run 'steward rules check FILE' or 'steward rules default'", "rules needs a subcommand")
	}
	switch args[0] {
	case "check":
		return runRulesCheck(env, args[1:])
	case "default":
		fs := newFlagSet(env, "rules default", "")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return usagef("run 'steward rules default > steward.yaml'", "rules default takes no arguments")
		}
		if _, err := env.Stdout.Write(rules.DefaultFile()); err != nil {
			return fmt.Errorf("write default rules: %w", err)
		}
		return nil
	case "-h", "--help", "help":
		fmt.Fprintf(env.Stderr, "Usage: steward rules %s\n", rulesUsage)
		return nil
	}
	return usagef("run 'steward rules check FILE' or 'steward rules default'", "unknown rules subcommand %q", args[0])
}

func runRulesCheck(env *Env, args []string) error {
	fs := newFlagSet(env, "rules check", "[--json] FILE...")
	asJSON := fs.Bool("json", false, "print one JSON object per file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("run 'steward rules check steward.yaml'", "rules check needs a file")
	}
	enc := json.NewEncoder(env.Stdout)
	failed := false
	for _, file := range fs.Args() {
		var err error
		if file == "-" {
			var data []byte
			if data, err = io.ReadAll(env.Stdin); err != nil {
				return fmt.Errorf("read standard input: %w", err)
			}
			_, err = rules.Parse(data, "<stdin>")
			file = "<stdin>"
		} else {
			_, err = rules.Load(file)
		}
		var problems rules.Problems
		if err != nil && !errors.As(err, &problems) {
			return err
		}
		failed = failed || len(problems) > 0
		if *asJSON {
			out := rulesCheckJSON{File: file, OK: len(problems) == 0, Problems: problems}
			if out.Problems == nil {
				out.Problems = []rules.Problem{}
			}
			if err := enc.Encode(out); err != nil {
				return fmt.Errorf("write result: %w", err)
			}
			continue
		}
		if len(problems) == 0 {
			fmt.Fprintf(env.Stdout, "%s: ok\n", file)
			continue
		}
		for _, p := range problems {
			fmt.Fprintln(env.Stdout, p)
		}
	}
	if failed {
		return errFindings
	}
	return nil
}
