package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

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

// suggestionsPerInsert is how many new suggestions one multi-row INSERT
// carries; the full-size statement is prepared once (see writerQueries).
const suggestionsPerInsert = 100

// suggestionChunk is how many suggestions UpsertSuggestions reads the
// stored versions of with one query.
const suggestionChunk = 500

// insertSuggestionsSQL returns the INSERT of rows new suggestions, each
// with an id, member key, members, probability, evidence, run id and time.
func insertSuggestionsSQL(rows int) string {
	return `INSERT INTO suggestions
		(id, member_key, customer_ids, probability, evidence, status, run_id, created_at, updated_at) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, 'pending', ?, ?, ?), ", rows), ", ")
}

// Statements of an upsert, prepared once on the writer (see writerQueries).
var (
	queryLastSuggestionID  = `SELECT COALESCE(MAX(id), 0) FROM suggestions`
	querySuggestionByKey   = selectSuggestion + ` WHERE member_key = ?`
	queryInsertSuggestions = insertSuggestionsSQL(suggestionsPerInsert)
	queryInsertSuggestion  = insertSuggestionsSQL(1)
	queryUpdateSuggestion  = `UPDATE suggestions SET probability = ?, evidence = ?, run_id = ?,
		updated_at = ? WHERE id = ?`
)

// UpsertSuggestion implements steward.SuggestionStore.
func (s *Store) UpsertSuggestion(ctx context.Context, sg *steward.Suggestion) error {
	return s.UpsertSuggestions(ctx, []*steward.Suggestion{sg})
}

// upsert is what UpsertSuggestions decided for one member set.
type upsert struct {
	sg      steward.Suggestion
	created bool // not stored before this call: insert
	changed bool // stored before and changed: update
}

// UpsertSuggestions implements steward.SuggestionStore: every suggestion is
// checked first; then, in one transaction and per chunk, one query reads
// the stored versions, the rule of UpsertSuggestion is applied in Go in
// order (so a member set given twice ends as the last one says, and every
// copy is filled with that), and the new ones are written with multi-row
// inserts, the changed ones updated.
func (s *Store) UpsertSuggestions(ctx context.Context, ss []*steward.Suggestion) error {
	keys := make([]string, len(ss))
	for i, sg := range ss {
		if err := sg.Normalize(); err != nil {
			return err
		}
		keys[i] = steward.SuggestionKey(sg.CustomerIDs)
	}
	if len(ss) == 0 {
		return nil
	}
	sets := make(map[string]*upsert, len(ss))
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := s.now()
		var last int64
		if err := s.prepared(ctx, queryLastSuggestionID).QueryRowContext(ctx).Scan(&last); err != nil {
			return fmt.Errorf("next suggestion id: %w", err)
		}
		for start := 0; start < len(ss); start += suggestionChunk {
			if err := ctx.Err(); err != nil {
				return err
			}
			end := min(start+suggestionChunk, len(ss))
			if err := s.readSuggestions(ctx, tx, keys[start:end], sets); err != nil {
				return err
			}
			var created, changed []*upsert
			for i := start; i < end; i++ {
				u, sg := sets[keys[i]], ss[i]
				switch {
				case u == nil:
					last++
					u = &upsert{created: true, sg: steward.Suggestion{ID: last, CustomerIDs: sg.CustomerIDs,
						Status: steward.SuggestionPending, CreatedAt: now}}
					sets[keys[i]] = u
					created = append(created, u)
				case u.sg.Status != steward.SuggestionPending,
					u.sg.Probability == sg.Probability && sameEvidence(u.sg.Evidence, sg.Evidence):
					continue
				case !u.created && !u.changed:
					u.changed = true
					changed = append(changed, u)
				}
				u.sg.Probability, u.sg.Evidence, u.sg.RunID, u.sg.UpdatedAt = sg.Probability, nil, sg.RunID, now
				if len(sg.Evidence) > 0 {
					u.sg.Evidence = sg.Evidence
				}
			}
			if err := s.insertSuggestions(ctx, tx, created); err != nil {
				return missingRun(err, ss)
			}
			update := s.prepared(ctx, queryUpdateSuggestion)
			for _, u := range changed {
				if _, err := update.ExecContext(ctx, u.sg.Probability, nullEvidence(u.sg.Evidence), nullID(u.sg.RunID),
					formatTime(now), u.sg.ID); err != nil {
					return missingRun(err, ss)
				}
				u.changed = false // a later chunk may change it again
			}
			for _, u := range created {
				u.created = false
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("upsert suggestions: %w", err)
	}
	for i, sg := range ss {
		*sg = sets[keys[i]].sg
	}
	return nil
}

// readSuggestions adds to sets the stored suggestions of keys it does not
// hold yet.
func (s *Store) readSuggestions(ctx context.Context, tx *sql.Tx, keys []string, sets map[string]*upsert) error {
	args := make([]any, 0, len(keys))
	for _, k := range keys {
		if sets[k] == nil {
			args = append(args, k)
		}
	}
	if len(args) == 0 {
		return nil
	}
	var (
		rows *sql.Rows
		err  error
	)
	if len(args) == 1 { // UpsertSuggestion, as the dedupe job calls it
		rows, err = s.prepared(ctx, querySuggestionByKey).QueryContext(ctx, args...)
	} else {
		rows, err = tx.QueryContext(ctx, selectSuggestion+` WHERE member_key IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	}
	if err != nil {
		return fmt.Errorf("read suggestions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		sg, err := scanSuggestion(rows)
		if err != nil {
			return fmt.Errorf("read suggestions: %w", err)
		}
		sets[steward.SuggestionKey(sg.CustomerIDs)] = &upsert{sg: *sg}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read suggestions: %w", err)
	}
	return nil
}

