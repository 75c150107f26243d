package sqlite

import (
	"context"
	"fmt"
	"strings"

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
	q := selectJobRun
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.read(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	defer rows.Close()
	out := []*steward.JobRun{}
	for rows.Next() {
		r, err := scanJobRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list job runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	return out, nil
}
