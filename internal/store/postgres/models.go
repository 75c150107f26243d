package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

// SaveModel implements steward.ModelStore.
func (s *Store) SaveModel(ctx context.Context, m *steward.StoredModel) error {
	if err := m.Normalize(); err != nil {
		return err
	}
	var id int64
	now := s.now()
	_, err := s.one(ctx, func(row pgx.Row) error { return row.Scan(&id) },
		`INSERT INTO models (trained_at, records, labels, origin, model, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		m.TrainedAt, m.Records, m.Labels, m.Origin, []byte(m.Model), now)
	if err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	m.ID, m.CreatedAt = id, now
	return nil
}

// LatestModel implements steward.ModelStore.
func (s *Store) LatestModel(ctx context.Context) (*steward.StoredModel, error) {
	var (
		m     steward.StoredModel
		model []byte
	)
	err := s.read(ctx).QueryRow(ctx, `SELECT id, trained_at, records, labels, origin, model, created_at
		FROM models ORDER BY id DESC LIMIT 1`).Scan(&m.ID, &m.TrainedAt, &m.Records, &m.Labels, &m.Origin, &model, &m.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "No matching model was saved yet.")
	}
	if err != nil {
		return nil, fmt.Errorf("get latest model: %w", err)
	}
	m.Model = json.RawMessage(model)
	m.TrainedAt, m.CreatedAt = m.TrainedAt.UTC(), m.CreatedAt.UTC()
	return &m, nil
}
