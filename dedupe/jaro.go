package dedupe

import "unicode/utf8"

// maxJaroRunes bounds the strings jaroWinkler compares; longer strings are
// truncated, which only matters for values no name has.
const maxJaroRunes = 64

// jaroWinkler returns the Jaro-Winkler similarity of a and b exactly as
// github.com/adrg/strutil/metrics.JaroWinkler (case-sensitive) defines it:
// matching window max(len)/2, matches found greedily from each side,
// transpositions counted over the matched runes in order, prefix bonus 0.1
// per common leading rune up to four. strutil converts and allocates on
// every call; this runs for every candidate pair, so it works on the bytes
// of ASCII strings (and on a stack copy of the runes otherwise) and does
// not allocate. TestJaroWinklerAgreesWithStrutil holds it to strutil.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	if isASCII(a) && isASCII(b) {
		return jaroWinklerOf([]byte(a[:min(len(a), maxJaroRunes)]), []byte(b[:min(len(b), maxJaroRunes)]))
	}
	var ra, rb [maxJaroRunes]rune
	na := toRunes(a, &ra)
	nb := toRunes(b, &rb)
	return jaroWinklerOf(ra[:na], rb[:nb])
}

// jaroWinklerFloor returns jaroWinkler(a, b), or 0 when a bound that
// costs a fraction of the measure shows it is below floor: for callers that
// only compare the similarity with thresholds at or above floor. Most
// candidate pairs of a Match have names and places that share few letters;
// they need no Jaro-Winkler.
func jaroWinklerFloor(a, b string, floor float64) float64 {
	if a == b {
		return 1
	}
	if isASCII(a) && isASCII(b) {
		x, y := []byte(a[:min(len(a), maxJaroRunes)]), []byte(b[:min(len(b), maxJaroRunes)])
		if jaroWinklerBelow(x, y, floor) {
			return 0
		}
		return jaroWinklerOf(x, y)
	}
	var ra, rb [maxJaroRunes]rune
	x, y := ra[:toRunes(a, &ra)], rb[:toRunes(b, &rb)]
	if jaroWinklerBelow(x, y, floor) {
		return 0
	}
	return jaroWinklerOf(x, y)
}

// jaroWinklerBelow reports whether jaroWinklerOf(a, b) is certainly below
// t. Each of jaroOf's matches pairs equal elements, so there are at most
// as many as the elements a and b have in common; with that many and no
// transpositions, and the exact common prefix, the bound is the measure's
// own formula, which is monotone in the matches. The elements in common
// are counted in buckets of the low seven bits (exact for ASCII; for
// other runes a bucket shared by two letters only raises the count, so
// the bound stays a bound), first bounded by the shorter length alone.
// The margin covers rounding.
func jaroWinklerBelow[T byte | rune](a, b []T, t float64) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	prefix := 0
	for prefix < len(a) && prefix < len(b) && prefix < 4 && a[prefix] == b[prefix] {
		prefix++
	}
	below := func(common int) bool {
		sim := (float64(common)/float64(len(a)) + float64(common)/float64(len(b)) + 1) / 3
		return sim+0.1*float64(prefix)*(1-sim)+1e-9 < t
	}
	if below(min(len(a), len(b))) {
		return true
	}
	var count [128]uint8 // len(a) <= maxJaroRunes < 256
	for _, r := range a {
		count[r&127]++
	}
	common := 0
	for _, r := range b {
		if c := &count[r&127]; *c > 0 {
			*c--
			common++
		}
	}
	return below(common)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func toRunes(s string, buf *[maxJaroRunes]rune) int {
	n := 0
	for _, r := range s {
		if n == maxJaroRunes {
			break
		}
		buf[n] = r
		n++
	}
	return n
}

func jaroWinklerOf[T byte | rune](a, b []T) float64 {
	sim := jaroOf(a, b)
	prefix := 0
	for prefix < len(a) && prefix < len(b) && prefix < 4 && a[prefix] == b[prefix] {
		prefix++
	}
	return sim + 0.1*float64(prefix)*(1-sim)
}

func jaroOf[T byte | rune](a, b []T) float64 {
	la, lb := len(a), len(b)
	if la == 0 && lb == 0 {
		return 1
	}
	if la == 0 || lb == 0 {
		return 0
	}
	limit := max(la, lb) / 2
	// The matched elements of a (in a's order) and of b (in b's order),
	// each found by the same greedy scan strutil uses.
	var ma, mb [maxJaroRunes]T
	na := matchOf(a, b, limit, &ma)
	nb := matchOf(b, a, limit, &mb)
	if na == 0 || nb == 0 {
		return 0
	}
	trans := 0
	for i := range min(na, nb) {
		if ma[i] != mb[i] {
			trans++
		}
	}
	return (float64(na)/float64(la) + float64(nb)/float64(lb) + float64(na-trans/2)/float64(na)) / 3
}

// matchOf collects, in a's order, the elements of a that find an unused
// equal element of b within limit positions.
func matchOf[T byte | rune](a, b []T, limit int, out *[maxJaroRunes]T) int {
	var used uint64
	n := 0
	for i, r := range a {
		end := min(i+limit+1, len(b))
		for j := max(0, i-limit); j < end; j++ {
			if b[j] == r && used&(1<<j) == 0 {
				used |= 1 << j
				out[n] = r
				n++
				break
			}
		}
	}
	return n
}
