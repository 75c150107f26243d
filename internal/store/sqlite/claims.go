package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/steward-crm/steward"
)

// ClaimSuggestion implements steward.ClaimStore.
func (s *Store) ClaimSuggestion(ctx context.Context, id int64, user string, now, until time.Time) (bool, error) {
	var held bool
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO suggestion_claims (suggestion_id, claimed_by, claimed_at, expires_at)
			SELECT id, ?, ?, ? FROM suggestions WHERE id = ?
			ON CONFLICT (suggestion_id) DO UPDATE SET claimed_by = excluded.claimed_by,
				claimed_at = CASE WHEN suggestion_claims.claimed_by = excluded.claimed_by AND suggestion_claims.expires_at > ?
					THEN suggestion_claims.claimed_at ELSE excluded.claimed_at END,
				expires_at = excluded.expires_at
			WHERE suggestion_claims.claimed_by = excluded.claimed_by OR suggestion_claims.expires_at <= ?`,
			user, formatTime(now), formatTime(until), id, formatTime(now), formatTime(now))
		if err != nil {
			return fmt.Errorf("claim suggestion: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("claim suggestion: %w", err)
		}
		if held = n > 0; held {
			return nil
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM suggestions WHERE id = ?`, id).Scan(&one)
		if err == sql.ErrNoRows {
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
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.read(ctx).QueryContext(ctx, `SELECT suggestion_id, claimed_by, claimed_at, expires_at FROM suggestion_claims
		WHERE expires_at > ? AND suggestion_id IN (SELECT value FROM json_each(?))`, formatTime(now), string(list))
	if err != nil {
		return nil, fmt.Errorf("suggestion claims: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c steward.Claim
		var at, until string
		if err := rows.Scan(&c.SuggestionID, &c.By, &at, &until); err != nil {
			return nil, fmt.Errorf("suggestion claims: %w", err)
		}
		if c.At, err = parseTime(at); err != nil {
			return nil, err
		}
		if c.Until, err = parseTime(until); err != nil {
			return nil, err
		}
		out[c.SuggestionID] = c
	}
	return out, rows.Err()
}

// ReleaseClaims implements steward.ClaimStore.
func (s *Store) ReleaseClaims(ctx context.Context, user string, now time.Time) (int64, error) {
	var live int64
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM suggestion_claims WHERE claimed_by = ? AND expires_at > ?`,
			user, formatTime(now)).Scan(&live); err != nil {
			return fmt.Errorf("release claims: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM suggestion_claims WHERE claimed_by = ?`, user); err != nil {
			return fmt.Errorf("release claims: %w", err)
		}
		return nil
	})
	return live, err
}
