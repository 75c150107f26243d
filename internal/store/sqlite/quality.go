package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/steward-crm/steward"
)

// SaveSnapshot implements steward.SnapshotStore.
func (s *Store) SaveSnapshot(ctx context.Context, snap *steward.Snapshot) error {
	if err := steward.CheckSnapshot(snap); err != nil {
		return err
	}
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO quality_snapshots (taken_at, run_id, customers) VALUES (?, ?, ?) RETURNING id`,
			formatTime(snap.TakenAt), nullID(snap.RunID), snap.Customers).Scan(&id); err != nil {
			return fmt.Errorf("save snapshot: %w", err)
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO quality_metrics (snapshot_id, dimension, field, source, numerator, denominator)
			VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("save snapshot: %w", err)
		}
		defer ins.Close()
		for _, m := range snap.Metrics {
			if _, err := ins.ExecContext(ctx, id, m.Dimension, m.Field, m.Source, m.Numerator, m.Denominator); err != nil {
				if isUnique(err) {
					return steward.Errorf(steward.EINVALID, "Quality metric %s/%s/%s appears twice in one snapshot.", m.Dimension, m.Field, m.Source)
				}
				return fmt.Errorf("save snapshot metric: %w", err)
			}
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
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	q := s.read(ctx)
	rows, err := q.QueryContext(ctx, `SELECT id, taken_at, COALESCE(run_id, 0), customers FROM (
			SELECT * FROM quality_snapshots WHERE taken_at >= ? ORDER BY taken_at DESC, id DESC LIMIT ?
		) ORDER BY taken_at, id`, formatTime(since.UTC()), limit)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	var out []*steward.Snapshot
	byID := make(map[int64]*steward.Snapshot)
	for rows.Next() {
		var sn steward.Snapshot
		var at string
		if err := rows.Scan(&sn.ID, &at, &sn.RunID, &sn.Customers); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list snapshots: %w", err)
		}
		if sn.TakenAt, err = parseTime(at); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, &sn)
		byID[sn.ID] = &sn
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	mrows, err := q.QueryContext(ctx, `SELECT snapshot_id, dimension, field, source, numerator, denominator FROM quality_metrics
		WHERE snapshot_id >= ? AND snapshot_id <= ? ORDER BY snapshot_id, dimension, field, source`, minID(out), maxID(out))
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
		if sn := byID[id]; sn != nil {
			sn.Metrics = append(sn.Metrics, m)
		}
	}
	if err := mrows.Err(); err != nil {
		return nil, fmt.Errorf("list snapshot metrics: %w", err)
	}
	return out, nil
}

func minID(ss []*steward.Snapshot) int64 {
	m := ss[0].ID
	for _, s := range ss {
		m = min(m, s.ID)
	}
	return m
}

func maxID(ss []*steward.Snapshot) int64 {
	m := ss[0].ID
	for _, s := range ss {
		m = max(m, s.ID)
	}
	return m
}
