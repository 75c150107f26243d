package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/matchindex"
)

// FollowsChanges implements ChangeFollower: with a fresh model and the
// index it kept (LoadIndex), a run examines the customers changed since
// the last successful run and the duplicates they reach; --full, a
// retrain or a missing index make it compare every customer.
func (j *Dedupe) FollowsChanges() bool { return true }

// Why a run compared every customer: a count "full_because:REASON" of 1.
const (
	fullAll      = "all"           // the first run, --full, or a resumed run
	fullRetrain  = "retrain"       // the model is trained again (or none is stored)
	fullModel    = "model"         // the last run scored with another model
	fullNoIndex  = "no_index"      // no kept index (none configured, no file, unreadable)
	fullOldIndex = "index_older"   // the kept index is older than the last run's start
	fullMany     = "many_changed"  // too many changed customers to be worth it
	fullMismatch = "index_differs" // the kept index, brought up to date, does not hold the active customers
	fullWorn     = "index_worn"    // too many removed records in the kept index
)

// maxChangedShare bounds the changed customers, as a share of the active
// ones, that an incremental run examines: beyond it a full run, which
// also writes a compact index, costs about as much.
const maxChangedShare = 10

// runIncremental finds the duplicates the customers changed since the last
// successful run take part in, and only those: it brings the kept index
// (LoadIndex) up to date with the changed customers, the way the gate
// keeps its index, and takes as seeds the changed customers still active,
// the customers they were duplicates of before they changed (matched in
// the index as it was), the members of every suggestion that holds a
// changed customer or was decided since the last run, and those of every pending suggestion whose score the
// changes moved (drifted: how common a name is changes with them). From
// the seeds it follows every pair at or above the threshold
// (dedupe.Index.PairsOf) until no new customer is reached: the components
// of the duplicate graph that hold the seeds, whole. Those
// components are clustered and turned into suggestions as a full run does;
// every other component is the same as at the last run, and so are its
// suggestions, which stay as they are. A full run leaves pending
// suggestions it does not find again untouched, and so does this one.
//
// It returns false and why when it cannot run: the caller then runs in
// full. m is the model to score with, stored the stored model it is (nil
// for Dedupe.Model), total the active customers.
func (j *Dedupe) runIncremental(ctx context.Context, run *Run, g0 steward.Generation, total int64,
	m *dedupe.Model, stored *steward.StoredModel, notDup map[steward.Pair]bool) (bool, string, error) {
	since := run.ChangedSince()
	if since == 0 {
		return false, fullAll, nil
	}
	if j.LoadIndex == nil {
		return false, fullNoIndex, nil
	}
	last, err := run.Store.JobRuns(ctx, steward.JobRunFilter{Job: j.Name(), Succeeded: true, Limit: 1})
	if err != nil {
		return false, "", fmt.Errorf("last successful run of %s: %w", j.Name(), err)
	}
	if len(last) == 0 {
		return false, fullAll, nil
	}
	// Suggestions the run leaves as they are must carry this model's
	// scores.
	if stored != nil && last[0].Counts["model_id"] != stored.ID {
		return false, fullModel, nil
	}
	lastStart := last[0].StartedAt
	t0 := time.Now()
	stage := func(name string) {
		j.logger().Debug("dedupe incremental stage", "stage", name, "elapsed", time.Since(t0).Round(time.Millisecond))
		t0 = time.Now()
	}
	d, err := j.LoadIndex(ctx, m)
	if err != nil {
		j.logger().Info("dedupe runs in full: no duplicate index kept", "reason", err)
		return false, fullNoIndex, nil
	}
	gc, ok := d.Generation()
	if !ok || gc.Database != g0.Database || gc.N+1 < since {
		return false, fullOldIndex, nil
	}
	if err := d.Ix.SetModel(m); err != nil {
		return false, fullNoIndex, nil
	}
	stage("load index")
	var changed []*steward.Customer
	err = run.Store.EachCustomer(ctx, steward.CustomerFilter{ChangedSince: since}, func(c *steward.Customer) error {
		if len(changed) >= int(total/maxChangedShare)+100 {
			return errTooMany
		}
		changed = append(changed, c)
		return nil
	})
	if errors.Is(err, errTooMany) {
		return false, fullMany, nil
	}
	if err != nil {
		return false, "", fmt.Errorf("changed customers: %w", err)
	}
	stage("read changed customers")
	threshold := j.Config.Threshold

	// The customers the changed ones were duplicates of, in the index as
	// it was: a component a changed customer leaves may fall apart, and
	// each part holds one of them.
	seeds := make(map[int64]bool)
	for _, c := range changed {
		p := d.Position(c.ID)
		if p < 0 {
			continue
		}
		pairs, err := d.Ix.PairsOf(p)
		if err != nil {
			return false, "", err
		}
		for _, e := range pairs {
			if e.Probability >= threshold {
				seeds[d.IDs[e.A]], seeds[d.IDs[e.B]] = true, true
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return false, "", err
	}
	stage("match changed customers in the index as it was")
	if err := d.PutAll(ctx, changed); err != nil {
		return false, "", fmt.Errorf("update the duplicate index: %w", err)
	}
	if int64(d.Live()) != total {
		// Customers changed while we read, or the kept index is not
		// of this database's history (a restored backup).
		return false, fullMismatch, nil
	}
	if d.Ix.Removed() > d.Ix.Len()/5+1000 {
		return false, fullWorn, nil
	}
	isChanged := make(map[int64]bool, len(changed))
	for _, c := range changed {
		isChanged[c.ID] = true
		seeds[c.ID] = true
	}
	stage("update the index")
	all, err := run.Store.Suggestions(ctx, steward.SuggestionFilter{})
	if err != nil {
		return false, "", fmt.Errorf("load suggestions: %w", err)
	}
	for _, sg := range all {
		if sg.Status != steward.SuggestionPending && !sg.UpdatedAt.Before(lastStart) {
			// Decided since the last run: a member marked "not a
			// duplicate" of the others leaves them a suggestion of
			// their own to find.
			run.Count("suggestions_decided", 1)
			for _, id := range sg.CustomerIDs {
				seeds[id] = true
			}
			continue
		}
		if sg.Status == steward.SuggestionPending && drifted(d, sg, threshold) {
			run.Count("suggestions_drifted", 1)
			for _, id := range sg.CustomerIDs {
				seeds[id] = true
			}
			continue
		}
		holds := false
		for _, id := range sg.CustomerIDs {
			holds = holds || isChanged[id]
		}
		if holds {
			for _, id := range sg.CustomerIDs {
				seeds[id] = true
			}
		}
	}

	stage("load suggestions, find drifted ones")
	// The components of the seeds, whole.
	var queue []int
	seen := make(map[int]bool)
	for id := range seeds {
		if p := d.Position(id); p >= 0 && !seen[p] {
			seen[p] = true
			queue = append(queue, p)
		}
	}
	type pairKey struct{ a, b int32 }
	kept := make(map[pairKey]bool)
	var pairs []dedupe.Pair
	for k := 0; k < len(queue); k++ {
		if k%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return false, "", err
			}
		}
		ps, err := d.Ix.PairsOf(queue[k])
		if err != nil {
			return false, "", err
		}
		for _, e := range ps {
			if kept[pairKey{e.A, e.B}] {
				continue
			}
			kept[pairKey{e.A, e.B}] = true
			pairs = append(pairs, e)
			if e.Probability < threshold {
				continue
			}
			for _, o := range [2]int{int(e.A), int(e.B)} {
				if !seen[o] {
					seen[o] = true
					queue = append(queue, o)
				}
			}
		}
	}
	stage("follow the links")
	res := &dedupe.Result{Index: d.Ix, Model: m, Pairs: pairs, Cluster: d.Ix.ClusterPairs(pairs)}
	groups := suggestionGroups(res, d.IDs, notDup, threshold)
	clusters := make(map[int32]int)
	for _, p := range queue {
		clusters[res.Cluster[p]]++
	}
	for _, n := range clusters {
		if n > 1 {
			run.Count("clusters", 1)
		}
	}
	run.Count("incremental", 1)
	run.Count("customers", total)
	run.Count("changed", int64(len(changed)))
	run.Count("customers_examined", int64(len(queue)))
	run.Count("pairs_kept", int64(len(pairs)))
	stage("cluster")
	if j.SaveIndex != nil {
		if g1, err := run.Store.CustomerGeneration(ctx); err == nil && g1 == g0 {
			j.SaveIndex(d.Ix, d.IDs, g0)
		}
	}
	stage("save the index")
	defer stage("write suggestions")
	return true, "", j.writeSuggestions(ctx, run, groups, nil, stored, all)
}

