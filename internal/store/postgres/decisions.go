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
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (a, b) DO NOTHING`, p.A, p.B, s.now(), m.Actor, m.Cause)
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
	rows, err := s.read(ctx).Query(ctx, `SELECT a, b FROM not_duplicates`)
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
