package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// conditions gathers a list query's conditions with their numbered
// parameters.
type conditions struct {
	where []string
	args  []any
}

// add adds cond, whose one parameter is written %d, with the value v.
func (c *conditions) add(cond string, v any) {
	c.args = append(c.args, v)
	c.where = append(c.where, fmt.Sprintf(cond, len(c.args)))
}

// newestFirst finishes a list query: base with the conditions, newest
// first by id, at most limit rows (0: all).
func (c *conditions) newestFirst(base string, limit int) string {
	q := base
	if len(c.where) > 0 {
		q += ` WHERE ` + strings.Join(c.where, ` AND `)
	}
	q += ` ORDER BY id DESC`
	if limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, limit)
	}
	return q
}

// collect runs query with ctx's reads and scans every row with scan;
// what names the list in errors. The result is never nil.
func collect[T any](ctx context.Context, s *Store, what, query string, args []any, scan func(pgx.Row) (T, error)) ([]T, error) {
	rows, err := s.read(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}
