package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/steward-crm/steward"
)

// Stats implements steward.StatsStore.
func (s *Store) Stats(ctx context.Context) (*steward.Stats, error) {
	q := s.read(ctx)
	st := &steward.Stats{Imports: map[string]int64{}, LastSuccess: map[string]time.Time{}}
	if err := q.QueryRow(ctx, `SELECT count(*) FROM suggestions WHERE status = 'pending'`).Scan(&st.PendingSuggestions); err != nil {
		return nil, fmt.Errorf("count pending suggestions: %w", err)
	}
	if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM customers`).Scan(&st.MaxCustomerID); err != nil {
		return nil, fmt.Errorf("greatest customer id: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT status, count(*), coalesce(sum(rows_read), 0)::bigint, coalesce(sum(rejected), 0)::bigint FROM imports GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count imports: %w", err)
	}
	for rows.Next() {
		var status string
		var n, read, rejected int64
		if err := rows.Scan(&status, &n, &read, &rejected); err != nil {
			rows.Close()
			return nil, fmt.Errorf("count imports: %w", err)
		}
		st.Imports[status] = n
		st.ImportRows += read
		st.ImportRejected += rejected
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count imports: %w", err)
	}
	jobs, err := q.Query(ctx, `SELECT job, max(finished_at) FROM job_runs WHERE status = 'succeeded' AND job NOT LIKE '%#%' GROUP BY job`)
	if err != nil {
		return nil, fmt.Errorf("last successes: %w", err)
	}
	defer jobs.Close()
	for jobs.Next() {
		var job string
		var at time.Time
		if err := jobs.Scan(&job, &at); err != nil {
			return nil, fmt.Errorf("last successes: %w", err)
		}
		st.LastSuccess[job] = at.UTC()
	}
	if err := jobs.Err(); err != nil {
		return nil, fmt.Errorf("last successes: %w", err)
	}
	return st, nil
}
