package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/steward-crm/steward"
)

// bumpGeneration is the last statement of a transaction that wrote
// customers. It records the generation the transaction commits as with
// its id, which the customers it wrote carry (thisChangeSeq).
const bumpGeneration = `WITH g AS (
	UPDATE customer_generation SET n = n + 1, token = md5(random()::text || clock_timestamp()::text) RETURNING n)
INSERT INTO customer_change_txns (seq, xid) SELECT n, ` + thisChangeSeq + ` FROM g`

// wroteCustomers records that the transaction ctx joins wrote the customers
// table, so that its commit bumps the generation. It is called inside
// write's fn, where ctx always carries the transaction.
func (s *Store) wroteCustomers(ctx context.Context) {
	if t := s.stateOf(ctx); t != nil {
		t.top.wroteCustomers = true
	}
}

// CustomerGeneration implements steward.CustomerStore. Inside a
// transaction it reads, like every read here (READ COMMITTED), what is
// committed when it runs: another transaction that commits meanwhile is
// counted. A cache built inside one transaction is therefore safe to tag
// with the generation read before it began plus one, if that is what the
// generation is after the commit; otherwise someone else wrote customers
// meanwhile.
func (s *Store) CustomerGeneration(ctx context.Context) (steward.Generation, error) {
	var g steward.Generation
	if err := s.read(ctx).QueryRow(ctx, `SELECT database, n, token FROM customer_generation`).Scan(&g.Database, &g.N, &g.Token); err != nil {
		return steward.Generation{}, fmt.Errorf("read customer generation: %w", err)
	}
	return g, nil
}

// thisChangeSeq is the change_seq of a customer written now (and the
// column's default, for COPY): the id of the writing transaction, whose
// commit then records the generation it commits as in
// customer_change_txns (see bumpGeneration).
const thisChangeSeq = `pg_current_xact_id()::text::bigint`

// noChanges is the least transaction id when no customer changed since
// a mark: greater than every change_seq.
const noChanges = int64(math.MaxInt64)

// leastChangedXID returns the least id of the transactions that wrote
// customers and committed as generation since or later, noChanges when
// there are none.
func leastChangedXID(ctx context.Context, q querier, since int64) (int64, error) {
	var least *int64
	if err := q.QueryRow(ctx, `SELECT min(xid) FROM customer_change_txns WHERE seq >= $1`, since).Scan(&least); err != nil {
		return 0, fmt.Errorf("changed customers: %w", err)
	}
	if least == nil {
		return noChanges, nil
	}
	return *least, nil
}

// CustomerChangeMark implements steward.CustomerStore: the generation the
// next commit that wrote customers gets. Commits that write customers are
// ordered by the generation row's lock, so every one after the call has
// a greater seq than every one before.
func (s *Store) CustomerChangeMark(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read(ctx).QueryRow(ctx, `SELECT n + 1 FROM customer_generation`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read customer change mark: %w", err)
	}
	return n, nil
}
