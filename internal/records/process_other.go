//go:build !unix

package records

// ProcessGone reports whether no process has the id pid. Where that cannot
// be asked it reports false, so that nothing another process may still
// use is removed.
func ProcessGone(pid int) bool { return false }
