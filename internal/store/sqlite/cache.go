package sqlite

import "github.com/steward-crm/steward"

// DefaultCacheSize is the most memory the page cache of the writer
// connection takes unless Open is given CacheSize: 1 GiB (see
// writerPragmas).
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
		o.cacheKiB = cacheKiB(bytes)
		return nil
	}
}

// pageCost is what one page of the cache costs in memory, as a multiple
// of what SQLite counts for it (the page and its header, about 4.3 KB):
// the driver's allocator (modernc.org/memory) serves each from a slot of
// the next power of two, 8 KiB. Measured: a cache told 256 MiB, filled by
// a scan, took 468 MB more resident memory.
const pageCost = 2

// cacheKiB is the cache_size, in KiB as SQLite counts them, of a cache
// that takes about bytes of memory.
func cacheKiB(bytes int64) int64 { return bytes / pageCost >> 10 }
