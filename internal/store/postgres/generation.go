package postgres

import (
	"context"
	"fmt"

	"github.com/steward-crm/steward"
)

// bumpGeneration is the last statement of a transaction that wrote
// customers.
const bumpGeneration = `UPDATE customer_generation SET n = n + 1, token = md5(random()::text || clock_timestamp()::text)`

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
