package validate

import (
	"strings"

	"github.com/steward-crm/steward/internal/lib/fold"
)

// Check is the verdict of a field check (phone, national identifier,
// postal code).
type Check struct {
	// Valid reports whether the value passed.
	Valid bool
	// Reason says why; ReasonOK, or a more specific code, when Valid.
	Reason Reason
	// Normalized is the value in the canonical form the check used
	// ("+989121234567", "0499370899", "11936-12345" → "1193612345"); set
	// when Valid.
	Normalized string
}

// Message returns the human sentence for the verdict.
func (c Check) Message() string { return c.Reason.Message() }

// digitsOnly folds s's digits and drops the separators people type inside
// identifiers (spaces, hyphens, dots, slashes). ok is false when anything
// else is left.
func digitsOnly(s string) (digits string, ok bool) {
	s = fold.Digits(strings.TrimSpace(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '/' || r == '\u200c' || r == '\u00a0':
		default:
			return "", false
		}
	}
	return b.String(), true
}
