//go:build unix

package records

import (
	"errors"
	"syscall"
)

// ProcessGone reports whether no process has the id pid, so that the
// temporary files it named after itself can be removed.
func ProcessGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
