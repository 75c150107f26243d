package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
	"github.com/steward-crm/steward/internal/importer"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/store/sqlite"
)

const importUsage = `FILE [--source NAME] [flags]

Imports a file of customers through the validation gate. FILE is CSV or
TSV (delimiter detected, or named with --delimiter), JSON Lines or XLSX, in UTF-8, UTF-16 (with a byte
order mark), Windows-1256 or Windows-1252 (detected, or named with
--encoding). Columns without canonical names are matched to canonical
ones by their names (English and Persian: E-mail Address, Zip, موبایل …)
and by the values of the first rows, and the matching is printed before
the summary (run with --dry-run to see it before anything is written);
--write-mapping saves it as a mapping file, --mapping reads one, and
--no-infer keeps such columns as attributes. Every row is standardized, validated and checked for
duplicates against the database and the file's earlier rows. Invalid rows
are rejected: --rejects writes them as they were read, one line each, with
the line of the input and the reasons, so that the file can be fixed in a
spreadsheet and imported again (steward_… columns are ignored on import).
A row whose (source, id) is known updates that customer, so importing the
same file again changes nothing. The database gets all rows or none: an
unreadable file, an interruption or a crash leaves it as it was. The rules
file (--rules) sets the checks, the duplicate action, the automatic-merge
threshold and the limits; flags override it.

Exit status: 0 when every row was accepted, 1 when rows were rejected or
blocked (the others are in), 6 when the file cannot be read as a whole
(nothing was imported), 2 on a bad command line; see the README.`

// importJSON is the --json output: the gate's summary and the reports.
type importJSON struct {
	*importer.Summary
	RejectsFile   string `json:"rejects_file,omitempty"`
	AnnotatedFile string `json:"annotated_file,omitempty"`
	FindingsFile  string `json:"findings_file,omitempty"`
}

