package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/steward-crm/steward"
)

const selectMerge = `SELECT id, survivor_id, status, version, suggestion_id, actor, cause,
	created_at, undone_by, undone_at, detail FROM merges`

// scanMerge reads a merge: its detail (the whole steward.Merge as JSON),
// overridden by the columns, which are the truth for what they hold.
func scanMerge(sc scanner) (*steward.Merge, error) {
	var (
		m                 steward.Merge
		id, survivor, ver int64
		status            string
		suggestion        sql.NullInt64
		actor, cause, by  string
		created, detail   string
		undone            sql.NullString
	)
	if err := sc.Scan(&id, &survivor, &status, &ver, &suggestion, &actor, &cause, &created, &by, &undone, &detail); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(detail), &m); err != nil {
		return nil, fmt.Errorf("merge %d: decode detail: %w", id, err)
	}
	m.ID, m.SurvivorID, m.Status, m.Version = id, survivor, steward.MergeStatus(status), ver
	m.SuggestionID, m.Actor, m.Cause, m.UndoneBy = suggestion.Int64, actor, cause, by
	var err error
	if m.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if m.UndoneAt, err = parseNullTime(undone); err != nil {
		return nil, err
	}
	return &m, nil
}

// CreateMerge implements steward.MergeStore.
func (s *Store) CreateMerge(ctx context.Context, m *steward.Merge) error {
	if err := m.Check(); err != nil {
		return err
	}
	now := s.now()
	stored := *m
	stored.Status, stored.Version, stored.CreatedAt = steward.MergeActive, 1, now
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		detail, err := json.Marshal(&stored)
		if err != nil {
			return fmt.Errorf("encode merge: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO merges (survivor_id, status, version, suggestion_id, actor, cause, created_at, detail)
			VALUES (?, ?, 1, ?, ?, ?, ?, ?)`, m.SurvivorID, string(steward.MergeActive), nullID(m.SuggestionID),
			m.Actor, m.Cause, formatTime(now), string(detail))
		if err != nil {
			return mergeForeignKey(err, m)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert merge: %w", err)
		}
		for _, mm := range m.Members {
			if _, err := tx.ExecContext(ctx, `INSERT INTO merge_members (customer_id, merge_id) VALUES (?, ?)`,
				mm.CustomerID, id); err != nil {
				if isForeignKey(err) {
					return steward.Errorf(steward.ENOTFOUND, "Customer %d, a member of the merge, does not exist.", mm.CustomerID)
				}
				return fmt.Errorf("insert merge member: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create merge: %w", err)
	}
	m.ID, m.Status, m.Version, m.CreatedAt = id, steward.MergeActive, 1, now
	return nil
}

// mergeForeignKey turns a foreign key violation on merges into ENOTFOUND
// naming the survivor or the suggestion.
func mergeForeignKey(err error, m *steward.Merge) error {
	if !isForeignKey(err) {
		return fmt.Errorf("insert merge: %w", err)
	}
	if m.SuggestionID != 0 {
		return steward.Errorf(steward.ENOTFOUND, "Customer %d or suggestion %d, of the merge, does not exist.", m.SurvivorID, m.SuggestionID)
	}
	return steward.Errorf(steward.ENOTFOUND, "Customer %d, the survivor of the merge, does not exist.", m.SurvivorID)
}

// Merge implements steward.MergeStore.
func (s *Store) Merge(ctx context.Context, id int64) (*steward.Merge, error) {
	m, err := scanMerge(s.read(ctx).QueryRowContext(ctx, selectMerge+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Merge %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get merge %d: %w", id, err)
	}
	return m, nil
}

// Merges implements steward.MergeStore.
func (s *Store) Merges(ctx context.Context, f steward.MergeFilter) ([]*steward.Merge, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, `status = ?`), append(args, string(f.Status))
	}
	if f.CustomerID != 0 {
		where, args = append(where, `id IN (SELECT merge_id FROM merge_members WHERE customer_id = ?)`), append(args, f.CustomerID)
	}
	if f.Before != 0 {
		where, args = append(where, `id < ?`), append(args, f.Before)
	}
	return queryAll(ctx, s, "merges", newestFirst(selectMerge, where, f.Limit), args, scanMerge)
}

// UpdateMerge implements steward.MergeStore.
func (s *Store) UpdateMerge(ctx context.Context, m *steward.Merge) error {
	if m.Status != steward.MergeActive && m.Status != steward.MergeUndone {
		return steward.Errorf(steward.EINVALID, "A merge is active or undone, not %q.", m.Status)
	}
	if err := m.Check(); err != nil {
		return err
	}
	stored := *m
	stored.Version++
	detail, err := json.Marshal(&stored)
	if err != nil {
		return fmt.Errorf("encode merge: %w", err)
	}
	var undone any
	if !m.UndoneAt.IsZero() {
		undone = formatTime(m.UndoneAt)
	}
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE merges SET status = ?, version = version + 1, undone_by = ?, undone_at = ?, detail = ?
			WHERE id = ? AND version = ?`, string(m.Status), m.UndoneBy, undone, string(detail), m.ID, m.Version)
		if err != nil {
			return fmt.Errorf("update merge: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update merge: %w", err)
		} else if n == 1 {
			return nil
		}
		var version int64
		err = tx.QueryRowContext(ctx, `SELECT version FROM merges WHERE id = ?`, m.ID).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return steward.Errorf(steward.ENOTFOUND, "Merge %d does not exist.", m.ID)
		}
		if err != nil {
			return fmt.Errorf("update merge: %w", err)
		}
		return steward.StaleMerge(m.ID, m.Version, version)
	})
	if err != nil {
		return fmt.Errorf("update merge %d: %w", m.ID, err)
	}
	m.Version++
	return nil
}

