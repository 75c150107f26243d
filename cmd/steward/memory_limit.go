package main

import (
	"math"
	"runtime/debug"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/steward-crm/steward"
)

// defaultImportMemory is import's --memory-limit when neither the flag nor
// GOMEMLIMIT gives one.
const defaultImportMemory = 2 << 30

// memoryLimitUsage is the help of import's --memory-limit.
const memoryLimitUsage = "memory the import aims to stay within, e.g. 1500MiB or 2GiB (off: no limit); the Go collector works harder near it, and an SQLite database's page cache gets a quarter of it (default: $GOMEMLIMIT when set, else 2GiB)"

// parseByteSize reads a size such as 2GiB, 1500MiB, 1.5GB or 1073741824
// (go-humanize: KiB, MiB, GiB count in powers of 1024, kB, MB, GB in
// powers of 1000).
func parseByteSize(s string) (int64, error) {
	n, err := humanize.ParseBytes(strings.TrimSpace(s))
	if err != nil || n == 0 || n >= 1<<62 {
		return 0, steward.Errorf(steward.EINVALID, "The memory limit %q is not a size such as 1500MiB or 2GiB.", s)
	}
	return int64(n), nil
}

// importMemoryLimit returns the memory limit of an import from its
// --memory-limit flag (flag), GOMEMLIMIT, or defaultImportMemory; 0 for
// none ("off", or GOMEMLIMIT=off).
func importMemoryLimit(flag string, getenv func(string) string) (int64, error) {
	switch {
	case strings.EqualFold(flag, "off"):
		return 0, nil
	case flag != "":
		return parseByteSize(flag)
	case getenv("GOMEMLIMIT") != "":
		// The runtime read it already.
		if n := debug.SetMemoryLimit(-1); n != math.MaxInt64 {
			return n, nil
		}
		return 0, nil
	}
	return defaultImportMemory, nil
}

// setGoMemoryLimit makes n bytes the Go runtime's soft memory limit; 0
// is none.
func setGoMemoryLimit(n int64) {
	if n <= 0 {
		n = math.MaxInt64
	}
	debug.SetMemoryLimit(n)
}

// sqliteCacheFor returns the SQLite page cache an import takes out of
// memory limit n: a quarter of it, at least 16 MiB, and never more than
// the default. SQLite's memory is not Go's: the Go runtime gets the rest.
func sqliteCacheFor(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return min(max(n/4, 16<<20), 1<<30)
}
