package records

import "strings"

// SpreadsheetSafe returns v as a CSV cell a spreadsheet will not run as a
// formula (OWASP's guidance on CSV injection): a value that starts with
// =, @, a tab or a carriage return, or with + or - followed by more than
// a number, gets a leading apostrophe, which spreadsheets read as "text"
// and show without it. A signed number (-12.5, +98 912 123 4567, which an
// E.164 phone is) stays as it is, so phones and amounts keep their form.
// Stored data never changes; only what steward writes for people does
// (exports, rejects, annotated copies), unless the user asks for raw
// values.
func SpreadsheetSafe(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v
	case '+', '-':
		if !signedNumber(v[1:]) {
			return "'" + v
		}
	}
	return v
}

// signedNumber reports whether s, after a sign, is a number as people
// write them: digits with spaces, dots, commas, hyphens and parentheses
// between, and at least one digit.
func signedNumber(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r == ' ' || r == '.' || r == ',' || r == '-' || r == '(' || r == ')')
	}) < 0 && strings.ContainsAny(s, "0123456789")
}