// insertSuggestions inserts the new suggestions us with multi-row inserts
// (one per suggestion when rowByRow): full-size chunks and single
// suggestions through prepared statements, the rest with one statement of
// its own size.
func (s *Store) insertSuggestions(ctx context.Context, tx *sql.Tx, us []*upsert) error {
	full := s.prepared(ctx, queryInsertSuggestions)
	per := suggestionsPerInsert
	if s.rowByRow(ctx) {
		per = 1
	}
	args := make([]any, 0, per*8)
	for start := 0; start < len(us); start += per {
		chunk := us[start:min(start+per, len(us))]
		args = args[:0]
		for _, u := range chunk {
			members, err := json.Marshal(u.sg.CustomerIDs)
			if err != nil {
				return err
			}
			at := formatTime(u.sg.CreatedAt)
			args = append(args, u.sg.ID, steward.SuggestionKey(u.sg.CustomerIDs), string(members), u.sg.Probability,
				nullEvidence(u.sg.Evidence), nullID(u.sg.RunID), at, formatTime(u.sg.UpdatedAt))
		}
		var err error
		switch len(chunk) {
		case suggestionsPerInsert:
			_, err = full.ExecContext(ctx, args...)
		case 1:
			_, err = s.prepared(ctx, queryInsertSuggestion).ExecContext(ctx, args...)
		default:
			_, err = tx.ExecContext(ctx, insertSuggestionsSQL(len(chunk)), args...)
		}
		if err != nil {
			return fmt.Errorf("insert suggestions: %w", err)
		}
	}
	return nil
}

