package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

const suppressionColumns = `id, channel, address, hash, scope, reason, source, evidence, actor, created_at`

func scanSuppression(row pgx.Row) (*steward.Suppression, error) {
	var s steward.Suppression
	if err := row.Scan(&s.ID, &s.Channel, &s.Address, &s.Hash, &s.Scope, &s.Reason, &s.Source, &s.Evidence, &s.Actor, &s.CreatedAt); err != nil {
		return nil, err
	}
	s.CreatedAt = s.CreatedAt.UTC()
	return &s, nil
}

// Suppress implements steward.SuppressionStore.
func (s *Store) Suppress(ctx context.Context, sp *steward.Suppression) (bool, error) {
	if err := steward.CheckSuppression(sp); err != nil {
		return false, err
	}
	var created bool
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO suppressions (channel, address, hash, scope, reason, source, evidence, actor, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (hash, scope) DO NOTHING`,
			sp.Channel, sp.Address, sp.Hash, sp.Scope, sp.Reason, sp.Source, sp.Evidence, sp.Actor, s.now())
		if err != nil {
			return fmt.Errorf("suppress: %w", err)
		}
		created = tag.RowsAffected() == 1
		got, err := scanSuppression(tx.QueryRow(ctx, `SELECT `+suppressionColumns+` FROM suppressions WHERE hash = $1 AND scope = $2`, sp.Hash, sp.Scope))
		if err != nil {
			return fmt.Errorf("read suppression: %w", err)
		}
		*sp = *got
		return nil
	})
	return created, err
}

// Suppressed implements steward.SuppressionStore.
func (s *Store) Suppressed(ctx context.Context, hashes []string, scope string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(hashes) == 0 {
		return out, nil
	}
	rows, err := s.read(ctx).Query(ctx, `SELECT DISTINCT hash FROM suppressions WHERE (scope = '' OR scope = $1) AND hash = ANY($2)`, scope, hashes)
	if err != nil {
		return nil, fmt.Errorf("look up suppressions: %w", err)
	}
	hs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("look up suppressions: %w", err)
	}
	for _, h := range hs {
		out[h] = true
	}
	return out, nil
}

// Suppressions implements steward.SuppressionStore.
func (s *Store) Suppressions(ctx context.Context, hash string) ([]*steward.Suppression, error) {
	rows, err := s.read(ctx).Query(ctx, `SELECT `+suppressionColumns+` FROM suppressions WHERE hash = $1 ORDER BY created_at, id`, hash)
	if err != nil {
		return nil, fmt.Errorf("list suppressions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*steward.Suppression, error) { return scanSuppression(row) })
	if err != nil {
		return nil, fmt.Errorf("list suppressions: %w", err)
	}
	return out, nil
}

// ForgetSuppressedAddress implements steward.SuppressionStore.
func (s *Store) ForgetSuppressedAddress(ctx context.Context, hash string) error {
	if _, err := s.one(ctx, nil, `UPDATE suppressions SET address = '', evidence = '' WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("forget suppressed address: %w", err)
	}
	return nil
}

// RecordSoftBounce implements steward.SuppressionStore.
func (s *Store) RecordSoftBounce(ctx context.Context, hash string, at time.Time, evidence string, since time.Time) (int, error) {
	if hash == "" {
		return 0, steward.Errorf(steward.EINVALID, "A soft bounce needs the keyed hash of its address.")
	}
	var n int
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO soft_bounces (hash, at, evidence) VALUES ($1, $2, $3)`, hash, at.UTC(), evidence); err != nil {
			return fmt.Errorf("record soft bounce: %w", err)
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM soft_bounces WHERE hash = $1 AND at >= $2`, hash, since.UTC()).Scan(&n)
	})
	return n, err
}
