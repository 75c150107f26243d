package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/merge"
)

const evalDecisionsUsage = `--decisions [--db PATH|URL] [--rules FILE] [--threshold P] [--json]

Measures the matcher on the pairs stewards decided: every pair of
customers merged together (as they were before the merge) is a match,
every pair marked not a duplicate (and not cleared since) is not. Each
pair is scored with the database's matching model under the rules'
blocking keys; at the threshold (default: the rules' review threshold)
the precision is the share of the pairs it would suggest that stewards
merged, the recall the share of merged pairs it would suggest.`

// runEvalDecisions implements "steward dedupe eval --decisions".
func runEvalDecisions(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "dedupe eval --decisions", evalDecisionsUsage)
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	threshold := fs.Float64("threshold", 0, "the probability from which a pair is suggested (default: the rules' review threshold)")
	asJSON := fs.Bool("json", false, "print the measures as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run 'steward dedupe eval --decisions -h'", "unexpected argument %q", fs.Arg(0))
	}
	if *threshold < 0 || *threshold > 1 {
		return usagef("give --threshold between 0 and 1", "--threshold %g is not a probability", *threshold)
	}
	rf, err := loadRules(env, *rulesPath)
	if err != nil {
		return err
	}
	s, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer s.Close()
	labels, err := merge.Labels(ctx, s)
	if err != nil {
		return err
	}
	scorer, note, err := matchindex.CurrentModel(ctx, s)
	if err != nil {
		return err
	}
	if note != "" {
		envLogger(env).Warn(note)
	}
	cfg := rf.DedupeConfig()
	if *threshold > 0 {
		cfg.Threshold = *threshold
	}
	ev, err := merge.EvalDecisions(ctx, labels, cfg, scorer.Model)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(ev)
	}
	printDecisionEval(env.Stdout, ev, scorer)
	return nil
}

func printDecisionEval(w io.Writer, ev *merge.DecisionEval, scorer matchindex.Scorer) {
	model := "the built-in model"
	if scorer.Stored != nil {
		model = fmt.Sprintf("model %d (%s)", scorer.Stored.ID, scorer.Stored.TrainedAt.Format("2006-01-02"))
	}
	fmt.Fprintf(w, "decided pairs: %d merged, %d not duplicates; scored with %s\n", ev.Matches, ev.NonMatches, model)
	if ev.Matches+ev.NonMatches == 0 {
		fmt.Fprintln(w, "no decisions yet: merge or mark suggestions (steward suggestions decide) and measure again")
		return
	}
	fmt.Fprintf(w, "at threshold %.2f the matcher suggests %d of them: precision %.3f (%d merged, %d not duplicates), recall %.3f (%d merged pairs it would not suggest)\n",
		ev.Threshold, ev.TruePositives+ev.FalsePositives, ev.Precision, ev.TruePositives, ev.FalsePositives, ev.Recall, ev.FalseNegatives)
}
