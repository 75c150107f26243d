// Package didyoumean finds the word a user probably meant, for "did you mean"
// hints in the messages of the rules file and mapping file parsers.
package didyoumean

import (
	"fmt"
	"strings"

	"github.com/adrg/strutil/metrics"
)

// Hint returns ` (did you mean "x"?)` for the candidate x closest to
// s by Levenshtein distance, letter case aside, or "" when none is close:
// within two edits, or a third of s for longer words. Candidates are
// returned as written.
func Hint(s string, candidates []string) string {
	lev := metrics.NewLevenshtein()
	low := strings.ToLower(s)
	best, bestDist := "", 0
	for _, c := range candidates {
		d := lev.Distance(low, strings.ToLower(c))
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > max(2, len(s)/3) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
