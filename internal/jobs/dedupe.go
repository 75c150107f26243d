package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/merge"
)

// Dedupe finds duplicate active customers and turns each cluster into a
// pending merge suggestion with its evidence. A pair a steward marked "not a
// duplicate" is never suggested again (and trains the model as a
// non-match); a suggestion that is already pending and unchanged, or
// already decided, is left as it is.
type Dedupe struct {
	Config dedupe.Config
	// Model, when set, scores pairs and nothing is trained or stored (a
	// test, or a model given on the command line). Otherwise the run
	// scores with the database's stored model while it is fresh (see
	// RetrainAfter), and else trains one on the customers and stores it
	// for the import gate, the API and the next run.
	Model *dedupe.Model
	// RetrainAfter is how long a stored model stays fresh: an older one is
	// trained again, as is one trained on a customer count more than 20%
	// away from today's, or before RetrainAfterDecisions of stewards'
	// decisions. 0 trains at every run.
	RetrainAfter time.Duration
	// RetrainAfterDecisions is how many decisions (merged pairs,
	// not-duplicate marks: merge.Labels) since the stored model was
	// trained make it stale; 0 is any. Fewer decisions than at training
	// (a merge undone) make it stale too.
	RetrainAfterDecisions int
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Progress, if set, is told about the matcher's long stages.
	Progress dedupe.ProgressFunc
	// SaveIndex, when set, receives the index of the active customers the
	// run matched (ids[i] is the customer at position i) with the
	// customers' generation it reflects, so that the import gate can reuse
	// it instead of building it again. It is not called when customers
	// changed during the run.
	SaveIndex func(ix *dedupe.Index, ids []int64, g steward.Generation)
	// LoadIndex, when set, returns the index SaveIndex last kept (e.g.
	// matchindex.ReadCache), at whatever generation it reflects, read
	// with this job's Config and the given model. With it, a run whose
	// model is fresh matches only the customers changed since the last
	// successful run (see runIncremental); without it every run compares
	// every customer.
	LoadIndex func(ctx context.Context, m *dedupe.Model) (*matchindex.Index, error)
	// Logger receives why a run could not be incremental; nil discards.
	Logger *slog.Logger
}

// Name implements Job.
func (j *Dedupe) Name() string { return "dedupe" }

// StageLoad is the stage of the dedupe job that reads the customers, before
// the matcher's own stages (dedupe.StagePrepare …).
const StageLoad = "load customers"

// maxEvidencePairs bounds the pairs explained in one suggestion.
const maxEvidencePairs = 20

// Run implements Job. It computes everything before it writes, and writes
// all suggestions in one transaction, so an interrupted run leaves the
// suggestions of the previous run untouched and a rerun starts afresh.
func (j *Dedupe) Run(ctx context.Context, run *Run) error {
	g0, err := run.Store.CustomerGeneration(ctx)
	if err != nil {
		return fmt.Errorf("customers' generation: %w", err)
	}
	var recs []steward.Record
	var ids []int64
	progress := j.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	total, err := run.Store.CountCustomers(ctx, steward.StatusActive)
	if err != nil {
		return fmt.Errorf("count customers: %w", err)
	}
	if total < 2 {
		run.Count("customers", total)
		return nil
	}
	notDup, err := run.Store.NotDuplicatePairs(ctx)
	if err != nil {
		return fmt.Errorf("load not-duplicate pairs: %w", err)
	}
	// Stewards' decisions: merged members are matches, not-duplicate
	// marks non-matches. They train the model and measure blocking.
	labels, err := merge.Labels(ctx, run.Store)
	if err != nil {
		return err
	}
	model, stored, err := j.model(ctx, run, total, int64(len(labels)))
	if err != nil {
		return err
	}
	if model != nil {
		done, why, err := j.runIncremental(ctx, run, g0, total, model, stored, notDup)
		if err != nil || done {
			return err
		}
		run.Count("full_because:"+why, 1)
	} else {
		run.Count("full_because:"+fullRetrain, 1)
	}
	run.ExaminedAll()
	progress(StageLoad, 0, int(total))
	err = run.Store.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		r := c.Record.Clone()
		r.SourceID = strconv.FormatInt(c.ID, 10)
		recs = append(recs, r)
		ids = append(ids, c.ID)
		if len(recs)%10000 == 0 {
			progress(StageLoad, len(recs), int(total))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load customers: %w", err)
	}
	run.Count("customers", int64(len(recs)))
	if len(recs) < 2 {
		return nil
	}
	trained := false
	if model == nil {
		if model, _, err = merge.Train(ctx, recs, ids, labels, j.Config); err != nil {
			return fmt.Errorf("train the model: %w", err)
		}
		trained = true
		run.Count("model_trained", 1)
	}
	res, err := dedupe.Run(ctx, recs, j.Config, dedupe.Options{Model: model, Progress: j.Progress})
	if err != nil {
		return fmt.Errorf("find duplicates: %w", err)
	}
	countBlockingRecall(run, res.Index, ids, labels)
	if j.SaveIndex != nil {
		// Suggestions are not customers: what the run writes below leaves
		// the generation as it is.
		if g1, err := run.Store.CustomerGeneration(ctx); err == nil && g1 == g0 {
			j.SaveIndex(res.Index, ids, g0)
		}
	}
	run.Count("customers_examined", int64(len(recs)))
	run.Count("pairs_compared", res.Stats.PairsCompared)
	run.Count("pairs_kept", int64(res.Stats.PairsKept))

	groups := suggestionGroups(res, ids, notDup, j.Config.Threshold)
	run.Count("clusters", int64(res.Stats.Clusters))
	var tm *trainedModel
	if trained {
		tm = &trainedModel{model: res.Model, records: int64(len(recs)), labels: int64(len(labels))}
	}
	return j.writeSuggestions(ctx, run, groups, tm, stored, nil)
}

