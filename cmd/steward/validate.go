package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/validate"
)

const validateUsage = `--in FILE [--mapping FILE] [--rules FILE] [--country CC] [--json]

Checks every row of a customer file (canonical CSV or TSV; another layout
with --mapping) against the rules file's record rules and prints one line
per finding: row number, field, code, severity and message; with --json,
one JSON object per line. The default rules: a customer needs a first or
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
	in := fs.String("in", "", "customer file to check (- for standard input)")
	mappingFile := fs.String("mapping", "", "mapping file for a file whose columns are not canonical")
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
	cfg := rf.RecordRulesConfig()
	if *country != "" {
		cfg.DefaultCountry = strings.ToUpper(*country)
	}
	rules, err := recordRules(cfg, *country)
	if err != nil {
		return err
	}
	var opts records.Options
	if *mappingFile != "" {
		if opts.Mapping, err = records.LoadMapping(*mappingFile); err != nil {
			return err
		}
	}
	src, done, err := openInput(env, *in)
	if err != nil {
		return err
	}
	defer done()
	rd, err := records.NewReader(src, opts)
	if err != nil {
		return err
	}

	w := bufio.NewWriter(env.Stdout)
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
		_, err := fmt.Fprintf(w, "row %d\t%s\t%s\t%s\t%s\n", row, field, f.Code, f.Severity, f.Message)
		return err
	}
	bar := progress.New("validating", 0, env.Stderr, env.Terminal, env.Logger)
	rows, bad, errorsFound, warnings := 0, 0, 0, 0
	for {
		if rows%1024 == 0 {
			if err := ctx.Err(); err != nil {
				w.Flush()
				return err
			}
		}
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		rows++
		bar.Add(1)
		var rowErr *records.RowError
		if errors.As(err, &rowErr) {
			bad++
			errorsFound++
			f := steward.Finding{Code: "row_unreadable", Severity: steward.SeverityError,
				Message: "The row cannot be read: " + rowErr.Err.Error() + "."}
			if err := emit(rowErr.Row, rowErr.Line, "", f); err != nil {
				return fmt.Errorf("write findings: %w", err)
			}
			continue
		}
		if err != nil {
			w.Flush()
			return fmt.Errorf("read %s: %w", *in, err)
		}
		findings := validate.Record(&rec, rules)
		rowHasError := false
		for _, f := range findings {
			if f.Severity == steward.SeverityError {
				errorsFound++
				rowHasError = true
			} else {
				warnings++
			}
			if err := emit(rd.Row(), rd.Line(), rec.SourceID, f); err != nil {
				return fmt.Errorf("write findings: %w", err)
			}
		}
		if rowHasError {
			bad++
		}
	}
	bar.Done()
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	if env.Logger != nil {
		env.Logger.Info("validate finished", "rows", rows, "rows_with_errors", bad, "errors", errorsFound, "warnings", warnings)
	}
	if bad > 0 {
		return errFindings
	}
	return nil
}
