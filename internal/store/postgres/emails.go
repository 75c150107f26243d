package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

// RecordEmailCheck implements steward.EmailCheckStore.
func (s *Store) RecordEmailCheck(ctx context.Context, customerID int64, email, verdict, reason string, at time.Time) error {
	if email == "" || verdict == "" {
		return steward.Errorf(steward.EINVALID, "An email check needs an address and a verdict.")
	}
	_, err := s.one(ctx, nil, `INSERT INTO email_checks (customer_id, email, verdict, reason, checked_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (customer_id, email) DO UPDATE SET
			verdict = excluded.verdict, reason = excluded.reason, checked_at = excluded.checked_at`,
		customerID, email, verdict, reason, at.UTC().Truncate(time.Microsecond))
	if isForeignKey(err) {
		return steward.Errorf(steward.ENOTFOUND, "Customer %d does not exist.", customerID)
	}
	if err != nil {
		return fmt.Errorf("record email check: %w", err)
	}
	return nil
}

// EmailCheck implements steward.EmailCheckStore.
func (s *Store) EmailCheck(ctx context.Context, customerID int64, email string) (*steward.EmailCheck, error) {
	ec := steward.EmailCheck{CustomerID: customerID, Email: email}
	err := s.read(ctx).QueryRow(ctx, `SELECT verdict, reason, checked_at FROM email_checks
		WHERE customer_id = $1 AND email = $2`, customerID, email).Scan(&ec.Verdict, &ec.Reason, &ec.CheckedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "The address of customer %d was never checked.", customerID)
	}
	if err != nil {
		return nil, fmt.Errorf("get email check: %w", err)
	}
	ec.CheckedAt = ec.CheckedAt.UTC()
	return &ec, nil
}

// EmailsToCheck implements steward.EmailCheckStore.
func (s *Store) EmailsToCheck(ctx context.Context, checkedBefore time.Time, changedSince, afterID, throughID int64, limit int) ([]steward.EmailToCheck, error) {
	if limit <= 0 {
		return nil, steward.Errorf(steward.EINVALID, "EmailsToCheck needs a positive limit.")
	}
	through := throughID
	if through <= 0 {
		through = math.MaxInt64
	}
	query, args := `SELECT c.id, c.email FROM customers c
		LEFT JOIN email_checks e ON e.customer_id = c.id AND e.email = c.email
		WHERE c.status = 'active' AND c.id > $1 AND c.id <= $4 AND c.email <> ''
			AND (e.checked_at IS NULL OR e.checked_at < $2)
		ORDER BY c.id LIMIT $3`, []any{afterID, checkedBefore, limit, through}
	q := s.read(ctx)
	if changedSince > 0 {
		// The customers changed since the mark and the checks past their
		// window, as a filter on the id-ordered scan: listing every
		// changed id for every batch took time quadratic in their number
		// after a bulk import.
		least, err := leastChangedXID(ctx, q, changedSince)
		if err != nil {
			return nil, err
		}
		query, args = `SELECT c.id, c.email FROM customers c
		LEFT JOIN email_checks e ON e.customer_id = c.id AND e.email = c.email
		WHERE c.id > $1 AND c.id <= $4 AND c.status = 'active' AND c.email <> ''
			AND (e.checked_at IS NULL OR e.checked_at < $2)
			AND ((c.change_seq >= $6 AND c.change_seq IN (SELECT xid FROM customer_change_txns WHERE seq >= $5))
				OR e.checked_at < $2)
		ORDER BY c.id LIMIT $3`, append(args, changedSince, least)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list emails to check: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (steward.EmailToCheck, error) {
		var e steward.EmailToCheck
		err := row.Scan(&e.CustomerID, &e.Email)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list emails to check: %w", err)
	}
	if out == nil {
		out = []steward.EmailToCheck{}
	}
	return out, nil
}

// CurrentEmailChecks implements steward.EmailCheckStore.
func (s *Store) CurrentEmailChecks(ctx context.Context, afterID, upTo int64) ([]steward.EmailCheck, error) {
	rows, err := s.read(ctx).Query(ctx, `SELECT e.customer_id, e.email, e.verdict, e.reason, e.checked_at
		FROM email_checks e JOIN customers c ON c.id = e.customer_id AND c.email = e.email
		WHERE e.customer_id > $1 AND e.customer_id <= $2 ORDER BY e.customer_id`, afterID, upTo)
	if err != nil {
		return nil, fmt.Errorf("list email checks: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (steward.EmailCheck, error) {
		var ec steward.EmailCheck
		err := row.Scan(&ec.CustomerID, &ec.Email, &ec.Verdict, &ec.Reason, &ec.CheckedAt)
		ec.CheckedAt = ec.CheckedAt.UTC()
		return ec, err
	})
	if err != nil {
		return nil, fmt.Errorf("list email checks: %w", err)
	}
	return out, nil
}
