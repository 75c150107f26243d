package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/steward-crm/steward"
)

// EraseCustomer implements steward.ErasureStore.
func (s *Store) EraseCustomer(ctx context.Context, id int64, m steward.Meta) (bool, error) {
	erased := false
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM customers WHERE id = ?`, id).Scan(&status)
		if err == sql.ErrNoRows {
			return steward.Errorf(steward.ENOTFOUND, "There is no customer %d.", id)
		} else if err != nil {
			return err
		}
		s.wroteCustomers(ctx)
		res, err := tx.ExecContext(ctx, `UPDATE customers SET
			status = 'erased', version = version + 1, updated_at = ?,
			source = '', source_id = '', first_name = '', last_name = '', company = '',
			email = '', phone = '', address_line1 = '', address_line2 = '', city = '',
			region = '', postal_code = '', country = '', birth_date = '', national_id = '',
			attributes = '{}', change_seq = `+nextChangeSeq+`
			WHERE id = ? AND (status <> 'erased' OR source <> '' OR source_id <> '' OR first_name <> ''
				OR last_name <> '' OR company <> '' OR email <> '' OR phone <> '' OR address_line1 <> ''
				OR address_line2 <> '' OR city <> '' OR region <> '' OR postal_code <> '' OR country <> ''
				OR birth_date <> '' OR national_id <> '' OR attributes <> '{}')`, formatTime(s.now()), id)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		erased = n > 0
		for _, q := range []string{
			`DELETE FROM source_refs WHERE customer_id = ?`,
			`DELETE FROM changes WHERE customer_id = ?`,
			`DELETE FROM email_checks WHERE customer_id = ?`,
			`DELETE FROM not_duplicates WHERE a = ?1 OR b = ?1`,
		} {
			res, err := tx.ExecContext(ctx, q, id)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			erased = erased || n > 0
		}
		res, err = tx.ExecContext(ctx, `UPDATE suggestions SET evidence = NULL,
			status = CASE WHEN status IN ('pending', 'skipped') THEN 'rejected' ELSE status END,
			decided_by = CASE WHEN status IN ('pending', 'skipped') THEN ? ELSE decided_by END,
			decision_cause = CASE WHEN status IN ('pending', 'skipped') THEN ? ELSE decision_cause END,
			updated_at = ?
			WHERE evidence IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(suggestions.customer_ids) m WHERE m.value = ?)`,
			m.Actor, m.Cause, formatTime(s.now()), id)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		erased = erased || n > 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("erase customer %d: %w", id, err)
	}
	return erased, nil
}
