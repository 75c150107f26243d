package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/records"
)

const validateUsage = `--in FILE [--mapping FILE | --no-infer] [--rules FILE] [--country CC] [--encoding E] [--sheet S] [--json]

Checks every row of a customer file (CSV, TSV, JSON Lines or XLSX, read as
import reads it: columns without canonical names matched by name and
content, the matching printed on standard error; another layout with
--mapping) as an import would: each
row is standardized, then checked against the rules file's record rules.
It prints one line per finding: the line of the file (the header is line
1), field, code, severity and message; with --json, one JSON object per
line. The default rules: a customer needs a first or
last name or a company, and at least one valid contact (email or phone);
email, phone, postal code (for the row's country, or --country, else the
rules' default country), country, national ID (Iran) and birth date are
checked when present.

Exit status: 0 when no row has an error (warnings alone are fine), 1 when
any row has an error or cannot be read, 2 on a bad command line.`

// validateJSON is one line of validate --json output.
type validateJSON struct {
	Row      int    `json:"row"`
	Line     int    `json:"line"`
	ID       string `json:"id,omitempty"`
	Field    string `json:"field"`
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// runValidate implements "steward validate".
func runValidate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "validate", validateUsage)
	in := fs.String("in", "", "customer file to check: CSV, TSV, JSON Lines or XLSX (- for standard input)")
	input := addInputFlags(fs, "mapping file for a file whose columns are not canonical (default: match them by name and content, as import does)")
	noInfer := fs.Bool("no-infer", false, "do not match columns without canonical names: keep them as attributes")
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country of rows without one, e.g. IR (default: the rules file's)")
	rulesPath := rulesFlag(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per finding")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" {
		return usagef("name the file to check: steward validate --in customers.csv", "--in is required")
	}
	if fs.NArg() > 0 {
		return usagef("give the file with --in", "unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	rf, err := loadRules(env, *rulesPath)
	if err != nil {
		return err
	}
	// The same checks as an import: standardized first, then validated,
	// so that what import accepts ("USA" as a country) passes here too.
	policy, err := gatePolicy(rf, *country)
	if err != nil {
		return err
	}
	fo, err := input.options(*in)
	if err != nil {
		return err
	}
	if fo.Mapping == nil && !*noInfer {
		fo.Infer = &records.InferOptions{DefaultCountry: policy.Cleanse.DefaultCountry}
	}
	src, done, err := openInput(env, *in)
	if err != nil {
		return err
	}
	defer done()

	w := bufio.NewWriter(env.Stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	emit := func(row, line int, id string, f steward.Finding) error {
		if *asJSON {
			return enc.Encode(validateJSON{Row: row, Line: line, ID: id, Field: f.Field, Code: f.Code,
				Severity: string(f.Severity), Message: f.Message})
		}
		field := f.Field
		if field == "" {
			field = "-"
		}
		_, err := fmt.Fprintf(w, "line %d\t%s\t%s\t%s\t%s\n", line, field, f.Code, f.Severity, f.Message)
		return err
	}
	bar := progress.New("validating", 0, env.Stderr, env.Terminal, envLogger(env))
	rows, bad, errorsFound, warnings := 0, 0, 0, 0
	var werr error
	file, err := records.ReadFile(src, fo, func(r *records.Row) {
		if werr != nil {
			return
		}
		if werr = ctx.Err(); werr != nil {
			return
		}
		rows++
		bar.Add(1)
		fs := r.Findings
		if len(fs) == 0 {
			fs, _ = policy.Check(&r.Record)
		}
		rowHasError := false
		for _, f := range fs {
			if f.IsError() {
				errorsFound++
				rowHasError = true
			} else {
				warnings++
			}
			if err := emit(r.Num, r.Line, r.Record.SourceID, f); err != nil {
				werr = fmt.Errorf("write findings: %w", err)
				return
			}
		}
		if rowHasError {
			bad++
		}
	})
	if werr != nil {
		bar.Abort()
		return werr
	}
	if err != nil {
		bar.Abort()
		return err
	}
	bar.Done()
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	if inf := file.Inference; inf != nil {
		fmt.Fprintf(env.Stderr, "columns of %s, matched by name and by the values of the first %d rows (--no-infer keeps them as attributes; import --write-mapping saves them):\n", fo.Name, inf.Rows)
		if err := inf.Report(env.Stderr, "  "); err != nil {
			return fmt.Errorf("write matching: %w", err)
		}
	}
	envLogger(env).Info("validate finished", "rows", rows, "rows_with_errors", bad, "errors", errorsFound, "warnings", warnings)
	if bad > 0 {
		return errFindings
	}
	return nil
}
