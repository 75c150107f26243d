package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gen"
	"github.com/steward-crm/steward/internal/importer"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/rules"
)

const demoUsage = `[--n N] [--seed S] [--db FILE]

Generates N synthetic customers (Persian and Latin, with realistic
duplicates), loads them into a fresh SQLite database, runs the cleanup jobs
(standardize, verify-emails offline, dedupe) and explains what each found,
checking the duplicates against the generator's ground truth.`

// demoDB is the demo's own database file, replaced on every run.
const demoDB = "steward-demo.db"

// runDemo is "steward demo".
func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "demo", demoUsage)
	n := fs.Int("n", 3000, "customers to generate")
	seed := fs.Uint64("seed", 1, "random seed")
	db := fs.String("db", demoDB, "SQLite file to create (it must not exist, except the demo's own "+demoDB+", which is replaced)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 10 || *n > 200_000 {
		return usagef("try --n 3000", "--n %d: the demo takes 10 to 200,000 customers", *n)
	}
	if strings.Contains(*db, "://") {
		return usagef("give a file name", "the demo makes a fresh SQLite file; it never touches a server database")
	}
	if err := freshDemoDB(*db); err != nil {
		return err
	}
	// The demo explains itself on stdout; the jobs' own logs would only
	// repeat it, so only warnings reach stderr.
	quiet := *env
	quiet.Logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	env = &quiet
	w := env.Stdout
	fmt.Fprintf(w, "steward demo: %d generated customers in %s\n\n", *n, *db)

	// 1. Generate.
	start := time.Now()
	var data, truth bytes.Buffer
	if err := gen.Generate(ctx, gen.Options{N: *n, Seed: *seed, DupRate: gen.DefaultDupRate}, &data, &truth, nil); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	entity, err := readTruth(&truth, "the generated truth")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "1. Generated %d customers in %s: Iranian, US, UK and Australian people and companies,\n"+
		"   in Persian and Latin script; about %.0f%% of people were entered 2-4 times, with typos,\n"+
		"   nicknames, Arabic letter forms, Persian digits, transliterations and moved addresses.\n\n",
		*n, since(start), gen.DefaultDupRate*100)

	// 2. Load the legacy part as a CRM holds it today; keep the rest as a
	// new file for the gate.
	legacy, shop, err := splitDemo(&data, *n*4/5)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, env, *db, mayCreate)
	if err != nil {
		return err
	}
	defer st.Close()
	loaded, err := loadDemo(ctx, st, legacy)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "2. Loaded %d of them into %s (embedded SQLite) as a CRM holds them today: unchecked.\n"+
		"   The other %d wait as a new file from the web shop.\n\n", loaded, *db, *n-loaded)

	// 3-5. The nightly jobs.
	r := rules.Default()
	runner := &jobs.Runner{Store: st, Logger: envLogger(env), StaleAfter: staleRunAfter}
	start = time.Now()
	std, err := runner.Start(ctx, &jobs.Standardize{Options: r.CleanseOptions()}, jobs.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "3. Standardized every customer in %s: %d of %d changed, %d fields fixed, %d values flagged\n"+
		"   and kept as written (invalid phones, ambiguous dates). Every change is in the audit trail\n"+
		"   with its original value. For example:\n", since(start), std.Counts["changed"], std.Counts["customers"], std.Counts["fixes"], std.Counts["flags"])
	if err := printExampleChanges(ctx, env, st, std, 6); err != nil {
		return err
	}

	verifier, err := emailVerifier(r, true, "")
	if err != nil {
		return err
	}
	start = time.Now()
	ver, err := runner.Start(ctx, &jobs.VerifyEmails{Verifier: verifier, Window: r.EmailVerification.Window}, jobs.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n4. Verified %d email addresses in %s (offline: syntax, disposable, role and free-mail\n"+
		"   lists, typo suggestions; 'steward run verify-emails' also asks DNS): %d valid, %d risky, %d invalid.\n\n",
		ver.Counts["checked"], since(start), ver.Counts["valid"], ver.Counts["risky"], ver.Counts["invalid"])

	start = time.Now()
	policy, err := gatePolicy(r, "")
	if err != nil {
		return err
	}
	policy.OnDuplicate = steward.DuplicateSuggest
	sc, err := currentModel(ctx, env, st)
	if err != nil {
		return err
	}
	sum, err := importer.Import(ctx, st, bytes.NewReader(shop), importer.Options{Policy: policy, FileOptions: records.FileOptions{Name: "shop.csv"},
		Source: "shop", Matching: r.DedupeConfig(), Model: sc.Model, ModelID: sc.ID(), Logger: env.Logger})
	if err != nil {
		return fmt.Errorf("import the shop file: %w", err)
	}
	fmt.Fprintf(w, "5. Imported the web shop's file through the validation gate in %s: %d rows, %d accepted,\n"+
		"   %d rejected with reasons. %d rows look like customers already stored, or like earlier\n"+
		"   rows: they were stored, and %d merge suggestions wait for a steward's decision\n"+
		"   (--on-duplicate hold keeps them out of exports and mailings until decided; block\n"+
		"   does not store them at all).\n",
		since(start), sum.Rows, sum.Accepted, sum.Rejected, sum.Duplicates, sum.Suggestions)
	for _, code := range slices.Sorted(maps.Keys(sum.RejectedBy)) {
		fmt.Fprintf(w, "     rows rejected for %-28s %d\n", code, sum.RejectedBy[code])
	}
	fmt.Fprintln(w)

	start = time.Now()
	dd, err := runner.Start(ctx, &jobs.Dedupe{Config: r.DedupeConfig(), RetrainAfter: r.Matching.RetrainAfter, RetrainAfterDecisions: r.Matching.RetrainAfterDecisions}, jobs.Options{})
	if err != nil {
		return err
	}
	pending, err := st.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending})
	if err != nil {
		return err
	}
	q, err := scoreSuggestions(ctx, st, pending, entity)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "6. Found duplicates in %s: %d pairs compared, %d merge suggestions now wait for a data\n"+
		"   steward. Against the generator's ground truth the suggested pairs have precision %.3f\n"+
		"   and recall %.3f (F1 %.3f).\n", since(start), dd.Counts["pairs_compared"], len(pending), q.precision, q.recall, q.f1())
	if sg, err := instructive(ctx, st, pending); err != nil {
		return err
	} else if sg != nil {
		if err := printSuggestion(ctx, env, st, sg); err != nil {
			return err
		}
		demoReviewHint(w, *db, sg) // how to review it: suggestions.go
	}
	fmt.Fprintf(w, "\nNext: export the clean data with 'steward export --db %s --out clean.csv',\n"+
		"run the jobs again with 'steward run nightly --db %s' (nothing changes the second time),\n"+
		"or measure the matcher with 'steward dedupe eval'. See README.md for every command.\n", *db, *db)
	return nil
}

