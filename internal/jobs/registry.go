package jobs

import (
	"context"
	"slices"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/lib/didyoumean"
)

// Builder makes a job ready to run: its settings from the rules file, its
// dependencies, its progress reporting.
type Builder func(ctx context.Context) (Job, error)

// Registry is the one list of the jobs this build of steward can run, by
// name: "steward run" and the scheduler both build their jobs from it.
// cmd fills it; there is no global one.
type Registry struct {
	builders map[string]Builder
}

// Register adds the job name (one of steward.JobNames), built by b.
func (r *Registry) Register(name string, b Builder) {
	if r.builders == nil {
		r.builders = make(map[string]Builder)
	}
	r.builders[name] = b
}

// Has reports whether the job name can run.
func (r *Registry) Has(name string) bool { _, ok := r.builders[name]; return ok }

// Names returns the jobs that can run, in the order a night runs them
// (steward.JobNames).
func (r *Registry) Names() []string {
	var out []string
	for _, n := range steward.JobNames() {
		if r.Has(n) {
			out = append(out, n)
		}
	}
	return out
}

// Build makes the job name. A name steward knows but this build cannot
// run yet, and a name it does not know, are EINVALID, naming the jobs
// that can run.
func (r *Registry) Build(ctx context.Context, name string) (Job, error) {
	if b, ok := r.builders[name]; ok {
		return b(ctx)
	}
	names := r.Names()
	if slices.Contains(steward.JobNames(), name) {
		return nil, steward.Errorf(steward.EINVALID, "Job %s is not available in this version of steward; the jobs are: %s.", name, strings.Join(names, ", "))
	}
	return nil, steward.Errorf(steward.EINVALID, "Unknown job %q%s; the jobs are: %s.", name, didyoumean.Hint(name, names), strings.Join(names, ", "))
}
