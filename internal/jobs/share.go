package jobs

import (
	"fmt"
	"strconv"
	"strings"
)

// IDRange bounds a job to the customers with From <= id <= Through; the
// zero IDRange is every customer.
type IDRange struct {
	From, Through int64
}

// start returns where a job resuming after the id after begins in r.
func (r IDRange) start(after int64) int64 { return max(after, r.From-1) }

// keep returns how many of n ascending ids (id(i)) lie in r, and whether
// r ends among them (the job stops after those).
func (r IDRange) keep(n int, id func(int) int64) (int, bool) {
	if r.Through <= 0 {
		return n, false
	}
	for i := range n {
		if id(i) > r.Through {
			return i, true
		}
	}
	return n, n > 0 && id(n-1) == r.Through
}

// Ranged is a job that can work on one range of customer ids, so that a
// large database's work is split into shares that several instances run
// at once (see Share).
type Ranged interface {
	Job
	// WithRange returns a copy of the job bounded to r.
	WithRange(r IDRange) Job
}

// Share returns the part of j over the ids r, recorded as a job of its
// own named ShareName(j, r): shares of one job run at once, and each
// resumes from its own checkpoint when its instance died.
func Share(j Ranged, r IDRange) Job {
	return share{Job: j.WithRange(r), name: ShareName(j.Name(), r)}
}

type share struct {
	Job
	name string
}

func (s share) Name() string { return s.name }

// Unwrap implements Wrapper: each share follows changes, and asks for a
// full run, as the job shared does, over its own range and from its own
// last successful run.
func (s share) Unwrap() Job { return s.Job }

// ShareName names the share of job over r in the job runs:
// "standardize#50001-100000".
func ShareName(job string, r IDRange) string {
	return fmt.Sprintf("%s#%d-%d", job, r.From, r.Through)
}

// IsShare reports whether a job run's name is a share's, and of which job.
func IsShare(name string) (job string, ok bool) {
	job, rest, ok := strings.Cut(name, "#")
	if !ok {
		return name, false
	}
	from, through, ok := strings.Cut(rest, "-")
	if !ok {
		return name, false
	}
	if _, err := strconv.ParseInt(from, 10, 64); err != nil {
		return name, false
	}
	if _, err := strconv.ParseInt(through, 10, 64); err != nil {
		return name, false
	}
	return job, true
}

// Shares splits the ids 1…maxID into ranges of width ids, aligned on
// multiples of width so that a share keeps its name (and its checkpoint)
// from one night to the next as the database grows.
func Shares(maxID, width int64) []IDRange {
	if width <= 0 {
		width = 50000
	}
	var out []IDRange
	for from := int64(1); from <= maxID; from += width {
		out = append(out, IDRange{From: from, Through: from + width - 1})
	}
	return out
}