// freshDemoDB removes the demo's own database, and refuses to touch any
// other existing file.
func freshDemoDB(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if path != demoDB {
		return usagef("name a new file, or leave --db out to use "+demoDB, "%s exists; the demo only creates fresh databases", path)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove old demo database: %w", err)
		}
	}
	return nil
}

func since(t time.Time) string { return time.Since(t).Round(time.Millisecond).String() }

// splitDemo cuts the generated CSV after its first n records: the header
// and those records, and the header and the rest.
func splitDemo(data *bytes.Buffer, n int) (first, rest []byte, err error) {
	b := data.Bytes()
	header := bytes.IndexByte(b, '\n') + 1
	cut := header
	for i := 0; i < n; i++ {
		next := bytes.IndexByte(b[cut:], '\n')
		if next < 0 {
			return nil, nil, errors.New("split generated file: fewer records than asked for")
		}
		cut += next + 1
	}
	rest = append(slices.Clip(b[:header]), b[cut:]...)
	return b[:cut], rest, nil
}

// loadDemo stores the generated customers as they come, as a legacy
// database holds them, without the gate.
func loadDemo(ctx context.Context, st steward.Store, data []byte) (int, error) {
	rd, err := records.NewReader(bytes.NewReader(data), records.Options{})
	if err != nil {
		return 0, err
	}
	var cs []*steward.Customer
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return 0, err
		}
		rec.Source = "legacy"
		cs = append(cs, &steward.Customer{Record: rec})
	}
	if err := st.CreateCustomers(ctx, cs, steward.Meta{Actor: "demo", Cause: "demo"}); err != nil {
		return 0, fmt.Errorf("store customers: %w", err)
	}
	return len(cs), nil
}

