package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

const suppressionColumns = `id, channel, address, hash, scope, reason, source, evidence, actor, created_at`

func scanSuppression(sc scanner) (*steward.Suppression, error) {
	var s steward.Suppression
	var at string
	if err := sc.Scan(&s.ID, &s.Channel, &s.Address, &s.Hash, &s.Scope, &s.Reason, &s.Source, &s.Evidence, &s.Actor, &at); err != nil {
		return nil, err
	}
	var err error
	s.CreatedAt, err = parseTime(at)
	return &s, err
}

// Suppress implements steward.SuppressionStore.
func (s *Store) Suppress(ctx context.Context, sp *steward.Suppression) (bool, error) {
	if err := steward.CheckSuppression(sp); err != nil {
		return false, err
	}
	var created bool
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO suppressions (channel, address, hash, scope, reason, source, evidence, actor, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash, scope) DO NOTHING`,
			sp.Channel, sp.Address, sp.Hash, sp.Scope, sp.Reason, sp.Source, sp.Evidence, sp.Actor, formatTime(s.now()))
		if err != nil {
			return fmt.Errorf("suppress: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = n == 1
		got, err := scanSuppression(tx.QueryRowContext(ctx, `SELECT `+suppressionColumns+` FROM suppressions WHERE hash = ? AND scope = ?`, sp.Hash, sp.Scope))
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
	q := s.read(ctx)
	for start := 0; start < len(hashes); start += 500 {
		chunk := hashes[start:min(start+500, len(hashes))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, scope)
		for _, h := range chunk {
			args = append(args, h)
		}
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT hash FROM suppressions WHERE (scope = '' OR scope = ?) AND hash IN (?`+
			strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("look up suppressions: %w", err)
		}
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("look up suppressions: %w", err)
			}
			out[h] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("look up suppressions: %w", err)
		}
	}
	return out, nil
}

// Suppressions implements steward.SuppressionStore.
func (s *Store) Suppressions(ctx context.Context, hash string) ([]*steward.Suppression, error) {
	rows, err := s.read(ctx).QueryContext(ctx, `SELECT `+suppressionColumns+` FROM suppressions WHERE hash = ? ORDER BY created_at, id`, hash)
	if err != nil {
		return nil, fmt.Errorf("list suppressions: %w", err)
	}
	defer rows.Close()
	var out []*steward.Suppression
	for rows.Next() {
		sp, err := scanSuppression(rows)
		if err != nil {
			return nil, fmt.Errorf("list suppressions: %w", err)
		}
		out = append(out, sp)
	}
	return out, rows.Err()
}

// ForgetSuppressedAddress implements steward.SuppressionStore.
func (s *Store) ForgetSuppressedAddress(ctx context.Context, hash string) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE suppressions SET address = '', evidence = '' WHERE hash = ?`, hash); err != nil {
			return fmt.Errorf("forget suppressed address: %w", err)
		}
		return nil
	})
}

// RecordSoftBounce implements steward.SuppressionStore.
func (s *Store) RecordSoftBounce(ctx context.Context, hash string, at time.Time, evidence string, since time.Time) (int, error) {
	if hash == "" {
		return 0, steward.Errorf(steward.EINVALID, "A soft bounce needs the keyed hash of its address.")
	}
	var n int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO soft_bounces (hash, at, evidence) VALUES (?, ?, ?)`, hash, formatTime(at), evidence); err != nil {
			return fmt.Errorf("record soft bounce: %w", err)
		}
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM soft_bounces WHERE hash = ? AND at >= ?`, hash, formatTime(since)).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return n, err
}
