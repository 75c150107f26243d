package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

const selectSuggestion = `SELECT id, customer_ids, probability, evidence, status, run_id,
	decided_by, decision_cause, created_at, updated_at FROM suggestions`

func scanSuggestion(row pgx.Row) (*steward.Suggestion, error) {
	var (
		sg       steward.Suggestion
		evidence []byte
		runID    *int64
	)
	if err := row.Scan(&sg.ID, &sg.CustomerIDs, &sg.Probability, &evidence, &sg.Status, &runID,
		&sg.DecidedBy, &sg.DecisionCause, &sg.CreatedAt, &sg.UpdatedAt); err != nil {
		return nil, err
	}
	if evidence != nil {
		sg.Evidence = json.RawMessage(evidence)
	}
	if runID != nil {
		sg.RunID = *runID
	}
	sg.CreatedAt, sg.UpdatedAt = sg.CreatedAt.UTC(), sg.UpdatedAt.UTC()
	return &sg, nil
}

func nullEvidence(e json.RawMessage) any {
	if len(e) == 0 {
		return nil
	}
	return []byte(e)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// UpsertSuggestion implements steward.SuggestionStore in one round trip:
// an INSERT … ON CONFLICT that updates only a pending suggestion whose
// probability or evidence (compared as jsonb, so key order does not count)
// changed, and the read of the stored row, pipelined. Concurrent upserts of one set meet in the unique
// member key.
func (s *Store) UpsertSuggestion(ctx context.Context, sg *steward.Suggestion) error {
	if err := sg.Normalize(); err != nil {
		return err
	}
	key := steward.SuggestionKey(sg.CustomerIDs)
	var stored *steward.Suggestion
	err := s.pipeline(ctx, func(b *pgx.Batch) {
		b.Queue(`INSERT INTO suggestions AS s
			(member_key, customer_ids, probability, evidence, status, run_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'pending', $5, $6, $6)
			ON CONFLICT (member_key) DO UPDATE SET probability = excluded.probability,
				evidence = excluded.evidence, run_id = excluded.run_id, updated_at = excluded.updated_at
			WHERE s.status = 'pending' AND (s.probability <> excluded.probability
				OR s.evidence::jsonb IS DISTINCT FROM excluded.evidence::jsonb)`,
			key, sg.CustomerIDs, sg.Probability, nullEvidence(sg.Evidence), nullID(sg.RunID), s.now())
		b.Queue(selectSuggestion+` WHERE member_key = $1`, key).QueryRow(func(row pgx.Row) error {
			var err error
			stored, err = scanSuggestion(row)
			return err
		})
	})
	if isForeignKey(err) {
		return steward.Errorf(steward.ENOTFOUND, "Job run %d does not exist.", sg.RunID)
	}
	if err != nil {
		return fmt.Errorf("upsert suggestion: %w", err)
	}
	*sg = *stored
	return nil
}

// suggestionChunk is how many suggestions one statement of
// UpsertSuggestions carries, as arrays.
const suggestionChunk = 5000

// UpsertSuggestions implements steward.SuggestionStore: in one transaction,
// per chunk one INSERT … SELECT FROM unnest … ON CONFLICT with the same
// rule as UpsertSuggestion, RETURNING the rows it wrote (their evidence is
// the one given); only the rows it left alone (unchanged or decided) are
// read afterwards.
// Within a call only the last suggestion of a member set is written (one
// statement cannot upsert a row twice); every suggestion of that set is
// then filled from the stored row. Chunks are in member key order, so that
// concurrent calls lock rows in the same order.
func (s *Store) UpsertSuggestions(ctx context.Context, ss []*steward.Suggestion) error {
	last := make(map[string]int, len(ss))
	keys := make([]string, len(ss))
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
	order := make([]int, 0, len(last))
	for _, i := range last {
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	stored := make(map[string]*steward.Suggestion, len(order))
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		now := s.now()
		for start := 0; start < len(order); start += suggestionChunk {
			chunk := order[start:min(start+suggestionChunk, len(order))]
			var (
				ckeys    = make([]string, len(chunk))
				members  = make([]string, len(chunk))
				probs    = make([]float64, len(chunk))
				evidence = make([]*string, len(chunk))
				runs     = make([]*int64, len(chunk))
			)
			for j, i := range chunk {
				sg := ss[i]
				ckeys[j] = keys[i]
				members[j] = "{" + keys[i] + "}"
				probs[j] = sg.Probability
				if len(sg.Evidence) > 0 {
					e := string(sg.Evidence)
					evidence[j] = &e
				}
				if sg.RunID != 0 {
					runs[j] = &sg.RunID
				}
			}
			rows, _ := tx.Query(ctx, `INSERT INTO suggestions AS s
				(member_key, customer_ids, probability, evidence, status, run_id, created_at, updated_at)
				SELECT u.k, u.m::bigint[], u.p, u.e::json, 'pending', u.r, $6, $6
				FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::bigint[]) AS u(k, m, p, e, r)
				ON CONFLICT (member_key) DO UPDATE SET probability = excluded.probability,
					evidence = excluded.evidence, run_id = excluded.run_id, updated_at = excluded.updated_at
				WHERE s.status = 'pending' AND (s.probability <> excluded.probability
					OR s.evidence::jsonb IS DISTINCT FROM excluded.evidence::jsonb)
				RETURNING `+writtenColumns, ckeys, members, probs, evidence, runs, now)
			if err := collectWritten(rows, stored, func(k string) json.RawMessage { return ss[last[k]].Evidence }); err != nil {
				if isForeignKey(err) {
					return steward.Errorf(steward.ENOTFOUND, "A job run of the suggestions does not exist.")
				}
				return err
			}
			// The rows the upsert left alone (unchanged or decided) are
			// not returned: read them.
			var left []string
			for _, k := range ckeys {
				if stored[k] == nil {
					left = append(left, k)
				}
			}
			if len(left) > 0 {
				rows, _ := tx.Query(ctx, `SELECT `+keyedColumns+` FROM suggestions WHERE member_key = ANY($1)`, left)
				if err := collectKeyed(rows, stored); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("upsert suggestions: %w", err)
	}
	for i, sg := range ss {
		st, ok := stored[keys[i]]
		if !ok {
			return fmt.Errorf("upsert suggestions: suggestion %s not stored", keys[i])
		}
		*sg = *st
	}
	return nil
}

// writtenColumns are the columns collectWritten reads: keyedColumns
// without the evidence, which the upsert wrote from its argument and need
// not come back (a kilobyte a suggestion from the import gate).
const writtenColumns = `member_key, id, customer_ids, probability, status, run_id,
	decided_by, decision_cause, created_at, updated_at`

// collectWritten reads rows of writtenColumns, the suggestions an upsert
// wrote, into stored by member key, each with the evidence it was written
// with, and closes rows.
func collectWritten(rows pgx.Rows, stored map[string]*steward.Suggestion, evidence func(key string) json.RawMessage) error {
	defer rows.Close()
	for rows.Next() {
		var (
			key   string
			sg    steward.Suggestion
			runID *int64
		)
		if err := rows.Scan(&key, &sg.ID, &sg.CustomerIDs, &sg.Probability, &sg.Status, &runID,
			&sg.DecidedBy, &sg.DecisionCause, &sg.CreatedAt, &sg.UpdatedAt); err != nil {
			return err
		}
		if e := evidence(key); len(e) > 0 {
			sg.Evidence = slices.Clone(e)
		}
		if runID != nil {
			sg.RunID = *runID
		}
		sg.CreatedAt, sg.UpdatedAt = sg.CreatedAt.UTC(), sg.UpdatedAt.UTC()
		stored[key] = &sg
	}
	return rows.Err()
}

// keyedColumns are the columns collectKeyed reads: the member key, then
// those of selectSuggestion.
const keyedColumns = `member_key, id, customer_ids, probability, evidence, status, run_id,
	decided_by, decision_cause, created_at, updated_at`

// collectKeyed reads rows of keyedColumns into stored by member key and
// closes rows.
func collectKeyed(rows pgx.Rows, stored map[string]*steward.Suggestion) error {
	defer rows.Close()
	for rows.Next() {
		var key string
		sg, err := scanSuggestion(keyed{rows, &key})
		if err != nil {
			return err
		}
		stored[key] = sg
	}
	return rows.Err()
}

// keyed scans a row that starts with the member key into key, and the rest
// as a suggestion.
type keyed struct {
	row pgx.Row
	key *string
}

func (k keyed) Scan(dest ...any) error {
	return k.row.Scan(append([]any{k.key}, dest...)...)
}

// Suggestion implements steward.SuggestionStore.
func (s *Store) Suggestion(ctx context.Context, id int64) (*steward.Suggestion, error) {
	sg, err := scanSuggestion(s.read(ctx).QueryRow(ctx, selectSuggestion+` WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Suggestion %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get suggestion %d: %w", id, err)
	}
	return sg, nil
}

// suggestionWhere is the condition of the suggestions f keeps (all but its
// order and page), and its arguments.
func suggestionWhere(f steward.SuggestionFilter) (string, []any) {
	where, args := `true`, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where += fmt.Sprintf(cond, len(args))
	}
	if f.Status != "" {
		add(` AND status = $%d`, string(f.Status))
	}
	if f.MinProbability > 0 {
		add(` AND probability >= $%d`, f.MinProbability)
	}
	if f.MaxProbability > 0 && f.MaxProbability < 1 {
		add(` AND probability <= $%d`, f.MaxProbability)
	}
	if !f.Since.IsZero() {
		add(` AND created_at >= $%d`, f.Since)
	}
	if !f.Until.IsZero() {
		add(` AND created_at < $%d`, f.Until)
	}
	if f.Source != "" {
		add(` AND EXISTS (SELECT 1 FROM source_refs r WHERE r.customer_id = ANY (suggestions.customer_ids) AND r.source = $%d)`, f.Source)
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
	if err := s.read(ctx).QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count suggestions: %w", err)
	}
	return n, nil
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
	order, tie, beyond := ` ORDER BY probability DESC, id`, `id >`, `probability <`
	if f.Order == steward.MostUncertain {
		order, tie, beyond = ` ORDER BY probability, id DESC`, `id <`, `probability >`
	}
	q := selectSuggestion + ` WHERE ` + where + order + limit
	if f.After != 0 {
		var p float64
		err := s.read(ctx).QueryRow(ctx, `SELECT probability FROM suggestions WHERE id = $1`, f.After).Scan(&p)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, steward.FieldErrorf(steward.ENOTFOUND, "cursor", "Suggestion %d, where the page was to continue, does not exist.", f.After)
		}
		if err != nil {
			return nil, fmt.Errorf("list suggestions: %w", err)
		}
		// Two index ranges (the rest of the cursor's probability, then the
		// ones beyond it) instead of an OR the planner would scan for.
		n := len(args)
		q = `(` + selectSuggestion + ` WHERE ` + where + fmt.Sprintf(` AND probability = $%d AND %s $%d`, n+1, tie, n+2) + order + limit + `)
			UNION ALL
			(` + selectSuggestion + ` WHERE ` + where + fmt.Sprintf(` AND %s $%d`, beyond, n+1) + order + limit + `)` + order + limit
		args = append(args, p, f.After)
	}
	rows, err := s.read(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list suggestions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*steward.Suggestion, error) { return scanSuggestion(row) })
	if err != nil {
		return nil, fmt.Errorf("list suggestions: %w", err)
	}
	if out == nil {
		out = []*steward.Suggestion{}
	}
	return out, nil
}

// SetSuggestionStatus implements steward.SuggestionStore.
func (s *Store) SetSuggestionStatus(ctx context.Context, id int64, status steward.SuggestionStatus, m steward.Meta) error {
	if !status.Valid() {
		return steward.Errorf(steward.EINVALID, "Unknown suggestion status %q.", status)
	}
	tag, err := s.one(ctx, nil, `UPDATE suggestions SET status = $1, decided_by = $2, decision_cause = $3,
		updated_at = $4 WHERE id = $5`, string(status), m.Actor, m.Cause, s.now(), id)
	if err != nil {
		return fmt.Errorf("set suggestion status: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return steward.Errorf(steward.ENOTFOUND, "Suggestion %d does not exist.", id)
	}
	return nil
}
