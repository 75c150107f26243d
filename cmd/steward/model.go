package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"text/tabwriter"
	"time"

	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/matchindex"
)

const modelUsage = `show [--db PATH|URL] [--json]

Prints the matching model the database scores duplicates with: the one the
nightly dedupe job trained on its customers and stored (the import gate, the
API and the next night all score with it), or, in a database that has none
yet, the model built into steward. For each field, every comparison level's
m and u probability and the weight (log2 m/u) it adds to a pair.`

// modelJSON is "dedupe model show --json".
type modelJSON struct {
	ID        int64         `json:"id"`
	Builtin   bool          `json:"builtin"`
	TrainedAt time.Time     `json:"trained_at,omitzero"`
	Records   int64         `json:"records"`
	Labels    int64         `json:"labels"`
	Origin    string        `json:"origin,omitempty"`
	Model     *dedupe.Model `json:"model"`
}

// runModel implements "steward dedupe model show".
func runModel(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "show" {
		return usagef("steward dedupe model show [--db …] [--json]", "name what to do with the model: show")
	}
	fs := newFlagSet(env, "dedupe model", modelUsage)
	db := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print the model as one JSON object")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run 'steward dedupe model -h' for its flags", "unexpected argument %q", fs.Arg(0))
	}
	st, err := openStore(ctx, env, *db, mustExist)
	if err != nil {
		return err
	}
	defer st.Close()
	sc, err := currentModel(ctx, env, st)
	if err != nil {
		return err
	}
	out := modelJSON{Builtin: sc.Stored == nil, Model: sc.Model}
	if sm := sc.Stored; sm != nil {
		out.ID, out.TrainedAt, out.Records, out.Labels, out.Origin = sm.ID, sm.TrainedAt, sm.Records, sm.Labels, sm.Origin
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	printModel(env, out, sc)
	return nil
}

func printModel(env *Env, out modelJSON, sc matchindex.Scorer) {
	w := env.Stdout
	m := sc.Model
	if out.Builtin {
		fmt.Fprintf(w, "built-in model (no model stored yet: the nightly dedupe job trains and stores one)\n")
	} else {
		fmt.Fprintf(w, "model %d, trained %s by %s on %d customers and %d decided pairs\n",
			out.ID, out.TrainedAt.Local().Format("2006-01-02 15:04"), out.Origin, out.Records, out.Labels)
	}
	tr := m.Training
	converged := "converged"
	if !tr.Converged {
		converged = "did not converge"
	}
	fmt.Fprintf(w, "training: %d records, %d candidate pairs, %d random pairs, %d labelled; %d iterations, %s\n",
		tr.Records, tr.CandidatePairs, tr.RandomPairs, tr.LabelledPairs, tr.Iterations, converged)
	fmt.Fprintf(w, "prior: %.3g (%.1f bits)\n\n", m.Lambda, math.Log2(m.Lambda/(1-m.Lambda)))
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "field\tlevel\tm\tu\tweight")
	for _, c := range m.Comparisons {
		for i, l := range c.Levels {
			if i == 0 {
				continue // missing: no weight
			}
			fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.6f\t%+.2f\n", c.Field, l.Name, l.M, l.U, math.Log2(l.M/l.U))
		}
	}
	tw.Flush()
}
