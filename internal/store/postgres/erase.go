package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

// EraseCustomer implements steward.ErasureStore.
func (s *Store) EraseCustomer(ctx context.Context, id int64, m steward.Meta) (bool, error) {
	erased := false
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM customers WHERE id = $1 FOR UPDATE`, id).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return steward.Errorf(steward.ENOTFOUND, "There is no customer %d.", id)
		} else if err != nil {
			return err
		}
		s.wroteCustomers(ctx)
		now := s.now()
		tag, err := tx.Exec(ctx, `UPDATE customers SET
			status = 'erased', version = version + 1, updated_at = $1,
			source = '', source_id = '', first_name = '', last_name = '', company = '',
			email = '', phone = '', address_line1 = '', address_line2 = '', city = '',
			region = '', postal_code = '', country = '', birth_date = '', national_id = '',
			attributes = '{}', change_seq = `+thisChangeSeq+`
			WHERE id = $2 AND (status <> 'erased' OR source <> '' OR source_id <> '' OR first_name <> ''
				OR last_name <> '' OR company <> '' OR email <> '' OR phone <> '' OR address_line1 <> ''
				OR address_line2 <> '' OR city <> '' OR region <> '' OR postal_code <> '' OR country <> ''
				OR birth_date <> '' OR national_id <> '' OR attributes <> '{}'::jsonb)`, now, id)
		if err != nil {
			return err
		}
		erased = tag.RowsAffected() > 0
		for _, q := range []string{
			`DELETE FROM source_refs WHERE customer_id = $1`,
			`DELETE FROM changes WHERE customer_id = $1`,
			`DELETE FROM email_checks WHERE customer_id = $1`,
			`DELETE FROM not_duplicates WHERE a = $1 OR b = $1`,
		} {
			tag, err := tx.Exec(ctx, q, id)
			if err != nil {
				return err
			}
			erased = erased || tag.RowsAffected() > 0
		}
		tag, err = tx.Exec(ctx, `UPDATE suggestions SET evidence = NULL,
			status = CASE WHEN status IN ('pending', 'skipped') THEN 'rejected' ELSE status END,
			decided_by = CASE WHEN status IN ('pending', 'skipped') THEN $1 ELSE decided_by END,
			decision_cause = CASE WHEN status IN ('pending', 'skipped') THEN $2 ELSE decision_cause END,
			updated_at = $3
			WHERE evidence IS NOT NULL AND $4 = ANY (customer_ids)`, m.Actor, m.Cause, now, id)
		if err != nil {
			return err
		}
		erased = erased || tag.RowsAffected() > 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("erase customer %d: %w", id, err)
	}
	return erased, nil
}
