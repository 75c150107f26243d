package dedupe

import "slices"

// keyedEntry is a block entry with its sort key beside it, so that
// sorting compares values in hand instead of looking each record's sort
// key up (a cache miss per comparison at millions of records).
type keyedEntry struct {
	h, s uint64
	i    int32
}

func cmpKeyed(a, b keyedEntry) int {
	switch {
	case a.h != b.h:
		return cmpU64(a.h, b.h)
	case a.s != b.s:
		return cmpU64(a.s, b.s)
	}
	return int(a.i) - int(b.i)
}

// bucketBits is how many top bits of the hash sortKeyed buckets by.
const bucketBits = 12

// sortKeyed sorts es by hash, sort key and index: an in-place radix pass
// on the hash's top bucketBits bits (American flag sort) puts every entry
// in its bucket, then each bucket, a few thousand entries at ten million,
// is sorted in cache. Hashes are uniform, so the buckets are even.
func sortKeyed(es []keyedEntry) {
	if len(es) < 1<<bucketBits {
		slices.SortFunc(es, cmpKeyed)
		return
	}
	const nb = 1 << bucketBits
	start := make([]int, nb+1)
	for _, e := range es {
		start[e.h>>(64-bucketBits)+1]++
	}
	for b := range nb {
		start[b+1] += start[b]
	}
	next := slices.Clone(start[:nb])
	for b := range nb {
		for next[b] < start[b+1] {
			e := es[next[b]]
			t := int(e.h >> (64 - bucketBits))
			if t == b {
				next[b]++
				continue
			}
			// Swap e into its bucket's next free place, and take what
			// was there, until one of this bucket's turns up.
			for t != b {
				es[next[t]], e = e, es[next[t]]
				next[t]++
				t = int(e.h >> (64 - bucketBits))
			}
			es[next[b]] = e
			next[b]++
		}
	}
	for b := range nb {
		if start[b+1]-start[b] > 1 {
			slices.SortFunc(es[start[b]:start[b+1]], cmpKeyed)
		}
	}
}
