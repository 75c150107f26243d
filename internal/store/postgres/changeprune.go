package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// pruneCustomerChanges deletes the rows of customer_change_txns no
// incremental run can start from any more: those before the least mark a
// run may still examine changes since, which is the mark of the latest
// successful run of each job that follows changes (its next run starts
// there), or the start of a running or failed latest run (which runs, or
// resumes, from there). Without such a run nothing is deleted.
const pruneCustomerChanges = `DELETE FROM customer_change_txns WHERE seq < (
	SELECT min(m) FROM (
		(SELECT DISTINCT ON (job) change_mark AS m FROM job_runs
		WHERE status = 'succeeded' AND change_mark > 0
		ORDER BY job, id DESC)
	UNION ALL
		SELECT changes_since FROM job_runs
		WHERE status IN ('running', 'failed') AND changes_since > 0
		AND id IN (SELECT max(id) FROM job_runs GROUP BY job)
	) AS floor)`

// PruneCustomerChanges deletes the record of the transactions that wrote
// customers before every mark an incremental job may still start from
// (CustomerChangeMark, steward.ChangeWindow), which no
// CustomerFilter.ChangedSince of theirs reads, so that the table does not
// grow with every write for ever. It returns how many it deleted. Runners
// call it after a run that follows changes succeeded.
func (s *Store) PruneCustomerChanges(ctx context.Context) (int64, error) {
	var n int64
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, pruneCustomerChanges)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune customer changes: %w", err)
	}
	return n, nil
}
