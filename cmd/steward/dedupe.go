package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/records"
)

const dedupeUsage = `--in FILE [--mapping FILE] [--clusters FILE] [--pairs FILE] [--threshold P]
       [--model FILE] [--save-model FILE] [--ignore FIELD,...] [--json]
       steward dedupe eval --in FILE [--mapping FILE] (--truth FILE | --truth-column NAME [--truth-regexp RE]) [flags above]

Finds duplicate customers in a file (canonical CSV or TSV; another layout
with --mapping): blocking on several keys, field-by-field comparison, a
Fellegi-Sunter model trained on the file itself (or loaded with --model),
and clusters of the pairs whose match probability reaches --threshold.
Prints a summary; --clusters writes "id,cluster_id" for every record (a
cluster's id is its smallest record id), --pairs writes every pair at or
above the review threshold with its probability and each field's level and
weight (log2 Bayes factor).

"dedupe eval" also measures the result against ground truth: --truth names
a CSV of "id,entity_id" (as "steward gen" writes), --truth-column a column
of the input holding the entity (with --truth-regexp, its first group:
--truth-column id --truth-regexp '^rec-(\d+)-' for FEBRL). It prints
pairwise precision, recall and F1, B-cubed and adjusted Rand, blocking
recall (true pairs that were compared), pairs compared and time.

--ignore blanks fields before matching, e.g. --ignore national_id to
measure without an identifier.

Exit status: 0 on success, 1 when the input cannot be read, 2 on a bad
command line, 3 when a named file does not exist.`

// dedupeFlags are the flags shared by "dedupe" and "dedupe eval".
type dedupeFlags struct {
	in, mapping, clusters, pairs, model, saveModel, ignore string
	threshold                                              float64
	asJSON                                                 bool
	truth, truthColumn, truthRegexp                        string
}

// dedupeSummary is the --json output of "steward dedupe".
type dedupeSummary struct {
	Records       int                    `json:"records"`
	SkippedRows   int                    `json:"skipped_rows"`
	PairsCompared int64                  `json:"pairs_compared"`
	PairsKept     int                    `json:"pairs_kept"`
	Clusters      int                    `json:"clusters"`
	Threshold     float64                `json:"threshold"`
	Seconds       float64                `json:"seconds"`
	Blocks        []dedupe.BlockReport   `json:"blocks"`
	Evaluation    *dedupe.Evaluation     `json:"evaluation,omitempty"`
	Training      *dedupe.TrainingReport `json:"training,omitempty"`
}