// SourceRefs implements steward.MergeStore.
func (s *Store) SourceRefs(ctx context.Context, customerID int64) ([]steward.SourceRef, error) {
	return queryAll(ctx, s, "source references", `SELECT source, source_id FROM source_refs WHERE customer_id = ?
		ORDER BY source, source_id`, []any{customerID}, func(sc scanner) (steward.SourceRef, error) {
		var r steward.SourceRef
		err := sc.Scan(&r.Source, &r.ID)
		return r, err
	})
}

// MoveSourceRefs implements steward.MergeStore.
func (s *Store) MoveSourceRefs(ctx context.Context, refs []steward.SourceRef, to int64) error {
	if len(refs) == 0 {
		return nil
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE id = ?`, to).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return steward.Errorf(steward.ENOTFOUND, "Customer %d, to move source records to, does not exist.", to)
		}
		if err != nil {
			return fmt.Errorf("move source references: %w", err)
		}
		for _, r := range refs {
			res, err := tx.ExecContext(ctx, `UPDATE source_refs SET customer_id = ? WHERE source = ? AND source_id = ?`, to, r.Source, r.ID)
			if err != nil {
				return fmt.Errorf("move source references: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("move source references: %w", err)
			} else if n == 0 {
				return steward.Errorf(steward.ENOTFOUND, "Source record %s/%s is not known.", r.Source, r.ID)
			}
		}
		return nil
	})
}

// MergedInto implements steward.MergeStore.
func (s *Store) MergedInto(ctx context.Context, id int64) ([]int64, error) {
	return queryAll(ctx, s, "merged customers", `SELECT id FROM customers WHERE merged_into = ? ORDER BY id`, []any{id},
		func(sc scanner) (int64, error) {
			var c int64
			err := sc.Scan(&c)
			return c, err
		})
}

// TouchCustomer implements steward.MergeStore.
func (s *Store) TouchCustomer(ctx context.Context, id, version int64) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE customers SET version = version + 1 WHERE id = ? AND version = ?`, id, version)
		if err != nil {
			return fmt.Errorf("touch customer %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("touch customer %d: %w", id, err)
		} else if n == 1 {
			return nil
		}
		var stored int64
		err = tx.QueryRowContext(ctx, `SELECT version FROM customers WHERE id = ?`, id).Scan(&stored)
		if errors.Is(err, sql.ErrNoRows) {
			return steward.Errorf(steward.ENOTFOUND, "Customer %d does not exist.", id)
		}
		if err != nil {
			return fmt.Errorf("touch customer %d: %w", id, err)
		}
		return steward.StaleVersion(id, version, stored)
	})
}
