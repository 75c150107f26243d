package postgres

import (
	"context"

	"github.com/steward-crm/steward"
)

// JobRuns implements steward.JobRunStore.
func (s *Store) JobRuns(ctx context.Context, f steward.JobRunFilter) ([]*steward.JobRun, error) {
	var c conditions
	if f.Job != "" {
		c.add(`job = $%d`, f.Job)
	}
	if f.Before != 0 {
		c.add(`id < $%d`, f.Before)
	}
	if f.Succeeded {
		c.where = append(c.where, `status = 'succeeded'`)
	}
	return collect(ctx, s, "job runs", c.newestFirst(selectJobRun, f.Limit), c.args, scanJobRun)
}