// trainedModel is a model a run trained, on records customers with labels
// decided pairs.
type trainedModel struct {
	model           *dedupe.Model
	records, labels int64
}

// writeSuggestions stores the groups as suggestions in one transaction,
// with the run's checkpoint. trained, when not nil, is the model this run
// trained on records customers with labels decided pairs: it is stored
// with them, so the gate scores the next import as this run scored;
// otherwise stored is the stored model the run scored with (nil for one
// given in Dedupe.Model). all are the stored suggestions, nil to load
// them.
func (j *Dedupe) writeSuggestions(ctx context.Context, run *Run, groups []group, trained *trainedModel, stored *steward.StoredModel, all []*steward.Suggestion) error {
	if all == nil {
		var err error
		if all, err = run.Store.Suggestions(ctx, steward.SuggestionFilter{}); err != nil {
			return fmt.Errorf("load suggestions: %w", err)
		}
	}
	known := make(map[string]*steward.Suggestion, len(all))
	for _, sg := range all {
		known[steward.SuggestionKey(sg.CustomerIDs)] = sg
	}
	return run.Store.Atomic(ctx, func(ctx context.Context, s steward.Store) error {
		if trained != nil {
			sm, err := matchindex.SaveModel(ctx, s, trained.model, j.now(), trained.records, trained.labels, fmt.Sprintf("run %d", run.Record.ID))
			if err != nil {
				return err
			}
			stored = sm
		}
		var modelID int64
		if stored != nil {
			modelID = stored.ID
			run.Count("model_id", modelID)
		}
		for _, g := range groups {
			run.Count("suggestions", 1)
			if old, ok := known[steward.SuggestionKey(g.members)]; ok {
				if old.Status != steward.SuggestionPending {
					run.Count("suggestions_decided_before", 1)
					continue
				}
				if math.Abs(old.Probability-g.probability) < unchangedProbability {
					run.Count("suggestions_unchanged", 1)
					continue
				}
				run.Count("suggestions_updated", 1)
			} else {
				run.Count("suggestions_new", 1)
			}
			ev, err := json.Marshal(steward.Evidence{Producer: steward.EvidenceDedupe, Origin: fmt.Sprintf("run %d", run.Record.ID), Model: modelID, Pairs: g.evidence})
			if err != nil {
				return err
			}
			sg := &steward.Suggestion{CustomerIDs: g.members, Probability: g.probability, Evidence: ev, RunID: run.Record.ID}
			if err := s.UpsertSuggestion(ctx, sg); err != nil {
				return fmt.Errorf("store suggestion for customers %v: %w", g.members, err)
			}
		}
		return run.Checkpoint(ctx, s, "done")
	})
}

// countBlockingRecall counts, among the pairs stewards merged whose
// survivor is active, how many blocking brings together (a merged
// member's record as it was, against the survivor as it is, the way an
// import meets it) and under which keys: "blocking_merged_pairs",
// "blocking_compared", and "blocking_key:KEY" for each key's pairs. A
// fall in blocking_compared / blocking_merged_pairs says the blocking
// keys no longer find the duplicates stewards see.
func countBlockingRecall(run *Run, ix *dedupe.Index, ids []int64, labels []merge.Label) {
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	var pairs []dedupe.PairWith
	for i := range labels {
		l := &labels[i]
		if !l.Match {
			continue
		}
		if p, ok := pos[l.A]; ok {
			pairs = append(pairs, dedupe.PairWith{Record: &l.RecB, Index: p})
		} else if p, ok := pos[l.B]; ok {
			pairs = append(pairs, dedupe.PairWith{Record: &l.RecA, Index: p})
		}
	}
	if len(pairs) == 0 {
		return
	}
	cov := ix.BlockingCoverageOf(pairs)
	run.Count("blocking_merged_pairs", int64(cov.Pairs))
	run.Count("blocking_compared", int64(cov.Compared))
	for _, k := range cov.Keys {
		if k.Pairs > 0 {
			run.Count("blocking_key:"+string(k.Key), int64(k.Pairs))
		}
	}
}

