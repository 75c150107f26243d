package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

// SaveSnapshot implements steward.SnapshotStore.
func (s *Store) SaveSnapshot(ctx context.Context, snap *steward.Snapshot) error {
	if err := steward.CheckSnapshot(snap); err != nil {
		return err
	}
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO quality_snapshots (taken_at, run_id, customers) VALUES ($1, $2, $3) RETURNING id`,
			snap.TakenAt, nullID(snap.RunID), snap.Customers).Scan(&id); err != nil {
			return fmt.Errorf("save snapshot: %w", err)
		}
		rows := make([][]any, len(snap.Metrics))
		for i, m := range snap.Metrics {
			rows[i] = []any{id, m.Dimension, m.Field, m.Source, m.Numerator, m.Denominator}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"quality_metrics"},
			[]string{"snapshot_id", "dimension", "field", "source", "numerator", "denominator"}, pgx.CopyFromRows(rows)); err != nil {
			if isUnique(err) {
				return steward.Errorf(steward.EINVALID, "A quality metric appears twice in one snapshot.")
			}
			return fmt.Errorf("save snapshot metrics: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	snap.ID = id
	return nil
}

// Snapshots implements steward.SnapshotStore.
func (s *Store) Snapshots(ctx context.Context, since time.Time, limit int) ([]*steward.Snapshot, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	q := s.read(ctx)
	rows, err := q.Query(ctx, `SELECT id, taken_at, COALESCE(run_id, 0), customers FROM (
			SELECT * FROM quality_snapshots WHERE taken_at >= $1 ORDER BY taken_at DESC, id DESC LIMIT $2
		) newest ORDER BY taken_at, id`, since.UTC(), lim)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*steward.Snapshot, error) {
		var sn steward.Snapshot
		err := row.Scan(&sn.ID, &sn.TakenAt, &sn.RunID, &sn.Customers)
		sn.TakenAt = sn.TakenAt.UTC()
		return &sn, err
	})
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	byID := make(map[int64]*steward.Snapshot, len(out))
	ids := make([]int64, len(out))
	for i, sn := range out {
		byID[sn.ID], ids[i] = sn, sn.ID
	}
	mrows, err := q.Query(ctx, `SELECT snapshot_id, dimension, field, source, numerator, denominator FROM quality_metrics
		WHERE snapshot_id = ANY($1) ORDER BY snapshot_id, dimension, field, source`, ids)
	if err != nil {
		return nil, fmt.Errorf("list snapshot metrics: %w", err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var id int64
		var m steward.Metric
		if err := mrows.Scan(&id, &m.Dimension, &m.Field, &m.Source, &m.Numerator, &m.Denominator); err != nil {
			return nil, fmt.Errorf("list snapshot metrics: %w", err)
		}
		byID[id].Metrics = append(byID[id].Metrics, m)
	}
	if err := mrows.Err(); err != nil {
		return nil, fmt.Errorf("list snapshot metrics: %w", err)
	}
	return out, nil
}
