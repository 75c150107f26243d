package matchindex

import (
	"context"
	"fmt"
)

// ReadCache returns the index kept in the cache file opts.Cache as it was
// written (with the imports its log records), even when customers changed
// since: its Generation says which state of the customers it reflects, a
// state of this database no later than now. A caller that brings it up to
// date itself (PutAll with every customer changed since, see
// steward.CustomerFilter.ChangedSince) spares building it from every
// customer; Load is for everyone else. An error says there is no such
// cache (fs.ErrNotExist when there is no file).
func ReadCache(ctx context.Context, st Customers, opts Options) (*Index, error) {
	opts.defaults()
	if opts.Cache == "" {
		return nil, fmt.Errorf("index cache: no file")
	}
	g, err := st.CustomerGeneration(ctx)
	if err != nil {
		return nil, fmt.Errorf("customers' generation: %w", err)
	}
	d, err := readIndexCacheUpTo(opts.Cache, g, &opts)
	if err != nil {
		return nil, fmt.Errorf("index cache %s: %w", opts.Cache, err)
	}
	return d, nil
}

// Live returns how many customers the index holds: its records less
// those it removed.
func (d *Index) Live() int { return d.Ix.Len() - d.Ix.Removed() }