// runDedupe implements "steward dedupe" and "steward dedupe eval".
func runDedupe(ctx context.Context, env *Env, args []string) error {
	name, eval := "dedupe", false
	if len(args) > 0 && args[0] == "model" {
		return runModel(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "eval" {
		name, eval, args = "dedupe eval", true, args[1:]
	}
	if eval && slices.Contains(args, "--decisions") { // the database's decided pairs: decisions_eval.go
		return runEvalDecisions(ctx, env, slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "--decisions" }))
	}
	fs := newFlagSet(env, name, dedupeUsage)
	var f dedupeFlags
	cfg := dedupe.DefaultConfig()
	fs.StringVar(&f.in, "in", "", "customer file (- for standard input)")
	fs.StringVar(&f.mapping, "mapping", "", "mapping file for a file whose columns are not canonical")
	fs.StringVar(&f.clusters, "clusters", "", "write id,cluster_id for every record to this file")
	fs.StringVar(&f.pairs, "pairs", "", "write scored pairs with their explanation to this file")
	fs.Float64Var(&f.threshold, "threshold", cfg.Threshold, "match probability from which a pair joins a cluster")
	fs.StringVar(&f.model, "model", "", "score with the model in this JSON file instead of training one")
	fs.StringVar(&f.saveModel, "save-model", "", "write the model used to this JSON file")
	fs.StringVar(&f.ignore, "ignore", "", "comma-separated fields to blank before matching, e.g. national_id")
	fs.BoolVar(&f.asJSON, "json", false, "print the summary as JSON")
	if eval {
		fs.StringVar(&f.truth, "truth", "", "CSV of id,entity_id: the true entity of each record")
		fs.StringVar(&f.truthColumn, "truth-column", "", "input column holding each record's true entity")
		fs.StringVar(&f.truthRegexp, "truth-regexp", "", "take the entity from the first group of this regexp on --truth-column")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case f.in == "":
		return usagef("name the file: steward "+name+" --in customers.csv", "--in is required")
	case fs.NArg() > 0:
		return usagef("give the file with --in", "unexpected arguments: %s", strings.Join(fs.Args(), " "))
	case !(f.threshold > 0 && f.threshold <= 1):
		return usagef("give a probability such as 0.5", "--threshold must be in (0, 1], not %g", f.threshold)
	case eval && (f.truth == "") == (f.truthColumn == ""):
		return usagef("give the truth as --truth FILE or --truth-column NAME", "dedupe eval needs exactly one of --truth and --truth-column")
	case f.truthRegexp != "" && f.truthColumn == "":
		return usagef("use it with --truth-column", "--truth-regexp without --truth-column")
	}
	cfg.Threshold = f.threshold
	cfg.ReviewThreshold = min(cfg.ReviewThreshold, f.threshold)
	var truthRE *regexp.Regexp
	if f.truthRegexp != "" {
		var err error
		if truthRE, err = regexp.Compile(f.truthRegexp); err != nil {
			return usagef("give a Go regular expression with one group", "--truth-regexp: %v", err)
		}
		if truthRE.NumSubexp() < 1 {
			return usagef("put the entity part in parentheses", "--truth-regexp %q has no group", f.truthRegexp)
		}
	}
	var ignore []string
	for _, fld := range strings.Split(f.ignore, ",") {
		if fld = strings.ToLower(strings.TrimSpace(fld)); fld == "" {
			continue
		}
		if !steward.IsCanonicalField(fld) {
			return usagef("name canonical fields such as national_id or email", "--ignore: %q is not a canonical field", fld)
		}
		ignore = append(ignore, fld)
	}

	var model *dedupe.Model
	if f.model != "" {
		var err error
		if model, err = readModelFile(f.model); err != nil {
			return err
		}
	}

	recs, skipped, err := readDedupeInput(ctx, env, f.in, f.mapping)
	if err != nil {
		return err
	}
	var truth []string
	if eval {
		if truth, err = truthLabels(recs, f, truthRE); err != nil {
			return err
		}
	}
	for i := range recs {
		for _, fld := range ignore {
			recs[i].Set(fld, "")
		}
	}

	res, err := dedupe.Run(ctx, recs, cfg, dedupe.Options{Model: model, Progress: dedupeProgress(env)})
	if err != nil {
		return err
	}
	if res.Model == nil && (f.saveModel != "" || f.pairs != "") {
		return steward.Errorf(steward.EINVALID, "%s has %d records: too few to train a model", f.in, len(recs))
	}
	if f.saveModel != "" {
		if err := writeFileWith(env, f.saveModel, func(w io.Writer) error { return dedupe.WriteModel(w, res.Model) }); err != nil {
			return err
		}
	}
	if f.clusters != "" {
		if err := writeFileWith(env, f.clusters, func(w io.Writer) error { return writeClusters(w, recs, res) }); err != nil {
			return err
		}
	}
	if f.pairs != "" {
		if err := writeFileWith(env, f.pairs, func(w io.Writer) error { return writePairs(w, recs, res) }); err != nil {
			return err
		}
	}

	sum := dedupeSummary{
		Records: len(recs), SkippedRows: skipped, PairsCompared: res.Stats.PairsCompared,
		PairsKept: res.Stats.PairsKept, Clusters: res.Stats.Clusters, Threshold: cfg.Threshold,
		Seconds: res.Stats.Elapsed.Seconds(), Blocks: res.Stats.Blocks,
	}
	if model == nil && res.Model != nil {
		sum.Training = &res.Model.Training
	}
	if eval {
		ev, err := dedupe.Evaluate(res, truth)
		if err != nil {
			return err
		}
		sum.Evaluation = &ev
	}
	return printDedupeSummary(env.Stdout, sum, f.asJSON)
}

