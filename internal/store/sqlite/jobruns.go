package sqlite

import (
	"context"

	"github.com/steward-crm/steward"
)

// JobRuns implements steward.JobRunStore.
func (s *Store) JobRuns(ctx context.Context, f steward.JobRunFilter) ([]*steward.JobRun, error) {
	var where []string
	var args []any
	if f.Job != "" {
		where, args = append(where, `job = ?`), append(args, f.Job)
	}
	if f.Before != 0 {
		where, args = append(where, `id < ?`), append(args, f.Before)
	}
	if f.Succeeded {
		where = append(where, `status = 'succeeded'`)
	}
	return queryAll(ctx, s, "job runs", newestFirst(selectJobRun, where, f.Limit), args, scanJobRun)
}
