package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/steward-crm/steward"
)

// SaveModel implements steward.ModelStore.
func (s *Store) SaveModel(ctx context.Context, m *steward.StoredModel) error {
	if err := m.Normalize(); err != nil {
		return err
	}
	var id int64
	now := s.now()
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO models (trained_at, records, labels, origin, model, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			formatTime(m.TrainedAt), m.Records, m.Labels, m.Origin, string(m.Model), formatTime(now)).Scan(&id)
		if err != nil {
			return fmt.Errorf("save model: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.ID, m.CreatedAt = id, now
	return nil
}

// LatestModel implements steward.ModelStore.
func (s *Store) LatestModel(ctx context.Context) (*steward.StoredModel, error) {
	var (
		m                steward.StoredModel
		model            string
		trained, created string
	)
	err := s.read(ctx).QueryRowContext(ctx, `SELECT id, trained_at, records, labels, origin, model, created_at
		FROM models ORDER BY id DESC LIMIT 1`).Scan(&m.ID, &trained, &m.Records, &m.Labels, &m.Origin, &model, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "No matching model was saved yet.")
	}
	if err != nil {
		return nil, fmt.Errorf("get latest model: %w", err)
	}
	m.Model = json.RawMessage(model)
	if m.TrainedAt, err = parseTime(trained); err != nil {
		return nil, err
	}
	if m.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &m, nil
}