// readModelFile loads a model saved with --save-model.
func readModelFile(path string) (*dedupe.Model, error) {
	file, err := openFile("model file", path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	m, err := dedupe.ReadModel(file)
	if err != nil {
		return nil, steward.Errorf(steward.EINVALID, "%s: %v", path, err)
	}
	return m, nil
}

// readDedupeInput reads every record of the input; unreadable rows are
// reported on the log and skipped.
func readDedupeInput(ctx context.Context, env *Env, in, mappingFile string) ([]steward.Record, int, error) {
	var opts records.Options
	if mappingFile != "" {
		var err error
		if opts.Mapping, err = records.LoadMapping(mappingFile); err != nil {
			return nil, 0, err
		}
	}
	src, done, err := openInput(env, in)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	rd, err := records.NewReader(src, opts)
	if err != nil {
		return nil, 0, err
	}
	bar := progress.New("reading", 0, env.Stderr, env.Terminal, env.Logger)
	defer bar.Done()
	var recs []steward.Record
	skipped := 0
	for {
		if len(recs)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		var rowErr *records.RowError
		if errors.As(err, &rowErr) {
			skipped++
			if env.Logger != nil {
				env.Logger.Warn("row skipped", "line", rowErr.Line, "row", rowErr.Row, "error", rowErr.Err)
			}
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("read %s: %w", in, err)
		}
		recs = append(recs, rec)
		bar.Add(1)
	}
	return recs, skipped, nil
}

// truthLabels returns every record's true entity from --truth or
// --truth-column.
func truthLabels(recs []steward.Record, f dedupeFlags, re *regexp.Regexp) ([]string, error) {
	out := make([]string, len(recs))
	if f.truthColumn != "" {
		col := strings.ToLower(f.truthColumn)
		for i := range recs {
			v := recs[i].Get(col)
			if re != nil {
				m := re.FindStringSubmatch(v)
				if m == nil {
					return nil, steward.Errorf(steward.EINVALID, "record %d: %s %q does not match --truth-regexp", i+1, col, v)
				}
				v = m[1]
			}
			out[i] = v
		}
		return out, nil
	}
	file, err := openFile("truth file", f.truth)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	entity, err := readTruth(bufio.NewReader(file), f.truth)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		e, ok := entity[recs[i].SourceID]
		if !ok {
			return nil, steward.Errorf(steward.EINVALID, "record id %q is not in %s", recs[i].SourceID, f.truth)
		}
		out[i] = e
	}
	return out, nil
}

// dedupeProgress draws one bar per long stage of the run.
func dedupeProgress(env *Env) dedupe.ProgressFunc {
	var mu sync.Mutex
	var bar *progress.Bar
	stage := ""
	var last int64
	return func(name string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if name != stage {
			bar.Done()
			bar = progress.New(name, int64(total), env.Stderr, env.Terminal, env.Logger)
			stage, last = name, 0
		}
		if d := int64(done); d > last {
			bar.Add(d - last)
			last = d
		}
		if done >= total {
			bar.Done()
		}
	}
}

// writeFileWith writes path ("-": standard output) through fn, all or
// nothing (outputFile).
func writeFileWith(env *Env, path string, fn func(io.Writer) error) error {
	out, err := createOutput(env, path)
	if err != nil {
		return err
	}
	defer out.abort()
	if err := fn(out.w); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return out.commit()
}

// recordID is a record's id, or its 1-based row number when it has none.
func recordID(recs []steward.Record, i int) string {
	if id := recs[i].SourceID; id != "" {
		return id
	}
	return strconv.Itoa(i + 1)
}

