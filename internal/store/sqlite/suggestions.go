package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/steward-crm/steward"
)

const selectSuggestion = `SELECT id, customer_ids, probability, evidence, status, run_id,
	decided_by, decision_cause, created_at, updated_at FROM suggestions`

func scanSuggestion(sc scanner) (*steward.Suggestion, error) {
	var (
		sg               steward.Suggestion
		ids              string
		evidence         sql.NullString
		runID            sql.NullInt64
		created, updated string
	)
	if err := sc.Scan(&sg.ID, &ids, &sg.Probability, &evidence, &sg.Status, &runID,
		&sg.DecidedBy, &sg.DecisionCause, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ids), &sg.CustomerIDs); err != nil {
		return nil, fmt.Errorf("suggestion %d: decode members: %w", sg.ID, err)
	}
	if evidence.Valid {
		sg.Evidence = json.RawMessage(evidence.String)
	}
	sg.RunID = runID.Int64
	var err error
	if sg.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if sg.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &sg, nil
}

// sameEvidence reports whether two JSON documents mean the same.
func sameEvidence(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func nullEvidence(e json.RawMessage) any {
	if len(e) == 0 {
		return nil
	}
	return string(e)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Statements of an upsert, prepared once on the writer (see writerQueries).
var (
	querySuggestionByKey  = selectSuggestion + ` WHERE member_key = ?`
	queryInsertSuggestion = `INSERT INTO suggestions
		(member_key, customer_ids, probability, evidence, status, run_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id`
	queryUpdateSuggestion = `UPDATE suggestions SET probability = ?, evidence = ?, run_id = ?,
		updated_at = ? WHERE id = ?`
)

// UpsertSuggestion implements steward.SuggestionStore.
func (s *Store) UpsertSuggestion(ctx context.Context, sg *steward.Suggestion) error {
	if err := s.UpsertSuggestions(ctx, []*steward.Suggestion{sg}); err != nil {
		if steward.ErrorCode(err) == steward.EINVALID {
			return err
		}
		return fmt.Errorf("upsert suggestion: %w", err)
	}
	return nil
}

// UpsertSuggestions implements steward.SuggestionStore: every suggestion is
// checked first, then all are upserted in one transaction through
// statements prepared once, each a read of the stored suggestion and at
// most one write. A member set given twice is upserted twice, in order, so
// the last one wins.
func (s *Store) UpsertSuggestions(ctx context.Context, ss []*steward.Suggestion) error {
	keys := make([]string, len(ss))
	last := make(map[string]int, len(ss))
	for i, sg := range ss {
		if err := sg.Normalize(); err != nil {
			return err
		}
		keys[i] = steward.SuggestionKey(sg.CustomerIDs)
		last[keys[i]] = i
	}
	if len(ss) == 0 {
		return nil
	}
	stored := make([]steward.Suggestion, len(ss))
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		at := s.now()
		byKey := s.prepared(ctx, querySuggestionByKey)
		insert := s.prepared(ctx, queryInsertSuggestion)
		update := s.prepared(ctx, queryUpdateSuggestion)
		for i, sg := range ss {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := upsertSuggestion(ctx, byKey, insert, update, sg, keys[i], at, &stored[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("upsert suggestions: %w", err)
	}
	// A member set given twice: every copy shows the last one's result.
	for i, sg := range ss {
		*sg = stored[last[keys[i]]]
	}
	return nil
}

// upsertSuggestion upserts one normalized suggestion and sets stored to
// what the table then holds, without reading it again.
func upsertSuggestion(ctx context.Context, byKey, insert, update *sql.Stmt, sg *steward.Suggestion, key string, now time.Time, stored *steward.Suggestion) error {
	at := formatTime(now)
	old, err := scanSuggestion(byKey.QueryRowContext(ctx, key))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		members, err := json.Marshal(sg.CustomerIDs)
		if err != nil {
			return err
		}
		var id int64
		if err := insert.QueryRowContext(ctx, key, string(members), sg.Probability, nullEvidence(sg.Evidence),
			nullID(sg.RunID), at, at).Scan(&id); err != nil {
			if isForeignKey(err) {
				return steward.Errorf(steward.ENOTFOUND, "Job run %d does not exist.", sg.RunID)
			}
			return err
		}
		*stored = steward.Suggestion{ID: id, CustomerIDs: sg.CustomerIDs, Probability: sg.Probability,
			Status: steward.SuggestionPending, RunID: sg.RunID, CreatedAt: now, UpdatedAt: now}
		if len(sg.Evidence) > 0 {
			stored.Evidence = sg.Evidence
		}
		return nil
	case err != nil:
		return err
	case old.Status != steward.SuggestionPending,
		old.Probability == sg.Probability && sameEvidence(old.Evidence, sg.Evidence):
		*stored = *old
		return nil
	}
	if _, err := update.ExecContext(ctx, sg.Probability, nullEvidence(sg.Evidence), nullID(sg.RunID), at, old.ID); err != nil {
		if isForeignKey(err) {
			return steward.Errorf(steward.ENOTFOUND, "Job run %d does not exist.", sg.RunID)
		}
		return err
	}
	*stored = *old
	stored.Probability, stored.Evidence, stored.RunID, stored.UpdatedAt = sg.Probability, nil, sg.RunID, now
	if len(sg.Evidence) > 0 {
		stored.Evidence = sg.Evidence
	}
	return nil
}

// Suggestion implements steward.SuggestionStore.
func (s *Store) Suggestion(ctx context.Context, id int64) (*steward.Suggestion, error) {
	sg, err := scanSuggestion(s.read(ctx).QueryRowContext(ctx, selectSuggestion+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Suggestion %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get suggestion %d: %w", id, err)
	}
	return sg, nil
}

// Suggestions implements steward.SuggestionStore. The review order is
// served by the (status, probability DESC, id) index.
func (s *Store) Suggestions(ctx context.Context, f steward.SuggestionFilter) ([]*steward.Suggestion, error) {
	where, args := `1 = 1`, []any{}
	if f.Status != "" {
		where += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	limit := ""
	if f.Limit > 0 {
		limit = fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	order := ` ORDER BY probability DESC, id`
	q := selectSuggestion + ` WHERE ` + where + order + limit
	if f.After != 0 {
		var p float64
		err := s.read(ctx).QueryRowContext(ctx, `SELECT probability FROM suggestions WHERE id = ?`, f.After).Scan(&p)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, steward.Errorf(steward.ENOTFOUND, "Suggestion %d does not exist.", f.After)
		}
		if err != nil {
			return nil, fmt.Errorf("list suggestions: %w", err)
		}
		// Two index ranges (the rest of the cursor's probability, then the
		// lower ones) instead of an OR the planner would scan for.
		q = `SELECT * FROM (` + selectSuggestion + ` WHERE ` + where + ` AND probability = ? AND id > ? ORDER BY id` + limit + `)
			UNION ALL
			SELECT * FROM (` + selectSuggestion + ` WHERE ` + where + ` AND probability < ?` + order + limit + `)` + order + limit
		args = append(append(append(args, p, f.After), args...), p)
	}
	rows, err := s.read(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list suggestions: %w", err)
	}
	defer rows.Close()
	out := []*steward.Suggestion{}
	for rows.Next() {
		sg, err := scanSuggestion(rows)
		if err != nil {
			return nil, fmt.Errorf("list suggestions: %w", err)
		}
		out = append(out, sg)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list suggestions: %w", err)
	}
	return out, nil
}

// SetSuggestionStatus implements steward.SuggestionStore.
func (s *Store) SetSuggestionStatus(ctx context.Context, id int64, status steward.SuggestionStatus, m steward.Meta) error {
	if !status.Valid() {
		return steward.Errorf(steward.EINVALID, "Unknown suggestion status %q.", status)
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE suggestions SET status = ?, decided_by = ?, decision_cause = ?,
			updated_at = ? WHERE id = ?`, string(status), m.Actor, m.Cause, formatTime(s.now()), id)
		if err != nil {
			return fmt.Errorf("set suggestion status: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("set suggestion status: %w", err)
		} else if n == 0 {
			return steward.Errorf(steward.ENOTFOUND, "Suggestion %d does not exist.", id)
		}
		return nil
	})
}

// AddNotDuplicate implements steward.SuggestionStore.
func (s *Store) AddNotDuplicate(ctx context.Context, a, b int64, m steward.Meta) error {
	if a == b {
		return steward.Errorf(steward.EINVALID, "A customer is always a duplicate of itself (%d).", a)
	}
	p := steward.NewPair(a, b)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO not_duplicates (a, b, created_at, actor, cause)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (a, b) DO NOTHING`, p.A, p.B, formatTime(s.now()), m.Actor, m.Cause)
		if isForeignKey(err) {
			return steward.Errorf(steward.ENOTFOUND, "Customer %d or %d does not exist.", p.A, p.B)
		}
		if err != nil {
			return fmt.Errorf("add not-duplicate pair: %w", err)
		}
		return nil
	})
}

// NotDuplicatePairs implements steward.SuggestionStore.
func (s *Store) NotDuplicatePairs(ctx context.Context) (map[steward.Pair]bool, error) {
	rows, err := s.read(ctx).QueryContext(ctx, `SELECT a, b FROM not_duplicates`)
	if err != nil {
		return nil, fmt.Errorf("list not-duplicate pairs: %w", err)
	}
	defer rows.Close()
	out := make(map[steward.Pair]bool)
	for rows.Next() {
		var p steward.Pair
		if err := rows.Scan(&p.A, &p.B); err != nil {
			return nil, fmt.Errorf("list not-duplicate pairs: %w", err)
		}
		out[p] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list not-duplicate pairs: %w", err)
	}
	return out, nil
}
