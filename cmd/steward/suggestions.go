package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/merge"
)

const suggestionsUsage = `list [--status S] [--order confident|uncertain] [--min P] [--max P] [--source NAME] [--since DATE] [--limit N] [--after ID] | show ID | decide ID merge|not-duplicate|skip  [--db PATH|URL] [--json]

  list    the review queue: pending suggestions (--status merged, rejected,
          skipped or any for others), most confident first or --order
          uncertain; --after ID continues after the last one shown
  show    one suggestion: the customers side by side (* marks the fields
          where they differ), the evidence pair by pair and field by field,
          the survivor a merge would make, and how to decide
  decide  merge (--members ID,ID to merge some, --keep, --set and --from
          as for steward merge), not-duplicate (--member ID: only that one
          is not the same as the others; remembered until one of them
          changes in a field the matcher compares), or skip

Decisions are labels: the next 'steward run dedupe' learns from them.`

// runSuggestions implements "steward suggestions".
func runSuggestions(ctx context.Context, env *Env, args []string) error {
	sub, args, err := subcommand(env, "suggestions", suggestionsUsage, "run 'steward suggestions list'", args)
	if sub == "" {
		return err
	}
	fs := newFlagSet(env, "suggestions "+sub, "[flags]")
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	status := fs.String("status", "pending", "list: pending, merged, rejected, skipped or any")
	order := fs.String("order", "confident", "list: confident (most probable first) or uncertain")
	minP := fs.Float64("min", 0, "list: lowest probability")
	maxP := fs.Float64("max", 0, "list: highest probability (0: 1)")
	source := fs.String("source", "", "list: only suggestions with a customer from this source system")
	since := fs.String("since", "", "list: only suggestions made since this date (2025-05-01)")
	limit := fs.Int("limit", 20, "list: how many")
	after := fs.Int64("after", 0, "list: continue after this suggestion")
	members := fs.String("members", "", "decide merge: the members to merge, ID,ID (default: all)")
	member := fs.Int64("member", 0, "decide not-duplicate: the one member that is not the same as the others")
	var mf mergeFlags
	addMergeFlags(fs, &mf)
	if err := parseFlags(fs, interleave(args)); err != nil {
		return err
	}
	var id int64
	switch sub {
	case "list":
		if fs.NArg() > 0 {
			return usagef("run 'steward suggestions list -h'", "unexpected argument %q", fs.Arg(0))
		}
	case "show", "decide":
		want := map[string]int{"show": 1, "decide": 2}[sub]
		if fs.NArg() != want {
			return usagef(fmt.Sprintf("run 'steward suggestions %s -h'", sub), "suggestions %s needs %s", sub, map[string]string{"show": "a suggestion id", "decide": "a suggestion id and merge, not-duplicate or skip"}[sub])
		}
		var err error
		if id, err = strconv.ParseInt(fs.Arg(0), 10, 64); err != nil || id <= 0 {
			return usagef("the ids are in 'steward suggestions list'", "%q is not a suggestion id", fs.Arg(0))
		}
	default:
		return usagef("run 'steward suggestions -h'", "unknown suggestions subcommand %q", sub)
	}
	svc, s, err := openMergeService(ctx, env, *db, *rulesPath)
	if err != nil {
		return err
	}
	defer s.Close()
	switch sub {
	case "list":
		f := steward.SuggestionFilter{Status: steward.SuggestionStatus(*status), Order: steward.SuggestionOrder(*order),
			MinProbability: *minP, MaxProbability: *maxP, Source: *source, Limit: *limit, After: *after}
		if f.Status == "any" {
			f.Status = ""
		}
		if *since != "" {
			if f.Since, err = time.Parse(time.DateOnly, *since); err != nil {
				return usagef("write --since as a date, e.g. 2025-05-01", "--since %q is not a date", *since)
			}
		}
		return listSuggestions(ctx, env, s, f, *asJSON)
	case "show":
		return showSuggestion(ctx, env, s, svc, id, *asJSON)
	}
	d := merge.Decision{Member: *member, SurvivorID: *mf.keep}
	switch fs.Arg(1) {
	case "merge":
		d.Action = merge.ActionMerge
		if d.Overrides, err = mf.overrides(); err != nil {
			return err
		}
		for _, m := range strings.FieldsFunc(*members, func(r rune) bool { return r == ',' || r == ' ' }) {
			mid, err := strconv.ParseInt(m, 10, 64)
			if err != nil {
				return usagef("write --members as ids, e.g. --members 12,15", "--members: %q is not a customer id", m)
			}
			d.Members = append(d.Members, mid)
		}
	case "not-duplicate", "not_duplicate":
		d.Action = merge.ActionNotDuplicate
	case "skip":
		d.Action = merge.ActionSkip
	default:
		return usagef("decide merge, not-duplicate or skip", "unknown decision %q", fs.Arg(1))
	}
	var out *merge.Decided
	err = s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		var err error
		if out, err = svc.Decide(ctx, tx, id, d, steward.Meta{Actor: cliActor(env), Cause: "cli"}); err != nil {
			return err
		}
		return audit(ctx, env, tx, "suggestion.decide", fmt.Sprintf("suggestion:%d", id), map[string]any{"action": d.Action})
	})
	if err != nil {
		return mergeError(env, err)
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	fmt.Fprintf(env.Stdout, "suggestion %d: %s\n", id, out.Suggestion.Status)
	if out.Merge != nil {
		printMerged(env.Stdout, out.Merge)
	}
	for _, sg := range out.Suggestions {
		fmt.Fprintf(env.Stdout, "customers %v stay suggested together: suggestion %d\n", sg.CustomerIDs, sg.ID)
	}
	return nil
}

