package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

const selectMerge = `SELECT id, survivor_id, status, version, suggestion_id, actor, cause,
	created_at, undone_by, undone_at, detail FROM merges`

// scanMerge reads a merge: its detail (the whole steward.Merge as JSON),
// overridden by the columns, which are the truth for what they hold.
func scanMerge(row pgx.Row) (*steward.Merge, error) {
	var (
		m                 steward.Merge
		id, survivor, ver int64
		status            string
		suggestion        *int64
		actor, cause, by  string
		created           time.Time
		undone            *time.Time
		detail            []byte
	)
	if err := row.Scan(&id, &survivor, &status, &ver, &suggestion, &actor, &cause, &created, &by, &undone, &detail); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(detail, &m); err != nil {
		return nil, fmt.Errorf("merge %d: decode detail: %w", id, err)
	}
	m.ID, m.SurvivorID, m.Status, m.Version = id, survivor, steward.MergeStatus(status), ver
	m.SuggestionID, m.Actor, m.Cause, m.UndoneBy = 0, actor, cause, by
	if suggestion != nil {
		m.SuggestionID = *suggestion
	}
	m.CreatedAt, m.UndoneAt = created.UTC(), time.Time{}
	if undone != nil {
		m.UndoneAt = undone.UTC()
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
	detail, err := json.Marshal(&stored)
	if err != nil {
		return fmt.Errorf("create merge: encode: %w", err)
	}
	members := make([]int64, len(m.Members))
	for i, mm := range m.Members {
		members[i] = mm.CustomerID
	}
	var id int64
	err = s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		// No foreign key checks the members (see migration 0009): a plain
		// read does, without locking their rows.
		var missing *int64
		if err := tx.QueryRow(ctx, `SELECT min(m) FROM unnest($1::bigint[]) AS m
			WHERE NOT EXISTS (SELECT 1 FROM customers WHERE id = m)`, members).Scan(&missing); err != nil {
			return fmt.Errorf("check merge members: %w", err)
		}
		if missing != nil {
			return steward.Errorf(steward.ENOTFOUND, "Customer %d, a member of the merge, does not exist.", *missing)
		}
		err := tx.QueryRow(ctx, `INSERT INTO merges (survivor_id, status, version, suggestion_id, actor, cause, created_at, detail)
			VALUES ($1, $2, 1, $3, $4, $5, $6, $7) RETURNING id`, m.SurvivorID, string(steward.MergeActive), nullID(m.SuggestionID),
			m.Actor, m.Cause, now, detail).Scan(&id)
		if err != nil {
			return mergeForeignKey(err, m)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO merge_members (customer_id, merge_id) SELECT unnest($1::bigint[]), $2`, members, id); err != nil {
			return fmt.Errorf("insert merge members: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create merge: %w", err)
	}
	m.ID, m.Status, m.Version, m.CreatedAt = id, steward.MergeActive, 1, now
	return nil
}

// mergeForeignKey turns a foreign key violation on merges into ENOTFOUND:
// the only foreign key there is the suggestion.
func mergeForeignKey(err error, m *steward.Merge) error {
	if !isForeignKey(err) {
		return fmt.Errorf("insert merge: %w", err)
	}
	return steward.Errorf(steward.ENOTFOUND, "Suggestion %d, which the merge decides, does not exist.", m.SuggestionID)
}

// Merge implements steward.MergeStore.
func (s *Store) Merge(ctx context.Context, id int64) (*steward.Merge, error) {
	m, err := scanMerge(s.read(ctx).QueryRow(ctx, selectMerge+` WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Merge %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get merge %d: %w", id, err)
	}
	return m, nil
}

// Merges implements steward.MergeStore.
func (s *Store) Merges(ctx context.Context, f steward.MergeFilter) ([]*steward.Merge, error) {
	var c conditions
	if f.Status != "" {
		c.add(`status = $%d`, string(f.Status))
	}
	if f.CustomerID != 0 {
		c.add(`id IN (SELECT merge_id FROM merge_members WHERE customer_id = $%d)`, f.CustomerID)
	}
	if f.Before != 0 {
		c.add(`id < $%d`, f.Before)
	}
	return collect(ctx, s, "merges", c.newestFirst(selectMerge, f.Limit), c.args, scanMerge)
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
		return fmt.Errorf("update merge %d: encode: %w", m.ID, err)
	}
	var undone *time.Time
	if !m.UndoneAt.IsZero() {
		undone = &m.UndoneAt
	}
	err = s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE merges SET status = $1, version = version + 1, undone_by = $2, undone_at = $3, detail = $4
			WHERE id = $5 AND version = $6`, string(m.Status), m.UndoneBy, undone, detail, m.ID, m.Version)
		if err != nil {
			return fmt.Errorf("update merge: %w", err)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var version int64
		err = tx.QueryRow(ctx, `SELECT version FROM merges WHERE id = $1`, m.ID).Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
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
	return collect(ctx, s, "source references", `SELECT source, source_id FROM source_refs WHERE customer_id = $1
		ORDER BY source COLLATE "C", source_id COLLATE "C"`, []any{customerID}, scanSourceRef)
}

func scanSourceRef(row pgx.Row) (steward.SourceRef, error) {
	var r steward.SourceRef
	err := row.Scan(&r.Source, &r.ID)
	return r, err
}

// MoveSourceRefs implements steward.MergeStore with one statement that
// moves them all and counts what it moved.
func (s *Store) MoveSourceRefs(ctx context.Context, refs []steward.SourceRef, to int64) error {
	if len(refs) == 0 {
		return nil
	}
	sources, ids := make([]string, len(refs)), make([]string, len(refs))
	for i, r := range refs {
		sources[i], ids[i] = r.Source, r.ID
	}
	return s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customers WHERE id = $1)`, to).Scan(&exists); err != nil {
			return fmt.Errorf("move source references: %w", err)
		}
		if !exists {
			return steward.Errorf(steward.ENOTFOUND, "Customer %d, to move source records to, does not exist.", to)
		}
		rows, err := tx.Query(ctx, `UPDATE source_refs r SET customer_id = $1
			FROM unnest($2::text[], $3::text[]) AS u(source, source_id)
			WHERE r.source = u.source AND r.source_id = u.source_id
			RETURNING r.source, r.source_id`, to, sources, ids)
		if err != nil {
			return fmt.Errorf("move source references: %w", err)
		}
		moved, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (steward.SourceRef, error) { return scanSourceRef(row) })
		if err != nil {
			return fmt.Errorf("move source references: %w", err)
		}
		if len(moved) == len(refs) {
			return nil
		}
		got := make(map[steward.SourceRef]bool, len(moved))
		for _, r := range moved {
			got[r] = true
		}
		for _, r := range refs {
			if !got[r] {
				return steward.Errorf(steward.ENOTFOUND, "Source record %s/%s is not known.", r.Source, r.ID)
			}
		}
		return nil
	})
}

// MergedInto implements steward.MergeStore.
func (s *Store) MergedInto(ctx context.Context, id int64) ([]int64, error) {
	return collect(ctx, s, "merged customers", `SELECT id FROM customers WHERE merged_into = $1 ORDER BY id`, []any{id},
		func(row pgx.Row) (int64, error) {
			var c int64
			err := row.Scan(&c)
			return c, err
		})
}

// TouchCustomer implements steward.MergeStore.
func (s *Store) TouchCustomer(ctx context.Context, id, version int64) error {
	return s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE customers SET version = version + 1 WHERE id = $1 AND version = $2`, id, version)
		if err != nil {
			return fmt.Errorf("touch customer %d: %w", id, err)
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var stored int64
		err = tx.QueryRow(ctx, `SELECT version FROM customers WHERE id = $1`, id).Scan(&stored)
		if errors.Is(err, pgx.ErrNoRows) {
			return steward.Errorf(steward.ENOTFOUND, "Customer %d does not exist.", id)
		}
		if err != nil {
			return fmt.Errorf("touch customer %d: %w", id, err)
		}
		return steward.StaleVersion(id, version, stored)
	})
}
