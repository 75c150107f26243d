package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steward-crm/steward"
)

// ClaimSuggestion implements steward.ClaimStore.
func (s *Store) ClaimSuggestion(ctx context.Context, id int64, user string, now, until time.Time) (bool, error) {
	var held bool
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO suggestion_claims (suggestion_id, claimed_by, claimed_at, expires_at)
			SELECT id, $1, $2, $3 FROM suggestions WHERE id = $4
			ON CONFLICT (suggestion_id) DO UPDATE SET claimed_by = excluded.claimed_by,
				claimed_at = CASE WHEN suggestion_claims.claimed_by = excluded.claimed_by AND suggestion_claims.expires_at > $2
					THEN suggestion_claims.claimed_at ELSE excluded.claimed_at END,
				expires_at = excluded.expires_at
			WHERE suggestion_claims.claimed_by = excluded.claimed_by OR suggestion_claims.expires_at <= $2`,
			user, now, until, id)
		if err != nil {
			return fmt.Errorf("claim suggestion: %w", err)
		}
		if held = tag.RowsAffected() > 0; held {
			return nil
		}
		var one int
		err = tx.QueryRow(ctx, `SELECT 1 FROM suggestions WHERE id = $1`, id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return steward.Errorf(steward.ENOTFOUND, "Suggestion %d does not exist.", id)
		}
		return err
	})
	return held, err
}

// SuggestionClaims implements steward.ClaimStore.
func (s *Store) SuggestionClaims(ctx context.Context, ids []int64, now time.Time) (map[int64]steward.Claim, error) {
	out := make(map[int64]steward.Claim)
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.read(ctx).Query(ctx, `SELECT suggestion_id, claimed_by, claimed_at, expires_at FROM suggestion_claims
		WHERE expires_at > $1 AND suggestion_id = ANY($2)`, now, ids)
	if err != nil {
		return nil, fmt.Errorf("suggestion claims: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c steward.Claim
		if err := rows.Scan(&c.SuggestionID, &c.By, &c.At, &c.Until); err != nil {
			return nil, fmt.Errorf("suggestion claims: %w", err)
		}
		c.At, c.Until = c.At.UTC(), c.Until.UTC()
		out[c.SuggestionID] = c
	}
	return out, rows.Err()
}

// ReleaseClaims implements steward.ClaimStore.
func (s *Store) ReleaseClaims(ctx context.Context, user string, now time.Time) (int64, error) {
	var live int64
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM suggestion_claims WHERE claimed_by = $1 AND expires_at > $2`, user, now).Scan(&live); err != nil {
			return fmt.Errorf("release claims: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM suggestion_claims WHERE claimed_by = $1`, user); err != nil {
			return fmt.Errorf("release claims: %w", err)
		}
		return nil
	})
	return live, err
}