func listSuggestions(ctx context.Context, env *Env, s steward.Store, f steward.SuggestionFilter, asJSON bool) error {
	sgs, err := s.Suggestions(ctx, f)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(sgs)
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tPROBABILITY\tSTATUS\tFROM\tCUSTOMERS")
	for _, sg := range sgs {
		var names []string
		for _, id := range sg.CustomerIDs {
			c, err := s.Customer(ctx, id)
			if err != nil {
				return err
			}
			names = append(names, fmt.Sprintf("%d %s", id, displayName(c)))
		}
		from := ""
		if ev, err := sg.DecodeEvidence(); err == nil {
			from = ev.Producer
		}
		fmt.Fprintf(w, "%d\t%.3f\t%s\t%s\t%s\n", sg.ID, sg.Probability, sg.Status, from, strings.Join(names, "; "))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(sgs) == f.Limit && f.Limit > 0 {
		fmt.Fprintf(env.Stderr, "more: steward suggestions list --after %d\n", sgs[len(sgs)-1].ID)
	}
	return nil
}

// displayName names a customer in a line: name, else company, else email.
func displayName(c *steward.Customer) string {
	n := c.Record.FullName()
	if n == "" {
		n = c.Record.Company
	}
	if n == "" {
		n = c.Record.Email
	}
	if c.Status != steward.StatusActive {
		n += fmt.Sprintf(" (%s%s)", c.Status, mergedInto(c))
	}
	return n
}

// suggestionShown is "suggestions show --json".
type suggestionShown struct {
	Suggestion *steward.Suggestion `json:"suggestion"`
	Evidence   *steward.Evidence   `json:"evidence"`
	Members    []*steward.Customer `json:"members"`
	Proposed   *merge.Plan         `json:"proposed,omitempty"`
}

func showSuggestion(ctx context.Context, env *Env, s steward.Store, svc *merge.Service, id int64, asJSON bool) error {
	sg, err := s.Suggestion(ctx, id)
	if err != nil {
		return err
	}
	v := suggestionShown{Suggestion: sg}
	if v.Evidence, err = sg.DecodeEvidence(); err != nil {
		return err
	}
	var active []int64
	for _, m := range sg.CustomerIDs {
		c, err := s.Customer(ctx, m)
		if err != nil {
			return err
		}
		v.Members = append(v.Members, c)
		if c.Status == steward.StatusActive {
			active = append(active, m)
		}
	}
	if len(active) >= 2 {
		if v.Proposed, err = svc.Preview(ctx, s, merge.Request{CustomerIDs: active}); err != nil {
			return err
		}
	}
	if err := audit(ctx, env, s, "suggestion.read", fmt.Sprintf("suggestion:%d", id), map[string]any{"customers": sg.CustomerIDs}); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(v)
	}
	printSuggestionReview(env.Stdout, &v)
	return nil
}

