package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/steward-crm/steward/cleanse"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/records"
)

const standardizeUsage = `[--in FILE|-] [--out FILE|-] [--changes FILE] [--mapping FILE] [--country XX] [--date-order dmy|mdy|reject] [--json]

Standardizes a file of customers (CSV, TSV, JSON Lines or XLSX, read as
import reads it; another layout with --mapping) and writes canonical CSV
(package cleanse): Unicode
and Persian/Arabic letter forms, digits, names and titles, company legal
forms, phones to E.164, countries to ISO 3166-1 alpha-2, postal codes,
regions, US and Persian street lines, email domains, birth dates to ISO
8601. Every other column is kept. Standardizing the output again changes
nothing.

--country is the country of records whose country field is empty (their
phones are read and postal codes checked for it). --date-order reads
dates such as 03/04/1980; the default, reject, keeps them and reports
them. Values steward cannot standardize (an invalid phone, an unknown
country) are kept as written and reported with a rule ending in
"invalid", "unknown" or "ambiguous".

--changes writes one CSV row per change: line (of the input, the header
being line 1), id, field, before, after, rule. --json prints a summary object on standard output (then --out must
name a file). Output files are written under a temporary name and renamed
when complete. A row that cannot be read is reported on standard error
and left out, and the exit code is then 1.`

// standardizeColumns are the attributes cleanse.Record may add; the output
// always has them, after the input's own attribute columns.
var standardizeColumns = []string{cleanse.AttrTitle, cleanse.AttrNameSuffix, cleanse.AttrPhoneType}

// standardizeSummary is what --json prints.
type standardizeSummary struct {
	Records  int            `json:"records"`
	Changed  int            `json:"changed"`
	Changes  int            `json:"changes"`
	Flags    int            `json:"flags"`
	Rejected int            `json:"rejected"`
	ByRule   map[string]int `json:"by_rule"`
}

// runStandardize implements "steward standardize".
func runStandardize(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "standardize", standardizeUsage)
	in := fs.String("in", "-", "canonical CSV file to read, or - for standard input")
	out := fs.String("out", "-", "file to write, or - for standard output")
	changes := fs.String("changes", "", "CSV file to write every change to")
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country of records without one (IR, GB, US …)")
	dateOrder := fs.String("date-order", "reject", "how to read dates like 03/04/1980: dmy, mdy or reject")
	asJSON := fs.Bool("json", false, "print a JSON summary on standard output")
	input := addInputFlags(fs, "mapping file for a file whose columns are not canonical")
	raw := fs.Bool("raw", false, "write values exactly as stored, for programs; by default a value a spreadsheet would run as a formula (=, +, -, @ …) gets a leading apostrophe")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run 'steward standardize -h' for its flags", "unexpected argument %q", fs.Arg(0))
	}
	var opts cleanse.Options
	var err error
	if opts.DateOrder, err = cleanse.ParseDateOrder(*dateOrder); err != nil {
		return usagef("use --date-order dmy, mdy or reject", "--date-order: %v", err)
	}
	if *country != "" {
		code, ok := cleanse.LookupCountry(*country)
		if !ok {
			return usagef("use an ISO 3166-1 alpha-2 code such as IR, GB or US", "--country: unknown country %q", *country)
		}
		opts.DefaultCountry = code
	}
	if *asJSON && *out == "-" {
		return usagef("give --out FILE with --json", "--json prints on standard output, where --out - would write the records")
	}
	if *changes == "-" {
		return usagef("give --changes a file name", "--changes cannot write to standard output")
	}

	fo, err := input.options(*in)
	if err != nil {
		return err
	}
	src, done, err := openInput(env, *in)
	if err != nil {
		return err
	}
	defer done()

	outFile, err := createOutput(env, *out)
	if err != nil {
		return err
	}
	defer outFile.abort()
	var chFile *outputFile
	var chw *csv.Writer
	if *changes != "" {
		if chFile, err = createOutput(env, *changes); err != nil {
			return err
		}
		defer chFile.abort()
		chw = csv.NewWriter(chFile.w)
		if err := chw.Write([]string{"line", "id", "field", "before", "after", "rule"}); err != nil {
			return fmt.Errorf("write %s: %w", *changes, err)
		}
	}

	var w *records.Writer
	fo.Header = func(_, attrs []string) {
		attrs = slices.Clone(attrs)
		for _, a := range standardizeColumns {
			if !slices.Contains(attrs, a) {
				attrs = append(attrs, a)
			}
		}
		w = records.NewWriter(outFile.w, attrs)
		w.Raw = *raw
	}
	sum := standardizeSummary{ByRule: map[string]int{}}
	bar := progress.New("standardizing", 0, env.Stderr, env.Terminal, envLogger(env))
	var werr error
	_, err = records.ReadFile(src, fo, func(r *records.Row) {
		if werr != nil {
			return
		}
		if werr = ctx.Err(); werr != nil {
			return
		}
		if len(r.Findings) > 0 {
			sum.Rejected++
			for _, f := range r.Findings {
				fmt.Fprintf(env.Stderr, "line %d: %s\n", r.Line, f.Message)
			}
			return
		}
		rec := &r.Record
		sum.Records++
		fixes := cleanse.Record(rec, opts)
		changed := false
		for _, f := range fixes {
			sum.ByRule[f.Rule]++
			if f.Before == f.After {
				sum.Flags++
			} else {
				sum.Changes++
				changed = true
			}
			if chw != nil {
				line := []string{strconv.Itoa(r.Line), rec.SourceID, f.Field, f.Before, f.After, f.Rule}
				if !*raw {
					for i, v := range line {
						line[i] = records.SpreadsheetSafe(v)
					}
				}
				if err := chw.Write(line); err != nil {
					werr = fmt.Errorf("write %s: %w", *changes, err)
					return
				}
			}
		}
		if changed {
			sum.Changed++
		}
		if err := w.Write(rec); err != nil {
			werr = fmt.Errorf("write records: %w", err)
			return
		}
		bar.Add(1)
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		bar.Abort()
		return err
	}
	bar.Done()
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write records: %w", err)
	}
	if err := outFile.commit(); err != nil {
		return err
	}
	if chw != nil {
		chw.Flush()
		if err := chw.Error(); err != nil {
			return fmt.Errorf("write %s: %w", *changes, err)
		}
		if err := chFile.commit(); err != nil {
			return err
		}
	}
	if *asJSON {
		if err := json.NewEncoder(env.Stdout).Encode(sum); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.Stderr, "standardized %d records: %d changed, %d changes, %d values kept and flagged%s\n",
			sum.Records, sum.Changed, sum.Changes, sum.Flags, standardizeRejectedNote(sum.Rejected))
		rules := make([]string, 0, len(sum.ByRule))
		for r := range sum.ByRule {
			rules = append(rules, r)
		}
		sort.Strings(rules)
		for _, r := range rules {
			fmt.Fprintf(env.Stderr, "  %-22s %d\n", r, sum.ByRule[r])
		}
	}
	if sum.Rejected > 0 {
		return errFindings
	}
	return nil
}

func standardizeRejectedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d rows not readable", n)
}
