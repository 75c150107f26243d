package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

// CustomersByEmail implements steward.CustomerStore.
func (s *Store) CustomersByEmail(ctx context.Context, email string) ([]steward.EmailToCheck, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, nil
	}
	rows, err := s.read(ctx).Query(ctx, `SELECT id, email FROM customers
		WHERE lower(email) = lower($1) AND email <> '' AND status = 'active' ORDER BY id`, email)
	if err != nil {
		return nil, fmt.Errorf("customers by email: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (steward.EmailToCheck, error) {
		var e steward.EmailToCheck
		err := row.Scan(&e.CustomerID, &e.Email)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("customers by email: %w", err)
	}
	return out, nil
}

// RecordSoftBounceOnce implements steward.SuppressionStore.
func (s *Store) RecordSoftBounceOnce(ctx context.Context, hash, key string, at time.Time, evidence string, since time.Time) (int, bool, error) {
	if hash == "" || key == "" {
		return 0, false, steward.Errorf(steward.EINVALID, "A soft bounce needs the keyed hash of its address and the key of its message.")
	}
	var n int
	var counted bool
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO soft_bounces (hash, at, evidence, message_key) VALUES ($1, $2, $3, $4)
			ON CONFLICT (hash, message_key) WHERE message_key <> '' DO NOTHING`, hash, at.UTC(), evidence, key)
		if err != nil {
			return fmt.Errorf("record soft bounce: %w", err)
		}
		counted = tag.RowsAffected() == 1
		return tx.QueryRow(ctx, `SELECT count(*) FROM soft_bounces WHERE hash = $1 AND at >= $2`, hash, since.UTC()).Scan(&n)
	})
	return n, counted, err
}