// printSuggestionReview shows a suggestion for review at a terminal.
func printSuggestionReview(w io.Writer, v *suggestionShown) {
	sg := v.Suggestion
	fmt.Fprintf(w, "suggestion %d: %s, probability %.3f", sg.ID, sg.Status, sg.Probability)
	if v.Evidence.Producer != "" {
		fmt.Fprintf(w, ", from %s", v.Evidence.Producer)
		if v.Evidence.Origin != "" {
			fmt.Fprintf(w, " (%s)", v.Evidence.Origin)
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "  \t")
	for _, c := range v.Members {
		fmt.Fprintf(tw, "customer %d v%d\t", c.ID, c.Version)
	}
	if v.Proposed != nil {
		fmt.Fprint(tw, "merged")
	}
	fmt.Fprintln(tw)
	fields := append([]string{steward.ColumnSource, steward.ColumnID}, steward.CanonicalFields()...)
	seen := map[string]bool{}
	for _, c := range v.Members {
		for _, k := range c.Record.AttributeNames() {
			if !seen[k] {
				seen[k] = true
				fields = append(fields, k)
			}
		}
	}
	for _, f := range fields {
		vals := map[string]bool{}
		empty := true
		for _, c := range v.Members {
			vals[c.Record.Get(f)] = true
			empty = empty && c.Record.Get(f) == ""
		}
		if empty {
			continue
		}
		mark := " "
		if len(vals) > 1 {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s %s\t", mark, f)
		for _, c := range v.Members {
			fmt.Fprintf(tw, "%s\t", c.Record.Get(f))
		}
		if v.Proposed != nil && f != steward.ColumnSource && f != steward.ColumnID {
			fmt.Fprint(tw, v.Proposed.Record.Get(f))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	for _, p := range v.Evidence.Pairs {
		fmt.Fprintf(w, "evidence %d ~ %d: probability %.3f, weight %+.1f (prior %+.1f)\n", p.A, p.B, p.Probability, p.Weight, p.Prior)
		printFieldEvidence(w, "  ", p.Fields)
	}
	if sg.Status != steward.SuggestionPending && sg.Status != steward.SuggestionSkipped {
		return
	}
	fmt.Fprintf(w, "decide:\n  steward suggestions decide %d merge [--keep ID] [--set FIELD=VALUE] [--from FIELD=ID] [--members ID,ID]\n", sg.ID)
	fmt.Fprintf(w, "  steward suggestions decide %d not-duplicate [--member ID]\n  steward suggestions decide %d skip\n", sg.ID, sg.ID)
}

// demoReviewHint tells, at the end of the demo, how to review the
// suggestion sg shown in database db: at the command line, or through
// steward serve.
func demoReviewHint(w io.Writer, db string, sg *steward.Suggestion) {
	fmt.Fprintf(w, "\n   Review it: 'steward suggestions show %d --db %s', then decide with\n"+
		"   'steward suggestions decide %d merge|not-duplicate|skip --db %s' (a merge can be undone:\n"+
		"   'steward unmerge MERGE_ID'). Or serve it to stewards: 'steward users add NAME --role steward\n"+
		"   --db %s', then 'steward serve --db %s' and open http://127.0.0.1:8080/suggestions/%d\n"+
		"   (or GET /api/v1/suggestions/%d).\n", sg.ID, db, sg.ID, db, db, db, sg.ID, sg.ID)
}

// printFieldEvidence writes one line per field of a pair's evidence: the
// field, its weight, how the two values compared in words and, in
// brackets, the level's name that --json and the API give.
func printFieldEvidence(w io.Writer, indent string, fields []steward.FieldEvidence) {
	width := 0
	for _, f := range fields {
		width = max(width, len(f.Field))
	}
	for _, f := range fields {
		fmt.Fprintf(w, "%s%-*s %6s  %s [%s]\n", indent, width, f.Field, fmt.Sprintf("%+.1f", f.Weight), dedupe.LevelText(f.Field, f.Level), f.Level)
	}
}
