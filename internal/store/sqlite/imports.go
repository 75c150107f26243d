package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/steward-crm/steward"
)

const selectImport = `SELECT id, source, name, actor, status, error, started_at, finished_at,
	rows_read, accepted, rejected, created, updated, merged, summary FROM imports`

func scanImport(sc scanner) (*steward.ImportRecord, error) {
	var im steward.ImportRecord
	var started, finished string
	var summary sql.NullString
	if err := sc.Scan(&im.ID, &im.Source, &im.Name, &im.Actor, &im.Status, &im.Error, &started, &finished,
		&im.Rows, &im.Accepted, &im.Rejected, &im.Created, &im.Updated, &im.Merged, &summary); err != nil {
		return nil, err
	}
	var err error
	if im.StartedAt, err = parseTime(started); err != nil {
		return nil, err
	}
	if im.FinishedAt, err = parseTime(finished); err != nil {
		return nil, err
	}
	if summary.Valid {
		im.Summary = []byte(summary.String)
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
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO imports (source, name, actor, status, error, started_at, finished_at,
			rows_read, accepted, rejected, created, updated, merged, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			im.Source, im.Name, im.Actor, string(im.Status), im.Error, formatTime(im.StartedAt), formatTime(im.FinishedAt),
			im.Rows, im.Accepted, im.Rejected, im.Created, im.Updated, im.Merged, summary)
		if err != nil {
			return fmt.Errorf("record import: %w", err)
		}
		im.ID, err = res.LastInsertId()
		return err
	})
}

// Import implements steward.ImportStore.
func (s *Store) Import(ctx context.Context, id int64) (*steward.ImportRecord, error) {
	im, err := scanImport(s.read(ctx).QueryRowContext(ctx, selectImport+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Import %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get import %d: %w", id, err)
	}
	return im, nil
}

// Imports implements steward.ImportStore.
func (s *Store) Imports(ctx context.Context, f steward.ImportFilter) ([]*steward.ImportRecord, error) {
	var where []string
	var args []any
	if f.Source != "" {
		where, args = append(where, `source = ?`), append(args, f.Source)
	}
	if f.Before != 0 {
		where, args = append(where, `id < ?`), append(args, f.Before)
	}
	return queryAll(ctx, s, "imports", newestFirst(selectImport, where, f.Limit), args, scanImport)
}
