package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/steward-crm/steward"
)

// AddNotDuplicate implements steward.DecisionStore.
func (s *Store) AddNotDuplicate(ctx context.Context, a, b int64, m steward.Meta) error {
	if a == b {
		return steward.Errorf(steward.EINVALID, "A customer is always a duplicate of itself (%d).", a)
	}
	p := steward.NewPair(a, b)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO not_duplicates (a, b, created_at, actor, cause)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (a, b) DO UPDATE SET created_at = excluded.created_at, actor = excluded.actor,
				cause = excluded.cause, cleared_at = NULL
			WHERE not_duplicates.cleared_at IS NOT NULL`, p.A, p.B, formatTime(s.now()), m.Actor, m.Cause)
		if isForeignKey(err) {
			return steward.Errorf(steward.ENOTFOUND, "Customer %d or %d does not exist.", p.A, p.B)
		}
		if err != nil {
			return fmt.Errorf("add not-duplicate pair: %w", err)
		}
		return nil
	})
}

// NotDuplicatePairs implements steward.DecisionStore.
func (s *Store) NotDuplicatePairs(ctx context.Context) (map[steward.Pair]bool, error) {
	rows, err := s.read(ctx).QueryContext(ctx, `SELECT a, b FROM not_duplicates WHERE cleared_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("list not-duplicate pairs: %w", err)
	}
	defer rows.Close()
	out := make(map[steward.Pair]bool)
	for rows.Next() {
		var p steward.Pair
		if err := rows.Scan(&p.A, &p.B); err != nil {
			return nil, fmt.Errorf("list not-duplicate pairs: %w", err)
		}
		out[p] = true
	}
	if err := rows.Err(); err != nil {
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
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, s, "not-duplicate pairs", `SELECT a, b FROM not_duplicates
		WHERE cleared_at IS NULL AND (a IN (SELECT value FROM json_each(?1)) OR b IN (SELECT value FROM json_each(?1)))
		ORDER BY a, b`, []any{string(list)}, func(sc scanner) (steward.Pair, error) {
		var p steward.Pair
		err := sc.Scan(&p.A, &p.B)
		return p, err
	})
}
