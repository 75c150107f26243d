package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/steward-crm/steward"
)

// wroteCustomers records that the transaction ctx joins wrote the customers
// table, so that its commit bumps the generation. It is called inside
// write's fn, where ctx always carries the transaction.
func (s *Store) wroteCustomers(ctx context.Context) {
	if t := s.txOf(ctx); t != nil {
		t.wroteCustomers = true
	}
}

// bumpGeneration is the last statement of a transaction that wrote
// customers.
func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE customer_generation SET n = n + 1, token = lower(hex(randomblob(8)))`); err != nil {
		return fmt.Errorf("bump customer generation: %w", err)
	}
	return nil
}

// CustomerGeneration implements steward.CustomerStore.
func (s *Store) CustomerGeneration(ctx context.Context) (steward.Generation, error) {
	var g steward.Generation
	if err := s.read(ctx).QueryRowContext(ctx, `SELECT database, n, token FROM customer_generation`).Scan(&g.Database, &g.N, &g.Token); err != nil {
		return steward.Generation{}, fmt.Errorf("read customer generation: %w", err)
	}
	return g, nil
}

// nextChangeSeq is the change_seq of a customer written now: the
// generation this transaction commits as. SQLite has one writer at a time
// and bumpGeneration adds one at commit, so it is the committed n plus
// one; any later write commits as a greater one.
const nextChangeSeq = `(SELECT n + 1 FROM customer_generation)`

// CustomerChangeMark implements steward.CustomerStore: the generation the
// next transaction that writes customers commits as.
func (s *Store) CustomerChangeMark(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read(ctx).QueryRowContext(ctx, `SELECT `+nextChangeSeq).Scan(&n); err != nil {
		return 0, fmt.Errorf("read customer change mark: %w", err)
	}
	return n, nil
}