// writeClusters writes id,cluster_id for every record.
func writeClusters(w io.Writer, recs []steward.Record, res *dedupe.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id", "cluster_id"}); err != nil {
		return err
	}
	for i := range recs {
		if err := cw.Write([]string{recordID(recs, i), recordID(recs, int(res.Cluster[i]))}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writePairs writes every kept pair with its explanation: per comparison
// of the model, the level and its weight.
func writePairs(w io.Writer, recs []steward.Record, res *dedupe.Result) error {
	cw := csv.NewWriter(w)
	header := []string{"id_a", "id_b", "probability", "weight"}
	col := make(map[string]int)
	for _, c := range res.Model.Comparisons {
		col[c.Field] = len(header)
		header = append(header, c.Field+"_level", c.Field+"_weight")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for _, p := range res.Pairs {
		for k := range row {
			row[k] = ""
		}
		row[0], row[1] = recordID(recs, int(p.A)), recordID(recs, int(p.B))
		row[2] = strconv.FormatFloat(p.Probability, 'f', 6, 64)
		row[3] = strconv.FormatFloat(p.Weight, 'f', 3, 64)
		for k := range res.Model.Comparisons {
			row[col[res.Model.Comparisons[k].Field]] = dedupe.LevelMissing
			row[col[res.Model.Comparisons[k].Field]+1] = "0"
		}
		for _, fw := range res.Explain(p) {
			k := col[fw.Field]
			row[k] = fw.Level
			row[k+1] = strconv.FormatFloat(fw.Weight, 'f', 3, 64)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// printDedupeSummary prints the run's counts and, for eval, the measures.
func printDedupeSummary(out io.Writer, s dedupeSummary, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "records          %d\n", s.Records)
	if s.SkippedRows > 0 {
		fmt.Fprintf(w, "skipped rows     %d\n", s.SkippedRows)
	}
	fmt.Fprintf(w, "pairs compared   %d\n", s.PairsCompared)
	fmt.Fprintf(w, "pairs kept       %d (probability ≥ review threshold)\n", s.PairsKept)
	fmt.Fprintf(w, "clusters         %d (two or more records, threshold %g)\n", s.Clusters, s.Threshold)
	fmt.Fprintf(w, "time             %s\n", time.Duration(s.Seconds*float64(time.Second)).Round(time.Millisecond))
	for _, b := range s.Blocks {
		if b.Oversized > 0 {
			fmt.Fprintf(w, "oversized blocks %d of key %s (largest %d records): paired by sorted neighbourhood\n", b.Oversized, b.Key, b.Largest)
		}
	}
	if ev := s.Evaluation; ev != nil {
		fmt.Fprintf(w, "\ntrue pairs       %d\n", ev.TruePairs)
		fmt.Fprintf(w, "precision        %.4f\n", ev.Precision)
		fmt.Fprintf(w, "recall           %.4f\n", ev.Recall)
		fmt.Fprintf(w, "F1               %.4f\n", ev.F1)
		fmt.Fprintf(w, "pairs before clustering: precision %.4f recall %.4f F1 %.4f\n", ev.PairPrecision, ev.PairRecall, ev.PairF1)
		fmt.Fprintf(w, "B-cubed          precision %.4f recall %.4f F1 %.4f\n", ev.BCubedPrecision, ev.BCubedRecall, ev.BCubedF1)
		fmt.Fprintf(w, "adjusted Rand    %.4f\n", ev.AdjustedRand)
		fmt.Fprintf(w, "blocking recall  %.4f (true pairs compared)\n", ev.BlockingRecall)
	}
	return w.Flush()
}

// readTruth reads a ground-truth file, "id,entity_id" per line with an
// optional header (steward gen --truth writes one), naming the file in its
// errors.
func readTruth(r io.Reader, name string) (map[string]string, error) {
	rd := csv.NewReader(r)
	rd.FieldsPerRecord = -1
	entity := make(map[string]string)
	for line := 1; ; line++ {
		row, err := rd.Read()
		if err == io.EOF {
			return entity, nil
		}
		if err != nil {
			return nil, steward.Errorf(steward.EINVALID, "%s: %v", name, err)
		}
		if len(row) < 2 {
			return nil, steward.Errorf(steward.EINVALID, "%s:%d: want id,entity_id", name, line)
		}
		if line == 1 && strings.EqualFold(strings.TrimSpace(row[0]), "id") {
			continue
		}
		entity[strings.TrimSpace(row[0])] = strings.TrimSpace(row[1])
	}
}
