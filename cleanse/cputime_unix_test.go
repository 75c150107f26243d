//go:build unix

package cleanse

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used (user and system,
// all threads), so benchmarks can report throughput per core even on a
// machine shared with other work.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
