package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

// CustomersByEmail implements steward.CustomerStore.
func (s *Store) CustomersByEmail(ctx context.Context, email string) ([]steward.EmailToCheck, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, nil
	}
	rows, err := s.read(ctx).QueryContext(ctx, `SELECT id, email FROM customers
		WHERE lower(email) = lower(?) AND email <> '' AND status = 'active' ORDER BY id`, email)
	if err != nil {
		return nil, fmt.Errorf("customers by email: %w", err)
	}
	defer rows.Close()
	var out []steward.EmailToCheck
	for rows.Next() {
		var e steward.EmailToCheck
		if err := rows.Scan(&e.CustomerID, &e.Email); err != nil {
			return nil, fmt.Errorf("customers by email: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RecordSoftBounceOnce implements steward.SuppressionStore.
func (s *Store) RecordSoftBounceOnce(ctx context.Context, hash, key string, at time.Time, evidence string, since time.Time) (int, bool, error) {
	if hash == "" || key == "" {
		return 0, false, steward.Errorf(steward.EINVALID, "A soft bounce needs the keyed hash of its address and the key of its message.")
	}
	var n int
	var counted bool
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO soft_bounces (hash, at, evidence, message_key) VALUES (?, ?, ?, ?)
			ON CONFLICT (hash, message_key) WHERE message_key <> '' DO NOTHING`, hash, formatTime(at), evidence, key)
		if err != nil {
			return fmt.Errorf("record soft bounce: %w", err)
		}
		added, err := res.RowsAffected()
		if err != nil {
			return err
		}
		counted = added == 1
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM soft_bounces WHERE hash = ? AND at >= ?`, hash, formatTime(since)).Scan(&n)
	})
	return n, counted, err
}
