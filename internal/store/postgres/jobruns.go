package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

// JobRuns implements steward.JobRunStore.
func (s *Store) JobRuns(ctx context.Context, f steward.JobRunFilter) ([]*steward.JobRun, error) {
	var where []string
	var args []any
	if f.Job != "" {
		args = append(args, f.Job)
		where = append(where, fmt.Sprintf(`job = $%d`, len(args)))
	}
	if f.Before != 0 {
		args = append(args, f.Before)
		where = append(where, fmt.Sprintf(`id < $%d`, len(args)))
	}
	q := selectJobRun
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.read(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*steward.JobRun, error) { return scanJobRun(row) })
	if err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	if out == nil {
		out = []*steward.JobRun{}
	}
	return out, nil
}