// printExampleChanges shows up to max standardization changes of the run,
// one per field, from the audit trail.
func printExampleChanges(ctx context.Context, env *Env, st steward.Store, run *steward.JobRun, max int) error {
	cause := fmt.Sprintf("job:%s:%d", run.Job, run.ID)
	seen := make(map[string]bool)
	shown := 0
	errStop := errors.New("stop")
	err := st.EachCustomer(ctx, steward.CustomerFilter{}, func(c *steward.Customer) error {
		changes, err := st.Changes(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, ch := range changes {
			if ch.Cause != cause || seen[ch.Field] || ch.Before == "" {
				continue
			}
			seen[ch.Field] = true
			fmt.Fprintf(env.Stdout, "     %-14s %q → %q\n", ch.Field, ch.Before, ch.After)
			if shown++; shown == max {
				return errStop
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	return nil
}

// pairQuality is pairwise precision and recall of suggestions.
type pairQuality struct{ precision, recall float64 }

func (q pairQuality) f1() float64 {
	if q.precision+q.recall == 0 {
		return 0
	}
	return 2 * q.precision * q.recall / (q.precision + q.recall)
}

// scoreSuggestions compares the suggested pairs with the ground truth of
// the stored customers.
func scoreSuggestions(ctx context.Context, st steward.Store, sgs []*steward.Suggestion, entity map[string]string) (pairQuality, error) {
	entityOf := make(map[int64]string)
	size := make(map[string]int)
	err := st.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		e := entity[c.Record.SourceID]
		entityOf[c.ID] = e
		size[e]++
		return nil
	})
	if err != nil {
		return pairQuality{}, err
	}
	var truePairs int
	for _, k := range size {
		truePairs += k * (k - 1) / 2
	}
	// A pair may be in several suggestions (one from the gate, one from
	// the nightly clusters): count each pair once.
	pairs := make(map[steward.Pair]bool)
	for _, sg := range sgs {
		for i := range sg.CustomerIDs {
			for k := i + 1; k < len(sg.CustomerIDs); k++ {
				pairs[steward.NewPair(sg.CustomerIDs[i], sg.CustomerIDs[k])] = true
			}
		}
	}
	suggested, right := len(pairs), 0
	for p := range pairs {
		if entityOf[p.A] == entityOf[p.B] {
			right++
		}
	}
	var q pairQuality
	if suggested > 0 {
		q.precision = float64(right) / float64(suggested)
	}
	if truePairs > 0 {
		q.recall = float64(right) / float64(truePairs)
	}
	return q, nil
}

// demoFields are the fields the demo shows side by side.
var demoFields = []string{steward.FieldFirstName, steward.FieldLastName, steward.FieldEmail, steward.FieldPhone, steward.FieldAddressLine1, steward.FieldCity, steward.FieldBirthDate}

// instructive picks, among the first pending suggestions of two
// customers, the one whose customers differ in the most fields both have
// (a typo, a transliteration, another phone): the kind a person would
// miss and the matcher did not.
func instructive(ctx context.Context, st steward.Store, pending []*steward.Suggestion) (*steward.Suggestion, error) {
	var best *steward.Suggestion
	bestScore := -1
	for i, sg := range pending {
		if i == 300 {
			break
		}
		if len(sg.CustomerIDs) != 2 {
			continue
		}
		a, err := st.Customer(ctx, sg.CustomerIDs[0])
		if err != nil {
			return nil, err
		}
		b, err := st.Customer(ctx, sg.CustomerIDs[1])
		if err != nil {
			return nil, err
		}
		score := 0
		for _, f := range demoFields {
			if x, y := a.Record.Get(f), b.Record.Get(f); x != "" && y != "" && x != y {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = sg, score
		}
	}
	return best, nil
}

// printSuggestion shows one suggestion's customers side by side with the
// evidence of its strongest pair.
func printSuggestion(ctx context.Context, env *Env, st steward.Store, sg *steward.Suggestion) error {
	w := env.Stdout
	fmt.Fprintf(w, "\n   One of them (probability %.3f), with what each field adds to the match (bits):\n", sg.Probability)
	var cs []*steward.Customer
	for _, id := range sg.CustomerIDs {
		c, err := st.Customer(ctx, id)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	for _, f := range demoFields {
		fmt.Fprintf(w, "     %-14s", f)
		for _, c := range cs {
			fmt.Fprintf(w, " | %-28s", truncate(c.Record.Get(f), 28))
		}
		fmt.Fprintln(w)
	}
	ev, err := sg.DecodeEvidence()
	if err != nil || len(ev.Pairs) == 0 {
		return err
	}
	p := ev.Pairs[0]
	fmt.Fprintf(w, "     why: the prior %+.1f (how rare a duplicate is among pairs like it), then each field:\n", p.Prior)
	printFieldEvidence(w, "       ", p.Fields)
	fmt.Fprintf(w, "     total %+.1f\n", p.Weight)
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
