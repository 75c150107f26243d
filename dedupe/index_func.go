package dedupe

import "context"

// NewIndexFunc is NewIndexPrepared for records handed over one at a time:
// rec(i) returns record i, prepared. It is called once per record, in
// parallel, for runs of consecutive positions in increasing order, so
// that a caller whose records wait on disk (the import gate's spill file)
// reads them back in order instead of holding them all prepared. The
// index is the one NewIndexPrepared builds from the same records.
func NewIndexFunc(ctx context.Context, n int, cfg Config, model *Model, rec func(i int) Prepared) (*Index, error) {
	return newIndex(ctx, n, cfg, model, func(i int) (prepared, string) {
		p := rec(i)
		return p.p, p.id
	})
}
