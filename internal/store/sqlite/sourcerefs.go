package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/steward-crm/steward"
)

// sourceRefChunk is how many source ids one lookup query binds.
const sourceRefChunk = 500

// CustomerIDsBySource implements steward.CustomerStore: per source, chunks
// of ids probe the source_refs primary key with an IN list.
func (s *Store) CustomerIDsBySource(ctx context.Context, refs []steward.SourceRef) (map[steward.SourceRef]int64, error) {
	out := make(map[steward.SourceRef]int64, len(refs))
	bySource := make(map[string][]string)
	for _, r := range refs {
		bySource[r.Source] = append(bySource[r.Source], r.ID)
	}
	q := s.read(ctx)
	args := make([]any, 0, 1+sourceRefChunk)
	for source, ids := range bySource {
		for start := 0; start < len(ids); start += sourceRefChunk {
			chunk := ids[start:min(start+sourceRefChunk, len(ids))]
			args = append(args[:0], source)
			for _, id := range chunk {
				args = append(args, id)
			}
			query := `SELECT source_id, customer_id FROM source_refs WHERE source = ? AND source_id IN (?` +
				strings.Repeat(", ?", len(chunk)-1) + `)`
			if err := lookUpSourceRefs(ctx, q, query, args, source, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func lookUpSourceRefs(ctx context.Context, q querier, query string, args []any, source string, out map[steward.SourceRef]int64) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("look up source records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var customer int64
		if err := rows.Scan(&id, &customer); err != nil {
			return fmt.Errorf("look up source records: %w", err)
		}
		out[steward.SourceRef{Source: source, ID: id}] = customer
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look up source records: %w", err)
	}
	return nil
}
