package main

import (
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/steward-crm/steward"
)

// defaultImportMemory is import's --memory-limit when neither the flag nor
// GOMEMLIMIT gives one.
const defaultImportMemory = 2 << 30

// memoryLimitUsage is the help of import's --memory-limit.
const memoryLimitUsage = "memory the import aims to stay within, e.g. 1500MiB or 2GiB (off: no limit); the Go collector works harder near it, and an SQLite database's page cache gets a quarter of it (default: $GOMEMLIMIT when set, else 2GiB)"

// parseByteSize reads a size such as 2GiB, 1500MiB, 512M or 1073741824;
// K, M, G and T count in powers of 1024 with or without "iB" or "B".
func parseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	upper := strings.ToUpper(t)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10},
		{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10},
		{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(upper, u.suffix) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n <= 0 || n*float64(mult) >= 1<<62 {
		return 0, steward.Errorf(steward.EINVALID, "The memory limit %q is not a size such as 1500MiB or 2GiB.", s)
	}
	return int64(n * float64(mult)), nil
}

// importMemoryLimit returns the memory limit of an import from its
// --memory-limit flag (flag), GOMEMLIMIT, or defaultImportMemory; 0 for
// none ("off", or GOMEMLIMIT=off).
func importMemoryLimit(flag string) (int64, error) {
	switch {
	case strings.EqualFold(flag, "off"):
		return 0, nil
	case flag != "":
		return parseByteSize(flag)
	case os.Getenv("GOMEMLIMIT") != "":
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