// model returns the model to score with: j.Model when set; the stored
// model while it is fresh for records customers and labels decided pairs
// (with it); or nil, so that dedupe.Run trains one.
func (j *Dedupe) model(ctx context.Context, run *Run, records, labels int64) (*dedupe.Model, *steward.StoredModel, error) {
	if j.Model != nil {
		return j.Model, nil, nil
	}
	sc, _, err := matchindex.CurrentModel(ctx, run.Store)
	if err != nil {
		return nil, nil, err
	}
	sm := sc.Stored
	if sm == nil || j.RetrainAfter <= 0 || j.now().Sub(sm.TrainedAt) >= j.RetrainAfter ||
		labels < sm.Labels || labels-sm.Labels >= max(1, int64(j.RetrainAfterDecisions)) || records*5 < sm.Records*4 || records*5 > sm.Records*6 {
		return nil, nil, nil
	}
	return sc.Model, sm, nil
}

func (j *Dedupe) now() time.Time {
	if j.Now != nil {
		return j.Now()
	}
	return time.Now()
}

// unchangedProbability is how far a re-trained model may move a pending
// suggestion's probability before the suggestion is rewritten: smaller
// moves are noise of re-estimation, not news for a steward.
const unchangedProbability = 0.01

// group is one suggestion to be: its members (customer ids, sorted), its
// probability (the weakest link of the strongest tree that joins them) and
// the pairs that explain it.
type group struct {
	members     []int64
	probability float64
	evidence    []steward.PairEvidence
}

// suggestionGroups turns clusters into suggestion groups. Edges between
// pairs a steward marked not-duplicate are dropped and the cluster is
// re-split along the remaining edges; a part that still holds a
// not-duplicate pair (joined through others) is suggested pair by pair
// instead, so a rejected pair never reappears together.
func suggestionGroups(res *dedupe.Result, ids []int64, notDup map[steward.Pair]bool, threshold float64) []group {
	byCluster := make(map[int32][]dedupe.Pair)
	for _, p := range res.Pairs {
		if p.Probability < threshold || res.Cluster[p.A] != res.Cluster[p.B] {
			continue
		}
		if notDup[steward.NewPair(ids[p.A], ids[p.B])] {
			continue
		}
		byCluster[res.Cluster[p.A]] = append(byCluster[res.Cluster[p.A]], p)
	}
	var out []group
	for _, edges := range byCluster {
		for _, part := range components(edges) {
			if holdsNotDuplicate(part, ids, notDup) {
				for _, e := range part {
					out = append(out, newGroup(res, ids, []dedupe.Pair{e}))
				}
				continue
			}
			out = append(out, newGroup(res, ids, part))
		}
	}
	slices.SortFunc(out, func(a, b group) int { return cmp.Compare(a.members[0], b.members[0]) })
	return out
}

// components splits edges into connected parts, each a maximum spanning
// tree (strongest edges first, Kruskal) of its records.
func components(edges []dedupe.Pair) [][]dedupe.Pair {
	slices.SortFunc(edges, func(a, b dedupe.Pair) int {
		if c := cmp.Compare(b.Probability, a.Probability); c != 0 {
			return c
		}
		if c := cmp.Compare(a.A, b.A); c != 0 {
			return c
		}
		return cmp.Compare(a.B, b.B)
	})
	parent := make(map[int32]int32)
	var find func(x int32) int32
	find = func(x int32) int32 {
		p, ok := parent[x]
		if !ok || p == x {
			parent[x] = x
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	var tree []dedupe.Pair
	for _, e := range edges {
		ra, rb := find(e.A), find(e.B)
		if ra == rb {
			continue
		}
		parent[rb] = ra
		tree = append(tree, e)
	}
	parts := make(map[int32][]dedupe.Pair)
	var roots []int32
	for _, e := range tree {
		r := find(e.A)
		if _, ok := parts[r]; !ok {
			roots = append(roots, r)
		}
		parts[r] = append(parts[r], e)
	}
	out := make([][]dedupe.Pair, 0, len(roots))
	for _, r := range roots {
		out = append(out, parts[r])
	}
	return out
}

func holdsNotDuplicate(tree []dedupe.Pair, ids []int64, notDup map[steward.Pair]bool) bool {
	if len(notDup) == 0 || len(tree) < 2 {
		return false
	}
	var members []int64
	for _, e := range tree {
		members = append(members, ids[e.A], ids[e.B])
	}
	slices.Sort(members)
	members = slices.Compact(members)
	for i := range members {
		for k := i + 1; k < len(members); k++ {
			if notDup[steward.NewPair(members[i], members[k])] {
				return true
			}
		}
	}
	return false
}

func newGroup(res *dedupe.Result, ids []int64, tree []dedupe.Pair) group {
	g := group{probability: 1}
	for i, e := range tree {
		g.members = append(g.members, ids[e.A], ids[e.B])
		g.probability = min(g.probability, e.Probability)
		if i < maxEvidencePairs {
			g.evidence = append(g.evidence, matchindex.FieldEvidence(ids[e.A], ids[e.B], e.Probability, e.Weight, res.Explain(e), res.Model, res.Index.SharedKeys(int(e.A), int(e.B))))
		}
	}
	slices.Sort(g.members)
	g.members = slices.Compact(g.members)
	return g
}
