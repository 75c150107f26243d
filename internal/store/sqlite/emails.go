package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/steward-crm/steward"
)

// RecordEmailCheck implements steward.EmailCheckStore.
func (s *Store) RecordEmailCheck(ctx context.Context, customerID int64, email, verdict, reason string, at time.Time) error {
	if email == "" || verdict == "" {
		return steward.Errorf(steward.EINVALID, "An email check needs an address and a verdict.")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO email_checks (customer_id, email, verdict, reason, checked_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (customer_id, email) DO UPDATE SET
				verdict = excluded.verdict, reason = excluded.reason, checked_at = excluded.checked_at`,
			customerID, email, verdict, reason, formatTime(at))
		if isForeignKey(err) {
			return steward.Errorf(steward.ENOTFOUND, "Customer %d does not exist.", customerID)
		}
		if err != nil {
			return fmt.Errorf("record email check: %w", err)
		}
		return nil
	})
}

// EmailCheck implements steward.EmailCheckStore.
func (s *Store) EmailCheck(ctx context.Context, customerID int64, email string) (*steward.EmailCheck, error) {
	ec := steward.EmailCheck{CustomerID: customerID, Email: email}
	var at string
	err := s.read(ctx).QueryRowContext(ctx, `SELECT verdict, reason, checked_at FROM email_checks
		WHERE customer_id = ? AND email = ?`, customerID, email).Scan(&ec.Verdict, &ec.Reason, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "The address of customer %d was never checked.", customerID)
	}
	if err != nil {
		return nil, fmt.Errorf("get email check: %w", err)
	}
	if ec.CheckedAt, err = parseTime(at); err != nil {
		return nil, err
	}
	return &ec, nil
}

// EmailsToCheck implements steward.EmailCheckStore.
func (s *Store) EmailsToCheck(ctx context.Context, checkedBefore time.Time, changedSince, afterID, throughID int64, limit int) ([]steward.EmailToCheck, error) {
	if limit <= 0 {
		return nil, steward.Errorf(steward.EINVALID, "EmailsToCheck needs a positive limit.")
	}
	cutoff := formatTime(checkedBefore)
	through := throughID
	if through <= 0 {
		through = math.MaxInt64
	}
	query, args := `SELECT c.id, c.email FROM customers c
		LEFT JOIN email_checks e ON e.customer_id = c.id AND e.email = c.email
		WHERE c.status = 'active' AND c.id > ? AND c.id <= ? AND c.email <> ''
			AND (e.checked_at IS NULL OR e.checked_at < ?)
		ORDER BY c.id LIMIT ?`, []any{afterID, through, cutoff, limit}
	if changedSince > 0 {
		// The customers changed since the mark and the checks past their
		// window, as a filter on the id-ordered scan: a subquery through
		// their indexes is built whole for every batch, which took time
		// quadratic in the number of changed customers after a bulk import.
		query, args = `SELECT c.id, c.email FROM customers c
		LEFT JOIN email_checks e ON e.customer_id = c.id AND e.email = c.email
		WHERE c.id > ? AND c.id <= ? AND c.status = 'active' AND c.email <> ''
			AND (e.checked_at IS NULL OR e.checked_at < ?)
			AND (c.change_seq >= ? OR e.checked_at < ?)
		ORDER BY c.id LIMIT ?`, []any{afterID, through, cutoff, changedSince, cutoff, limit}
	}
	rows, err := s.read(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list emails to check: %w", err)
	}
	defer rows.Close()
	out := []steward.EmailToCheck{}
	for rows.Next() {
		var e steward.EmailToCheck
		if err := rows.Scan(&e.CustomerID, &e.Email); err != nil {
			return nil, fmt.Errorf("list emails to check: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list emails to check: %w", err)
	}
	return out, nil
}

// CurrentEmailChecks implements steward.EmailCheckStore.
func (s *Store) CurrentEmailChecks(ctx context.Context, afterID, upTo int64) ([]steward.EmailCheck, error) {
	rows, err := s.read(ctx).QueryContext(ctx, `SELECT e.customer_id, e.email, e.verdict, e.reason, e.checked_at
		FROM email_checks e JOIN customers c ON c.id = e.customer_id AND c.email = e.email
		WHERE e.customer_id > ? AND e.customer_id <= ? ORDER BY e.customer_id`, afterID, upTo)
	if err != nil {
		return nil, fmt.Errorf("list email checks: %w", err)
	}
	defer rows.Close()
	var out []steward.EmailCheck
	for rows.Next() {
		var ec steward.EmailCheck
		var at string
		if err := rows.Scan(&ec.CustomerID, &ec.Email, &ec.Verdict, &ec.Reason, &at); err != nil {
			return nil, fmt.Errorf("list email checks: %w", err)
		}
		if ec.CheckedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, ec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list email checks: %w", err)
	}
	return out, nil
}
