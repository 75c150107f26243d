package dedupe

import (
	"context"
	"fmt"

	"github.com/steward-crm/steward"
)

// IndexBuilder builds an Index from records given a batch at a time: each
// batch is prepared on all CPUs and kept only as the index keeps records
// (a 64-byte record and its match keys), so a caller reading a large file
// can prepare one batch while it reads the next and never hold every
// record at once. The index it builds is the one NewIndex builds from the
// same records in the same order.
type IndexBuilder struct {
	ix *Index
}

// NewIndexBuilder returns a builder of an index with cfg's keys and
// blocking, to be matched with model (which may be nil until SetModel or
// RunIndex).
func NewIndexBuilder(cfg Config, model *Model) (*IndexBuilder, error) {
	ix, err := emptyIndex(cfg, model)
	if err != nil {
		return nil, err
	}
	return &IndexBuilder{ix: ix}, nil
}

// Add prepares records and appends them to the index being built: the
// first record of the first batch is at position 0, each batch continues
// where the last ended. records is not kept.
func (b *IndexBuilder) Add(ctx context.Context, records []steward.Record) error {
	ix := b.ix
	if ix == nil {
		return fmt.Errorf("dedupe: index builder used after Index")
	}
	from := len(ix.recs)
	if from+len(records) > 1<<31-1 {
		return fmt.Errorf("dedupe: %d records: too many for one index", from+len(records))
	}
	if cap(ix.recs)-from < len(records) {
		b.Grow(max(len(records), from)) // double, as append would
	}
	ix.recs = ix.recs[:from+len(records)]
	for o := range ix.sortKeys {
		ix.sortKeys[o] = ix.sortKeys[o][:from+len(records)]
	}
	err := ix.fill(ctx, from, func(i int) (prepared, string) { return prepare(&records[i]), records[i].SourceID })
	if err != nil {
		ix.recs = ix.recs[:from]
		for o := range ix.sortKeys {
			ix.sortKeys[o] = ix.sortKeys[o][:from]
		}
	}
	return err
}

// Grow makes room for n more records, so that an index whose size is
// known roughly in advance (from a file's size) does not grow by copying
// its records.
func (b *IndexBuilder) Grow(n int) {
	if b.ix == nil || n <= 0 {
		return
	}
	ix := b.ix
	ix.recs = growAdvised(ix.recs, n)
	for o := range ix.sortKeys {
		ix.sortKeys[o] = growAdvised(ix.sortKeys[o], n)
	}
}

// growAdvised is slices.Grow, the new memory backed by huge pages.
func growAdvised[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	t := make([]T, len(s), len(s)+n)
	adviseHugePagesOf(t[:cap(t)])
	copy(t, s)
	return t
}

// Len returns the number of records added so far.
func (b *IndexBuilder) Len() int {
	if b.ix == nil {
		return 0
	}
	return len(b.ix.recs)
}

// Index finishes the index: placeholders found, blocks sorted, terms
// counted. The builder is done with after it.
func (b *IndexBuilder) Index(ctx context.Context) (*Index, error) {
	ix := b.ix
	if ix == nil {
		return nil, fmt.Errorf("dedupe: index builder used after Index")
	}
	b.ix = nil
	if err := ix.finish(ctx); err != nil {
		return nil, err
	}
	return ix, nil
}