// runImport implements "steward import".
func runImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "import", importUsage)
	source := fs.String("source", "", "name of the system the file comes from (with each row's id it identifies the row); without it, each row's source column names it")
	mappingFile := fs.String("mapping", "", "mapping file for a file whose columns are not canonical (default: match them by name and content)")
	writeMapping := fs.String("write-mapping", "", "save the columns' matching as a mapping file, to check, edit and import with --mapping")
	noInfer := fs.Bool("no-infer", false, "do not match columns without canonical names: keep them as attributes")
	db := dbFlag(fs)
	dryRun := fs.Bool("dry-run", false, "run everything and report, but write nothing to the database")
	rejectsFile := fs.String("rejects", "", "write the rejected rows to this CSV file, as read, with steward_line and steward_errors: fix them and import the file again")
	annotatedFile := fs.String("annotated", "", "write a copy of the input with steward_status, steward_code, steward_message and steward_matched_id columns")
	findingsFile := fs.String("findings", "", "write every finding of every row to this CSV file, one line per finding")
	rulesPath := rulesFlag(fs)
	onDup := fs.String("on-duplicate", "", "what to do with a row that looks like a customer: suggest, hold, block or merge (default: the rules file's gate.on_duplicate)")
	mergeAt := fs.Float64("merge-threshold", 0, "match probability from which --on-duplicate merge merges (default: matching.auto_merge.threshold when enabled, else never: suggest instead)")
	encName := fs.String("encoding", "", "text encoding: utf-8, utf-16, utf-16le, utf-16be, windows-1256, windows-1252 (default: detect)")
	formatName := fs.String("format", "", "file format: csv, tsv, jsonl, xlsx (default: from the name and content)")
	delimName := fs.String("delimiter", "", "field separator of a CSV file: comma, tab, semicolon, pipe or the character (default: detect comma, tab or semicolon)")
	sheet := fs.String("sheet", "", "worksheet of an XLSX file (default: the first)")
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country of rows without one, e.g. IR (default: the rules file's defaults.country)")
	var limits records.Limits
	fs.Int64Var(&limits.MaxFileBytes, "max-file-bytes", 0, "largest file accepted, in bytes (default: gate.limits.max_file_bytes)")
	fs.IntVar(&limits.MaxRowBytes, "max-row-bytes", 0, "longest row accepted, in bytes (default: gate.limits.max_row_bytes)")
	fs.IntVar(&limits.MaxFields, "max-fields", 0, "most columns accepted (default: gate.limits.max_fields)")
	fs.IntVar(&limits.MaxRowLines, "max-row-lines", 0, "most lines one row may span (default: gate.limits.max_row_lines)")
	indexCache := fs.String("index-cache", "", indexCacheUsage)
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	dateOrder := fs.String("date-order", "", "how to read dates like 03/04/1980: dmy, mdy or reject (default: the rules file's defaults.date_order)")
	memoryLimit := fs.String("memory-limit", "", memoryLimitUsage)
	raw := fs.Bool("raw", false, "reports: write values exactly as read; by default a value a spreadsheet would run as a formula (=, +, -, @ …) gets a leading apostrophe")
	file, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if file == "" {
		return usagef("steward import customers.csv --source shop", "name the file to import")
	}
	rf, err := loadRules(env, *rulesPath)
	if err != nil {
		return err
	}
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	policy, err := gatePolicy(rf, *country)
	if err != nil {
		return err
	}
	if *dateOrder != "" {
		if policy.Cleanse.DateOrder, err = cleanse.ParseDateOrder(*dateOrder); err != nil {
			return usagef("use --date-order dmy, mdy or reject", "--date-order: %v", err)
		}
	}
	opts := importer.Options{
		Source:      *source,
		FileOptions: records.FileOptions{Name: filepath.Base(file), Sheet: *sheet, Limits: records.Limits{MaxFileBytes: int64(rf.Gate.Limits.MaxFileBytes), MaxRowBytes: int(rf.Gate.Limits.MaxRowBytes), MaxFields: rf.Gate.Limits.MaxFields, MaxRowLines: rf.Gate.Limits.MaxRowLines, MaxUnpackRatio: rf.Gate.Limits.MaxUnpackRatio}},
		Policy:      policy,
		Matching:    rf.DedupeConfig(),
		DryRun:      *dryRun,
		Logger:      envLogger(env),
		Actor:       cliActor(env),
	}
	if set["max-file-bytes"] {
		opts.Limits.MaxFileBytes = limits.MaxFileBytes
	}
	if set["max-row-bytes"] {
		opts.Limits.MaxRowBytes = limits.MaxRowBytes
	}
	if set["max-fields"] {
		opts.Limits.MaxFields = limits.MaxFields
	}
	if set["max-row-lines"] {
		opts.Limits.MaxRowLines = limits.MaxRowLines
	}
	if set["merge-threshold"] {
		opts.AutoMergeThreshold = *mergeAt
	}
	if *onDup == "" {
		*onDup = string(rf.Gate.OnDuplicate)
	}
	if opts.OnDuplicate, err = steward.ParseDuplicateAction(*onDup); err != nil {
		return usagef("use suggest, hold, block or merge", "--on-duplicate: %s", steward.ErrorMessage(err))
	}
	if opts.OnDuplicate == steward.DuplicateMerge && opts.AutoMergeThreshold <= 0 {
		return usagef("turn automatic merging on in the rules file (matching.auto_merge: {enabled: true, threshold: 0.99}) or give --merge-threshold P",
			"--on-duplicate merge would merge nothing: automatic merging is off")
	}
	if opts.Encoding, err = records.ParseEncoding(*encName); err != nil {
		return usagef("use utf-8, utf-16, utf-16le, utf-16be, windows-1256 or windows-1252", "--encoding: %s", steward.ErrorMessage(err))
	}
	if opts.Format, err = records.ParseFormat(*formatName); err != nil {
		return usagef("use csv, tsv, jsonl or xlsx", "--format: %s", steward.ErrorMessage(err))
	}
	if opts.Delimiter, err = records.ParseDelimiter(*delimName); err != nil {
		return usagef("use comma, tab, semicolon, pipe or one punctuation character", "--delimiter: %s", steward.ErrorMessage(err))
	}
	switch {
	case *writeMapping != "" && *mappingFile != "":
		return usagef("--write-mapping saves the matching steward infers; with --mapping, the mapping file is that already", "--write-mapping and --mapping together")
	case *writeMapping != "" && *noInfer:
		return usagef("drop --no-infer to have the columns matched and saved", "--write-mapping and --no-infer together")
	case *mappingFile != "":
		if opts.Mapping, err = records.LoadMapping(*mappingFile); err != nil {
			return err
		}
	case !*noInfer:
		opts.Infer = &records.InferOptions{DefaultCountry: policy.Cleanse.DefaultCountry, Always: *writeMapping != ""}
	}

	in, err := openFile("input file", file)
	if err != nil {
		return err
	}
	defer in.Close()
	var size int64
	if fi, err := in.Stat(); err == nil {
		size = fi.Size()
	}
	if opts.Limits.MaxFileBytes > 0 && size > opts.Limits.MaxFileBytes {
		return &refusedError{steward.Errorf(steward.EINVALID, "%s is %d bytes, more than the limit of %d (--max-file-bytes); nothing was imported",
			file, size, opts.Limits.MaxFileBytes)}
	}

	reports := &reportFiles{}
	defer reports.abort()
	if opts.Rejects, err = reports.create(env, *rejectsFile); err != nil {
		return err
	}
	if opts.Annotated, err = reports.create(env, *annotatedFile); err != nil {
		return err
	}
	if opts.Findings, err = reports.create(env, *findingsFile); err != nil {
		return err
	}
	// The mapping file is made now, so that a path it cannot have stops
	// the import before it starts; it is written once the file is read.
	mapOut, err := reports.create(env, *writeMapping)
	if err != nil {
		return err
	}

	opts.ReportsWritten = reports.sync
	opts.RawReports = *raw

	// A dry run creates nothing: into a database that does not exist yet,
	// it imports into an empty one of its own, thrown away afterwards.
	dsn := *db
	cachePath := indexCachePath(env, *db, *indexCache)
	if *dryRun && store.KindOf(dbDSN(env, dsn)) == store.SQLite {
		if _, err := os.Stat(store.SQLitePath(dbDSN(env, dsn))); errors.Is(err, os.ErrNotExist) {
			tmp, err := os.MkdirTemp("", "steward-dry-run-")
			if err != nil {
				return fmt.Errorf("dry run: %w", err)
			}
			defer os.RemoveAll(tmp)
			dsn, cachePath = filepath.Join(tmp, "dry-run.db"), ""
		}
	}
	limit, err := importMemoryLimit(*memoryLimit, env.Getenv)
	if err != nil {
		return usagef("--memory-limit takes a size such as 1500MiB or 2GiB, or off", "%s", steward.ErrorMessage(err))
	}
	var sqliteOpts []sqlite.Option
	goLimit := limit
	if limit > 0 && store.KindOf(dbDSN(env, dsn)) == store.SQLite {
		cache := sqliteCacheFor(limit)
		sqliteOpts = append(sqliteOpts, sqlite.CacheSize(cache))
		goLimit = max(limit-cache, limit/2)
	}
	setGoMemoryLimit(goLimit)
	st, err := openStoreWith(ctx, env, dsn, mayCreate, sqliteOpts...)
	if err != nil {
		return err
	}
	defer st.Close()

	opts.IndexCache = cachePath
	if opts.SuppressionKeys, err = existingSuppressionKeys(env, dsn); err != nil {
		return err
	}
	sc, err := currentModel(ctx, env, st)
	if err != nil {
		return err
	}
	opts.Model, opts.ModelID = sc.Model, sc.ID()
	// The bar shows the bytes read and checked, then the rows written.
	opts.Progress = progress.New("read", size, env.Stderr, env.Terminal, envLogger(env)).InBytes()
	sum, err := importer.Import(ctx, st, &countingReader{r: in, bar: opts.Progress}, opts)
	if errors.Is(err, importer.ErrNoSourceColumn) {
		return usagef("name the system the file comes from, e.g. --source shop", "%s has no source column: --source is needed", filepath.Base(file))
	}
	if steward.ErrorCode(err) == steward.EINVALID {
		return &refusedError{err}
	}
	if errors.Is(err, context.Canceled) {
		return &interruptedError{err, "nothing was imported (an import is all or nothing); run the same command again to import the file"}
	}
	if err != nil {
		return err
	}
	if mapOut != nil && sum.Columns != nil {
		comment := fmt.Sprintf("Mapping of %s's columns, as steward matched them from its header and first %d rows.\n"+
			"Check it (and edit it), then: steward import %s --source %s --mapping %s",
			filepath.Base(file), sum.Columns.Rows, filepath.Base(file), *source, filepath.Base(*writeMapping))
		if _, err := mapOut.Write(sum.Columns.Mapping().Marshal(comment)); err != nil {
			return fmt.Errorf("the import is in the database, but writing %s failed: %w", *writeMapping, err)
		}
	}
	if err := reports.commit(); err != nil {
		// The import is in; its reports are complete under their
		// temporary names, which the message names.
		return fmt.Errorf("the import is in the database, but %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		if err := enc.Encode(importJSON{Summary: sum, RejectsFile: *rejectsFile, AnnotatedFile: *annotatedFile, FindingsFile: *findingsFile}); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
	} else {
		printImportSummary(env.Stdout, sum, *rejectsFile, *writeMapping)
	}
	if n := sum.Codes[importer.CodeSourceMissing]; n > 0 && *source == "" && !*asJSON {
		fmt.Fprintf(env.Stderr, "hint: %s no source system: import the file with --source NAME (the system it comes from)\n", counted(n, "row names", "rows name"))
	}
	if sum.Rejected+sum.Blocked > 0 {
		return errFindings
	}
	return nil
}

// parseInterleaved parses flags before and after the one positional
// argument, so that "import FILE --source x" works as well as
// "import --source x FILE", and returns the positional argument.
func parseInterleaved(fs *flag.FlagSet, args []string) (string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return "", err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	switch len(pos) {
	case 0:
		return "", nil
	case 1:
		return pos[0], nil
	}
	return "", usagef("import one file at a time", "unexpected arguments: %s", strings.Join(pos[1:], " "))
}

// reportFiles are the report files of one import: written to temporary
// files next to their destination and renamed into place only when the
// import succeeds.
type reportFiles struct {
	outs []*outputFile
}

func (r *reportFiles) create(env *Env, path string) (io.Writer, error) {
	if path == "" {
		return nil, nil
	}
	o, err := createOutput(env, path)
	if err != nil {
		return nil, fmt.Errorf("create report: %w", err)
	}
	r.outs = append(r.outs, o)
	return o.w, nil
}

// sync makes the reports durable under their temporary names, before the
// import commits.
func (r *reportFiles) sync() error {
	for _, o := range r.outs {
		if err := o.sync(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	return nil
}

func (r *reportFiles) commit() error {
	for _, o := range r.outs {
		if err := o.commit(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	return nil
}

func (r *reportFiles) abort() {
	for _, o := range r.outs {
		o.abort()
	}
}

func printImportSummary(w io.Writer, s *importer.Summary, rejectsFile, writeMapping string) {
	onDup := s.OnDuplicate
	if s.Columns != nil {
		fmt.Fprintf(w, "columns of %s, matched by name and by the values of the first %d rows:\n", s.File, s.Columns.Rows)
		s.Columns.Report(w, "  ")
		if writeMapping != "" {
			fmt.Fprintf(w, "  saved in %s: check it, then import with --mapping %s\n", writeMapping, writeMapping)
		} else {
			fmt.Fprintf(w, "  --write-mapping FILE saves this to check and edit, --mapping FILE imports with it, --no-infer keeps such columns as attributes\n")
		}
	}
	source := "source " + s.Source
	switch {
	case len(s.Sources) > 0:
		source = "sources named by the rows: " + strings.Join(s.Sources, ", ")
		if s.MoreSources {
			source += " and others"
		}
	case s.Source == importer.SourceNone:
		source = "no source named"
	}
	fmt.Fprintf(w, "%s (%s, %s), %s: %s\n", s.File, s.Format, s.Encoding, source, counted(s.Rows, "row"))
	if s.EncodingReason != "" && s.EncodingReason != "named" && s.EncodingReason != "plain ASCII" {
		fmt.Fprintf(w, "  encoding   %s: %s\n", s.Encoding, s.EncodingReason)
	}
	if s.DryRun && len(s.Samples) > 0 {
		fmt.Fprintf(w, "  read as    %s  (if these look garbled, name the encoding with --encoding)\n", strings.Join(s.Samples, " | "))
	}
	held := ""
	if s.Held > 0 {
		held = fmt.Sprintf(", held %d", s.Held)
	}
	fmt.Fprintf(w, "  accepted   %d (created %d%s, updated %d, unchanged %d, merged %d)\n", s.Accepted, s.Created, held, s.Updated, s.Unchanged, s.Merged)
	fmt.Fprintf(w, "  rejected   %s (invalid: not imported)\n", counted(s.Rejected, "row"))
	if s.Blocked > 0 {
		fmt.Fprintf(w, "  blocked    %s looked like customers already stored, or like earlier rows, and were not imported\n", counted(s.Blocked, "row"))
	}
	switch {
	case s.Duplicates == 0:
		fmt.Fprintf(w, "  duplicates none suspected\n")
	case onDup == steward.DuplicateMerge:
		fmt.Fprintf(w, "  duplicates %s looked like customers: %d merged into them, the others stored as new customers with %d merge suggestions for a steward\n",
			counted(s.Duplicates, "row"), s.Merged, s.Suggestions)
	case onDup == steward.DuplicateHold:
		fmt.Fprintf(w, "  duplicates %s like customers already stored, or like earlier rows: %d were stored held (not active, not exported, not sent to) until a steward decides their %d merge suggestions\n",
			counted(s.Duplicates, "row looks", "rows look"), s.Held, s.Suggestions)
	case onDup != steward.DuplicateBlock:
		fmt.Fprintf(w, "  duplicates %s like customers already stored, or like earlier rows: they were stored as new customers, with %d merge suggestions for a steward to decide\n",
			counted(s.Duplicates, "row looks", "rows look"), s.Suggestions)
	}
	if s.Warnings > 0 {
		fmt.Fprintf(w, "  warnings   %s with findings\n", counted(s.Warnings, "accepted row"))
	}
	if len(s.Dropped) > 0 {
		fmt.Fprintf(w, "  dropped    %s (invalid values left out of accepted rows; --findings FILE lists them)\n", countsByName(s.Dropped))
	}
	if s.Suppressed > 0 {
		fmt.Fprintf(w, "  suppressed %s with an address that is suppressed: they are in, and their addresses stay suppressed\n", counted(s.Suppressed, "row"))
	}
	if len(s.Codes) > 0 {
		fmt.Fprintf(w, "  by code    %s\n", countsByName(s.Codes))
	}
	if rejectsFile != "" && s.Rejected+s.Blocked > 0 {
		fmt.Fprintf(w, "  rejects in %s (fix them there and import that file again)\n", rejectsFile)
	} else if len(s.FirstRejected) > 0 {
		fmt.Fprintf(w, "  not imported:\n")
		for _, r := range s.FirstRejected {
			id := ""
			if r.ID != "" && !strings.HasPrefix(r.ID, "content:") {
				id = " (id " + r.ID + ")"
			}
			fmt.Fprintf(w, "    line %d%s: %s\n", r.Line, id, strings.Join(r.Reasons, "; "))
		}
		if more := s.Rejected + s.Blocked - len(s.FirstRejected); more > 0 {
			fmt.Fprintf(w, "    … and %d more rows; --rejects FILE writes them all, ready to fix and import again\n", more)
		}
	}
	if s.DryRun {
		fmt.Fprintln(w, "  dry run: the database was not changed")
	}
}

// countsByName writes counts as "a 3, b 1", the largest first.
func countsByName(counts map[string]int) string {
	names := make([]string, 0, len(counts))
	for c := range counts {
		names = append(names, c)
	}
	sort.Slice(names, func(i, j int) bool {
		if counts[names[i]] != counts[names[j]] {
			return counts[names[i]] > counts[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, c := range names {
		parts[i] = fmt.Sprintf("%s %d", c, counts[c])
	}
	return strings.Join(parts, ", ")
}

// countingReader counts the bytes read on a progress bar.
type countingReader struct {
	r   io.Reader
	bar *progress.Bar
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.bar.Add(int64(n))
	return n, err
}
