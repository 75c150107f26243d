package dedupe

import (
	"context"
	"fmt"
	"time"

	"github.com/steward-crm/steward"
)

// Stage names passed to a ProgressFunc.
const (
	StagePrepare = "prepare"
	StageTrain   = "train"
	StageCompare = "compare"
	StageCluster = "cluster"
)

// ProgressFunc is told how far a long stage has come: done of total units
// (records) of the named stage. It may be called from several goroutines.
type ProgressFunc func(stage string, done, total int)

// Options are the per-run inputs of Run besides records and Config.
type Options struct {
	// Model scores the pairs; nil trains one on the records.
	Model *Model
	// Labels are stewards' decisions, used when training.
	Labels []Label
	// Progress, when not nil, is told about long stages.
	Progress ProgressFunc
}

// Result is what Run found.
type Result struct {
	// Index holds the prepared records and the model; it answers Match
	// for new records and Explain for pairs.
	Index *Index
	// Model is the model the pairs were scored with.
	Model *Model
	// Pairs are the candidate pairs whose probability reaches
	// Config.ReviewThreshold, ordered by A then B.
	Pairs []Pair
	// Cluster gives, per record, the index of its cluster's
	// representative: the member with the smallest id. A record without
	// duplicates is its own cluster.
	Cluster []int32
	Stats   Stats
}

// Stats counts the work of a run.
type Stats struct {
	Records int `json:"records"`
	// PairsCompared counts candidate pairs, each compared once.
	PairsCompared int64 `json:"pairs_compared"`
	// PairsKept counts pairs at or above the review threshold.
	PairsKept int `json:"pairs_kept"`
	// Clusters counts clusters of two or more records.
	Clusters int `json:"clusters"`
	// Blocks reports each blocking key's blocks, oversized ones included.
	Blocks []BlockReport `json:"blocks"`
	// Clustering reports what the guards against chaining did.
	Clustering ClusterReport `json:"clustering"`
	// Elapsed is the wall time of the run.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Run finds duplicates among records: it prepares their match keys,
// blocks, trains a model unless one is given, scores every candidate pair
// and clusters the pairs at or above Config.Threshold.
func Run(ctx context.Context, records []steward.Record, cfg Config, opts Options) (*Result, error) {
	start := time.Now()
	progress := opts.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	n := len(records)
	progress(StagePrepare, 0, n)
	ix, err := NewIndex(ctx, records, cfg, opts.Model)
	if err != nil {
		return nil, err
	}
	progress(StagePrepare, n, n)
	res, err := RunIndex(ctx, ix, opts)
	if err != nil {
		return nil, err
	}
	res.Stats.Elapsed = time.Since(start)
	return res, nil
}

// RunIndex is Run on the records of an index built by NewIndex or an
// IndexBuilder (whose Config it follows): it trains a model unless
// opts.Model is given, scores every candidate pair and clusters. The index
// scores with the model from then on. Stats.Elapsed counts RunIndex's own
// time.
func RunIndex(ctx context.Context, ix *Index, opts Options) (*Result, error) {
	start := time.Now()
	progress := opts.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	cfg := ix.cfg
	n := len(ix.recs)
	model := opts.Model
	if model != nil {
		if err := ix.SetModel(model); err != nil {
			return nil, err
		}
	} else {
		if n < 2 {
			return &Result{Index: ix, Cluster: []int32{0}[:n], Stats: Stats{Records: n, Elapsed: time.Since(start)}}, nil
		}
		progress(StageTrain, 0, 1)
		var err error
		if model, err = ix.Train(ctx, opts.Labels); err != nil {
			return nil, fmt.Errorf("dedupe: %w", err)
		}
		progress(StageTrain, 1, 1)
	}
	ix.model = model
	pairs, compared, err := ix.scoreAll(ctx, func(done int) { progress(StageCompare, done, n) })
	if err != nil {
		return nil, err
	}
	progress(StageCluster, 0, n)
	clusters, guards := cluster(n, pairs, clusterSettingsOf(&cfg), ix.ID, ix.probability)
	progress(StageCluster, n, n)
	res := &Result{Index: ix, Model: model, Pairs: pairs, Cluster: clusters}
	res.Stats = Stats{Records: n, PairsCompared: compared, PairsKept: len(pairs), Blocks: ix.Blocks(), Clustering: guards}
	size := make([]int32, n)
	for _, r := range clusters {
		size[r]++
		if size[r] == 2 {
			res.Stats.Clusters++
		}
	}
	res.Stats.Elapsed = time.Since(start)
	return res, nil
}

// Explain returns the per-field levels and weights behind a pair.
func (r *Result) Explain(p Pair) []FieldWeight { return r.Index.Explain(p) }

// ClusterID returns the id of record i's cluster: its representative's id.
func (r *Result) ClusterID(i int) string { return r.Index.id(r.Cluster[i]) }