// errTooMany stops reading changed customers past maxChangedShare.
var errTooMany = errors.New("too many changed customers")

func (j *Dedupe) logger() *slog.Logger {
	if j.Logger != nil {
		return j.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// drifted reports whether the pending suggestion sg, none of whose members
// changed, would score otherwise now: how common the values its members
// share are moves with the customers that changed (term frequencies), and
// a full run rewrites a suggestion whose probability moved by
// unchangedProbability. Its probability is estimated as the full run
// computes it (the weakest link of the strongest tree over its members'
// pairs at or above threshold), and half that move counts, to leave room
// for the estimate.
func drifted(d *matchindex.Index, sg *steward.Suggestion, threshold float64) bool {
	pos := make([]int, len(sg.CustomerIDs))
	for k, id := range sg.CustomerIDs {
		if pos[k] = d.Position(id); pos[k] < 0 {
			return false // a member left: it changed, and is a seed
		}
	}
	type edge struct {
		a, b int
		p    float64
	}
	var edges []edge
	for x := range pos {
		for y := x + 1; y < len(pos); y++ {
			if p := d.Ix.Probability(pos[x], pos[y]); p >= threshold {
				edges = append(edges, edge{x, y, p})
			}
		}
	}
	slices.SortFunc(edges, func(e, f edge) int { return cmp.Compare(f.p, e.p) })
	parent := make([]int, len(pos))
	for k := range parent {
		parent[k] = k
	}
	var find func(int) int
	find = func(x int) int {
		if parent[x] != x {
			parent[x] = find(parent[x])
		}
		return parent[x]
	}
	p, joined := 1.0, 1
	for _, e := range edges {
		if ra, rb := find(e.a), find(e.b); ra != rb {
			parent[rb] = ra
			p = min(p, e.p)
			joined++
		}
	}
	if joined < len(pos) {
		return true // no longer held together
	}
	return math.Abs(p-sg.Probability) >= unchangedProbability/2
}
