package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

// AddNotDuplicate implements steward.DecisionStore.
func (s *Store) AddNotDuplicate(ctx context.Context, a, b int64, m steward.Meta) error {
	if a == b {
		return steward.Errorf(steward.EINVALID, "A customer is always a duplicate of itself (%d).", a)
	}
	p := steward.NewPair(a, b)
	_, err := s.one(ctx, nil, `INSERT INTO not_duplicates (a, b, created_at, actor, cause)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (a, b) DO UPDATE SET created_at = excluded.created_at, actor = excluded.actor,
			cause = excluded.cause, cleared_at = NULL
		WHERE not_duplicates.cleared_at IS NOT NULL`, p.A, p.B, s.now(), m.Actor, m.Cause)
	if isForeignKey(err) {
		return steward.Errorf(steward.ENOTFOUND, "Customer %d or %d does not exist.", p.A, p.B)
	}
	if err != nil {
		return fmt.Errorf("add not-duplicate pair: %w", err)
	}
	return nil
}

// NotDuplicatePairs implements steward.DecisionStore.
func (s *Store) NotDuplicatePairs(ctx context.Context) (map[steward.Pair]bool, error) {
	rows, err := s.read(ctx).Query(ctx, `SELECT a, b FROM not_duplicates WHERE cleared_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("list not-duplicate pairs: %w", err)
	}
	defer rows.Close()
	out := make(map[steward.Pair]bool)
	var p steward.Pair
	_, err = pgx.ForEachRow(rows, []any{&p.A, &p.B}, func() error {
		out[p] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list not-duplicate pairs: %w", err)
	}
	return out, nil
}

// NotDuplicatesOf implements steward.DecisionStore.
func (s *Store) NotDuplicatesOf(ctx context.Context, ids []int64) ([]steward.Pair, error) {
	out := []steward.Pair{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.read(ctx).Query(ctx, `SELECT a, b FROM not_duplicates
		WHERE cleared_at IS NULL AND (a = ANY($1) OR b = ANY($1)) ORDER BY a, b`, ids)
	if err != nil {
		return nil, fmt.Errorf("list not-duplicate pairs: %w", err)
	}
	var p steward.Pair
	_, err = pgx.ForEachRow(rows, []any{&p.A, &p.B}, func() error {
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list not-duplicate pairs: %w", err)
	}
	return out, nil
}
