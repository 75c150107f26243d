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