// missingRun turns a foreign key violation on suggestions into ENOTFOUND:
// the only foreign key there is run_id.
func missingRun(err error, ss []*steward.Suggestion) error {
	if !isForeignKey(err) {
		return err
	}
	if len(ss) == 1 {
		return steward.Errorf(steward.ENOTFOUND, "Job run %d does not exist.", ss[0].RunID)
	}
	return steward.Errorf(steward.ENOTFOUND, "A job run of the suggestions does not exist.")
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

// Suggestions implements steward.SuggestionStore. Either review order is
// served by the (status, probability DESC, id) index, read forwards or
// backwards.
func (s *Store) Suggestions(ctx context.Context, f steward.SuggestionFilter) ([]*steward.Suggestion, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	where, args := suggestionWhere(f)
	limit := ""
	if f.Limit > 0 {
		limit = fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	order, tie, tieOrder, beyond := ` ORDER BY probability DESC, id`, `id > ?`, ` ORDER BY id`, `probability < ?`
	if f.Order == steward.MostUncertain {
		order, tie, tieOrder, beyond = ` ORDER BY probability, id DESC`, `id < ?`, ` ORDER BY id DESC`, `probability > ?`
	}
	if f.After == 0 {
		return s.querySuggestions(ctx, selectSuggestion+` WHERE `+where+order+limit, args...)
	}
	var p float64
	err := s.read(ctx).QueryRowContext(ctx, `SELECT probability FROM suggestions WHERE id = ?`, f.After).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.FieldErrorf(steward.ENOTFOUND, "cursor", "Suggestion %d, where the page was to continue, does not exist.", f.After)
	}
	if err != nil {
		return nil, fmt.Errorf("list suggestions: %w", err)
	}
	// Two index ranges, a query each: the rest of the cursor's probability,
	// then the ones beyond it. As one query (an OR, or a UNION ALL of the
	// two) SQLite sorts every suggestion beyond the cursor before it takes
	// the page: 30 ms instead of 0.3 at 100,000.
	out, err := s.querySuggestions(ctx, selectSuggestion+` WHERE `+where+` AND probability = ? AND `+tie+tieOrder+limit,
		append(slices.Clone(args), p, f.After)...)
	if err != nil || (f.Limit > 0 && len(out) >= f.Limit) {
		return out, err
	}
	if f.Limit > 0 {
		limit = fmt.Sprintf(" LIMIT %d", f.Limit-len(out))
	}
	more, err := s.querySuggestions(ctx, selectSuggestion+` WHERE `+where+` AND `+beyond+order+limit, append(args, p)...)
	return append(out, more...), err
}

// suggestionWhere is the condition of the suggestions f keeps (all but its
// order and page), and its arguments.
func suggestionWhere(f steward.SuggestionFilter) (string, []any) {
	where, args := `1 = 1`, []any{}
	if f.Status != "" {
		where += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.MinProbability > 0 {
		where += ` AND probability >= ?`
		args = append(args, f.MinProbability)
	}
	if f.MaxProbability > 0 && f.MaxProbability < 1 {
		where += ` AND probability <= ?`
		args = append(args, f.MaxProbability)
	}
	if !f.Since.IsZero() {
		where += ` AND created_at >= ?`
		args = append(args, formatTime(f.Since))
	}
	if !f.Until.IsZero() {
		where += ` AND created_at < ?`
		args = append(args, formatTime(f.Until))
	}
	if f.Source != "" {
		where += ` AND EXISTS (SELECT 1 FROM json_each(suggestions.customer_ids) m
			JOIN source_refs r ON r.customer_id = m.value WHERE r.source = ?)`
		args = append(args, f.Source)
	}
	return where, args
}

// CountSuggestions returns the number of suggestions f keeps, its order
// and cursor aside, counting no further than f.Limit when it is set.
func (s *Store) CountSuggestions(ctx context.Context, f steward.SuggestionFilter) (int64, error) {
	if err := f.Check(); err != nil {
		return 0, err
	}
	where, args := suggestionWhere(f)
	var n int64
	q := `SELECT count(*) FROM suggestions WHERE ` + where
	if f.Limit > 0 {
		q = fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM suggestions WHERE %s LIMIT %d) capped`, where, f.Limit)
	}
	if err := s.read(ctx).QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count suggestions: %w", err)
	}
	return n, nil
}

// querySuggestions runs a query of suggestions.
func (s *Store) querySuggestions(ctx context.Context, q string, args ...any) ([]*steward.Suggestion, error) {
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
