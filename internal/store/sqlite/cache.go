package sqlite

import "github.com/steward-crm/steward"

// DefaultCacheSize is the page cache of the writer connection unless Open
// is given CacheSize: up to 1 GiB (see writerPragmas).
const DefaultCacheSize = 1 << 30

// CacheSize sets the most memory, in bytes, the writer connection's page
// cache takes (DefaultCacheSize when not given): a process with a memory
// budget (a bulk import under --memory-limit) gives SQLite its share of
// it. Pages past it are written to the WAL or read again from the file.
// Less than 1 MiB is EINVALID.
func CacheSize(bytes int64) Option {
	return func(o *options) error {
		if bytes < 1<<20 {
			return steward.Errorf(steward.EINVALID, "An SQLite page cache needs at least 1 MiB (%d bytes given).", bytes)
		}
		o.cacheKiB = bytes >> 10
		return nil
	}
}
