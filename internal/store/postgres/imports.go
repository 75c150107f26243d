package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

const selectImport = `SELECT id, source, name, actor, status, error, started_at, finished_at,
	rows_read, accepted, rejected, created, updated, merged, summary FROM imports`

func scanImport(row pgx.Row) (*steward.ImportRecord, error) {
	var im steward.ImportRecord
	var status string
	var summary []byte
	if err := row.Scan(&im.ID, &im.Source, &im.Name, &im.Actor, &status, &im.Error, &im.StartedAt, &im.FinishedAt,
		&im.Rows, &im.Accepted, &im.Rejected, &im.Created, &im.Updated, &im.Merged, &summary); err != nil {
		return nil, err
	}
	im.Status = steward.ImportStatus(status)
	im.StartedAt, im.FinishedAt = im.StartedAt.UTC(), im.FinishedAt.UTC()
	if len(summary) > 0 {
		im.Summary = summary
	}
	return &im, nil
}

// RecordImport implements steward.ImportStore.
func (s *Store) RecordImport(ctx context.Context, im *steward.ImportRecord) error {
	if err := im.Check(); err != nil {
		return err
	}
	var summary any
	if len(im.Summary) > 0 {
		summary = string(im.Summary)
	}
	_, err := s.one(ctx, func(row pgx.Row) error { return row.Scan(&im.ID) },
		`INSERT INTO imports (source, name, actor, status, error, started_at, finished_at,
			rows_read, accepted, rejected, created, updated, merged, summary)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb) RETURNING id`,
		im.Source, im.Name, im.Actor, string(im.Status), im.Error, im.StartedAt, im.FinishedAt,
		im.Rows, im.Accepted, im.Rejected, im.Created, im.Updated, im.Merged, summary)
	if err != nil {
		return fmt.Errorf("record import: %w", err)
	}
	return nil
}

// Import implements steward.ImportStore.
func (s *Store) Import(ctx context.Context, id int64) (*steward.ImportRecord, error) {
	im, err := scanImport(s.read(ctx).QueryRow(ctx, selectImport+` WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Import %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get import %d: %w", id, err)
	}
	return im, nil
}

// Imports implements steward.ImportStore.
func (s *Store) Imports(ctx context.Context, f steward.ImportFilter) ([]*steward.ImportRecord, error) {
	var c conditions
	if f.Source != "" {
		c.add(`source = $%d`, f.Source)
	}
	if f.Before != 0 {
		c.add(`id < $%d`, f.Before)
	}
	return collect(ctx, s, "imports", c.newestFirst(selectImport, f.Limit), c.args, scanImport)
}
