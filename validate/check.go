package validate

import "strings"

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

// foldDigits maps Persian (U+06F0-U+06F9) and Arabic-Indic (U+0660-U+0669)
// digits to ASCII, so "۰۹۱۲" and "٠٩١٢" read as "0912".
func foldDigits(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		}
		return r
	}, s)
}

// digitsOnly folds s's digits and drops the separators people type inside
// identifiers (spaces, hyphens, dots, slashes). ok is false when anything
// else is left.
func digitsOnly(s string) (digits string, ok bool) {
	s = foldDigits(strings.TrimSpace(s))
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
