package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
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
Prints a summary (pairs compared per record, whether training converged,
the links the guards against chaining parted); --clusters writes
"id,cluster_id" for every record (a cluster's id is its smallest record
id), --pairs writes every pair at or above the review threshold with its
probability and each field's level, weight (log2 Bayes factor) and the
two values compared.

"dedupe eval" also measures the result against ground truth: --truth names
a CSV of "id,entity_id" (as "steward gen" writes), --truth-column a column
of the input holding the entity (with --truth-regexp, its first group:
--truth-column id --truth-regexp '^rec-(\d+)-' for FEBRL). It prints
pairwise precision, recall and F1, B-cubed and adjusted Rand, the links
the chaining guards parted that were one entity and the false pairs joined
through others, blocking recall (true pairs that were compared) with what
each blocking key brought, pairs compared and time.

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
	Records        int                    `json:"records"`
	SkippedRows    int                    `json:"skipped_rows"`
	PairsCompared  int64                  `json:"pairs_compared"`
	PairsPerRecord float64                `json:"pairs_per_record"`
	PairsKept      int                    `json:"pairs_kept"`
	Clusters       int                    `json:"clusters"`
	Threshold      float64                `json:"threshold"`
	Seconds        float64                `json:"seconds"`
	Blocks         []dedupe.BlockReport   `json:"blocks"`
	Clustering     dedupe.ClusterReport   `json:"clustering"`
	Evaluation     *dedupe.Evaluation     `json:"evaluation,omitempty"`
	Training       *dedupe.TrainingReport `json:"training,omitempty"`
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

	start := time.Now()
	in, err := readDedupeIndex(ctx, env, f, cfg, model, eval, truthRE, ignore)
	if err != nil {
		return err
	}
	res, err := dedupe.RunIndex(ctx, in.ix, dedupe.Options{Model: model, Progress: dedupeProgress(env)})
	if err != nil {
		return err
	}
	res.Stats.Elapsed = time.Since(start)
	n := in.ix.Len()
	truth := in.truth
	if res.Model == nil && (f.saveModel != "" || f.pairs != "") {
		return steward.Errorf(steward.EINVALID, "%s has %d records: too few to train a model", f.in, n)
	}
	if f.saveModel != "" {
		if err := writeFileWith(env, f.saveModel, func(w io.Writer) error { return dedupe.WriteModel(w, res.Model) }); err != nil {
			return err
		}
	}
	if f.clusters != "" {
		if err := writeFileWith(env, f.clusters, func(w io.Writer) error { return writeClusters(w, res) }); err != nil {
			return err
		}
	}
	if f.pairs != "" {
		if err := writeFileWith(env, f.pairs, func(w io.Writer) error { return writePairs(w, res) }); err != nil {
			return err
		}
	}

	sum := dedupeSummary{
		Records: n, SkippedRows: in.skipped, PairsCompared: res.Stats.PairsCompared,
		PairsKept: res.Stats.PairsKept, Clusters: res.Stats.Clusters, Threshold: cfg.Threshold,
		Seconds: res.Stats.Elapsed.Seconds(), Blocks: res.Stats.Blocks, Clustering: res.Stats.Clustering,
	}
	if n > 0 {
		sum.PairsPerRecord = float64(res.Stats.PairsCompared) / float64(n)
	}
	if model == nil && res.Model != nil {
		sum.Training = &res.Model.Training
	}
	if eval {
		ev, err := dedupe.EvaluateEntities(res, truth)
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

// dedupeInput is the input file read into a duplicate index, with each
// record's true entity for eval.
type dedupeInput struct {
	ix      *dedupe.Index
	skipped int
	// truth holds each record's true entity as a number (equal numbers,
	// one customer), for dedupe.EvaluateEntities.
	truth []int32
}

// entityNumbers numbers true entities by their labels' 64-bit hashes, so
// that ten million labels cost no map of strings (two distinct labels
// sharing a hash, about one chance in a billion at ten million, would be
// taken for one entity).
type entityNumbers map[uint64]int32

func (m entityNumbers) of(label string) int32 {
	h := labelHash(label)
	e, ok := m[h]
	if !ok {
		e = int32(len(m))
		m[h] = e
	}
	return e
}

// labelHash is FNV-1a of s.
func labelHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// readBatch is how many records are read before they are handed to the
// index builder, which prepares them on all CPUs while the next batch is
// read.
const readBatch = 1 << 15

// readDedupeIndex reads every record of the input into a duplicate index,
// a batch at a time: reading (one goroutine) and preparing the records'
// match keys (the others) overlap, and no more than two batches of
// records are held at once, so that ten million customers fit in memory.
// Fields in ignore are blanked; unreadable rows are reported on the log
// and skipped; for eval each record's true entity is taken from
// --truth-column or --truth.
func readDedupeIndex(ctx context.Context, env *Env, f dedupeFlags, cfg dedupe.Config, model *dedupe.Model, eval bool, truthRE *regexp.Regexp, ignore []string) (*dedupeInput, error) {
	// With --truth, the entity number of each record id (by the id's
	// hash).
	var entity map[uint64]int32
	numbers := make(entityNumbers)
	if eval && f.truth != "" {
		file, err := openFile("truth file", f.truth)
		if err != nil {
			return nil, err
		}
		entity, err = readTruthNumbers(bufio.NewReader(file), f.truth, numbers)
		file.Close()
		if err != nil {
			return nil, err
		}
	}
	var opts records.Options
	if f.mapping != "" {
		var err error
		if opts.Mapping, err = records.LoadMapping(f.mapping); err != nil {
			return nil, err
		}
	}
	src, done, err := openInput(env, f.in)
	if err != nil {
		return nil, err
	}
	defer done()
	rd, err := records.NewReader(src, opts)
	if err != nil {
		return nil, err
	}
	b, err := dedupe.NewIndexBuilder(cfg, model)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(f.in); err == nil && st.Mode().IsRegular() {
		// Room for the records a file of this size holds, about one
		// per 128 bytes, so that the index does not grow by copying.
		b.Grow(int(min(st.Size()/128, 1<<30)))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := &dedupeInput{}
	batches := make(chan []steward.Record, 1)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- readRecords(ctx, env, rd, f, eval, truthRE, entity, numbers, ignore, in, batches)
	}()
	var addErr error
	for batch := range batches {
		if addErr == nil {
			if addErr = b.Add(ctx, batch); addErr != nil {
				cancel()
			}
		}
	}
	if err := <-readErr; err != nil {
		return nil, err
	}
	if addErr != nil {
		return nil, addErr
	}
	if in.ix, err = b.Index(ctx); err != nil {
		return nil, err
	}
	return in, nil
}

// readRecords reads rd to its end and sends its records in batches; see
// readDedupeIndex. It fills in's skipped count and truth.
func readRecords(ctx context.Context, env *Env, rd *records.Reader, f dedupeFlags, eval bool, truthRE *regexp.Regexp, entity map[uint64]int32, numbers entityNumbers, ignore []string, in *dedupeInput, batches chan<- []steward.Record) error {
	bar := progress.New("reading", 0, env.Stderr, env.Terminal, env.Logger)
	defer bar.Done()
	col := strings.ToLower(f.truthColumn)
	batch := make([]steward.Record, 0, readBatch)
	n := 0
	for {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		var rowErr *records.RowError
		if errors.As(err, &rowErr) {
			in.skipped++
			if env.Logger != nil {
				env.Logger.Warn("row skipped", "line", rowErr.Line, "row", rowErr.Row, "error", rowErr.Err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", f.in, err)
		}
		n++
		if eval {
			var e int32
			switch {
			case col != "":
				label := rec.Get(col)
				if truthRE != nil {
					m := truthRE.FindStringSubmatch(label)
					if m == nil {
						return steward.Errorf(steward.EINVALID, "record %d: %s %q does not match --truth-regexp", n, col, label)
					}
					label = m[1]
				}
				e = -1 // an empty label is an entity of its own
				if label != "" {
					e = numbers.of(label)
				}
			default:
				var ok bool
				if e, ok = entity[labelHash(rec.SourceID)]; !ok {
					return steward.Errorf(steward.EINVALID, "record id %q is not in %s", rec.SourceID, f.truth)
				}
			}
			in.truth = append(in.truth, e)
		}
		for _, fld := range ignore {
			rec.Set(fld, "")
		}
		batch = append(batch, rec)
		bar.Add(1)
		if len(batch) == readBatch {
			select {
			case batches <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			batch = make([]steward.Record, 0, readBatch)
		}
	}
	if len(batch) > 0 {
		select {
		case batches <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
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

// recordID is record i's id, or its 1-based row number when it has none.
func recordID(res *dedupe.Result, i int) string {
	if id := res.Index.ID(i); id != "" {
		return id
	}
	return strconv.Itoa(i + 1)
}

// writeClusters writes id,cluster_id for every record.
func writeClusters(w io.Writer, res *dedupe.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id", "cluster_id"}); err != nil {
		return err
	}
	for i := range res.Cluster {
		if err := cw.Write([]string{recordID(res, i), recordID(res, int(res.Cluster[i]))}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writePairs writes every kept pair with its explanation: per comparison
// of the model, the level, its weight and the two values compared.
func writePairs(w io.Writer, res *dedupe.Result) error {
	cw := csv.NewWriter(w)
	header := []string{"id_a", "id_b", "probability", "weight"}
	col := make(map[string]int)
	for _, c := range res.Model.Comparisons {
		col[c.Field] = len(header)
		header = append(header, c.Field+"_level", c.Field+"_weight", c.Field+"_a", c.Field+"_b")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for _, p := range res.Pairs {
		for k := range row {
			row[k] = ""
		}
		row[0], row[1] = recordID(res, int(p.A)), recordID(res, int(p.B))
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
			row[k+2], row[k+3] = fw.A, fw.B
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
	fmt.Fprintf(w, "pairs compared   %d (%.2f per record)\n", s.PairsCompared, s.PairsPerRecord)
	fmt.Fprintf(w, "pairs kept       %d (probability ≥ review threshold)\n", s.PairsKept)
	fmt.Fprintf(w, "clusters         %d (two or more records, threshold %g)\n", s.Clusters, s.Threshold)
	fmt.Fprintf(w, "time             %s\n", time.Duration(s.Seconds*float64(time.Second)).Round(time.Millisecond))
	if tr := s.Training; tr != nil {
		if tr.Converged {
			fmt.Fprintf(w, "training         %d candidate pairs, converged in %d iterations\n", tr.CandidatePairs, tr.Iterations)
		} else {
			fmt.Fprintf(w, "training         NOT CONVERGED after %d iterations (%s): the model may be off\n", tr.Iterations, strings.Join(tr.Unconverged, ", "))
		}
	}
	for _, b := range s.Blocks {
		if b.Oversized > 0 {
			fmt.Fprintf(w, "oversized blocks %d of key %s (largest %d records): paired by sorted neighbourhood\n", b.Oversized, b.Key, b.Largest)
		}
	}
	if c := s.Clustering; c.BridgesCut+c.GiantLinksDropped+c.CohesionSplits > 0 {
		fmt.Fprintf(w, "chaining guards  parted %d of %d links: %d weak bridges, %d in giant groups, %d by cohesion; %d strong links parted\n",
			c.BridgesCut+c.GiantLinksDropped+c.CohesionSplits, c.Links, c.BridgesCut, c.GiantLinksDropped, c.CohesionSplits, c.StrongSplit)
	}
	if ev := s.Evaluation; ev != nil {
		fmt.Fprintf(w, "\ntrue pairs       %d\n", ev.TruePairs)
		fmt.Fprintf(w, "precision        %.4f\n", ev.Precision)
		fmt.Fprintf(w, "recall           %.4f\n", ev.Recall)
		fmt.Fprintf(w, "F1               %.4f\n", ev.F1)
		fmt.Fprintf(w, "pairs before clustering: precision %.4f recall %.4f F1 %.4f\n", ev.PairPrecision, ev.PairRecall, ev.PairF1)
		fmt.Fprintf(w, "B-cubed          precision %.4f recall %.4f F1 %.4f\n", ev.BCubedPrecision, ev.BCubedRecall, ev.BCubedF1)
		fmt.Fprintf(w, "adjusted Rand    %.4f\n", ev.AdjustedRand)
		fmt.Fprintf(w, "chaining guards  parted %d links, %d of them one entity; false pairs in clusters: %d linked, %d through others\n",
			ev.LinksSplit, ev.LinksSplitTrue, ev.FalsePairsLinked, ev.FalsePairsChained)
		fmt.Fprintf(w, "blocking recall  %.4f (true pairs compared)\n", ev.BlockingRecall)
		if b := ev.Blocking; b != nil && b.Pairs > 0 {
			fmt.Fprintf(w, "  %-34s %12s %8s\n", "key", "true pairs", "alone")
			for _, k := range b.Keys {
				fmt.Fprintf(w, "  %-34s %12d %8d\n", k.Key, k.Pairs, k.Only)
			}
		}
	}
	return w.Flush()
}

// readTruthNumbers reads a ground-truth file as readTruth does, into the
// entity number (from numbers) of each id's hash.
func readTruthNumbers(r io.Reader, name string, numbers entityNumbers) (map[uint64]int32, error) {
	entity := make(map[uint64]int32)
	err := eachTruth(r, name, func(id, e string) { entity[labelHash(id)] = numbers.of(e) })
	return entity, err
}

// readTruth reads a ground-truth file, "id,entity_id" per line with an
// optional header (steward gen --truth writes one), naming the file in its
// errors.
func readTruth(r io.Reader, name string) (map[string]string, error) {
	entity := make(map[string]string)
	err := eachTruth(r, name, func(id, e string) { entity[id] = e })
	return entity, err
}

// eachTruth calls fn with each id and entity of a ground-truth file.
func eachTruth(r io.Reader, name string, fn func(id, entity string)) error {
	rd := csv.NewReader(r)
	rd.FieldsPerRecord = -1
	rd.ReuseRecord = true
	for line := 1; ; line++ {
		row, err := rd.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return steward.Errorf(steward.EINVALID, "%s: %v", name, err)
		}
		if len(row) < 2 {
			return steward.Errorf(steward.EINVALID, "%s:%d: want id,entity_id", name, line)
		}
		if line == 1 && strings.EqualFold(strings.TrimSpace(row[0]), "id") {
			continue
		}
		fn(strings.TrimSpace(row[0]), strings.TrimSpace(row[1]))
	}
}
