package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

// sourceRefChunk is how many refs one lookup query carries, as two arrays.
const sourceRefChunk = 10000

// CustomerIDsBySource implements steward.CustomerStore: chunks of refs are
// joined, as unnested arrays, to the source_refs primary key.
func (s *Store) CustomerIDsBySource(ctx context.Context, refs []steward.SourceRef) (map[steward.SourceRef]int64, error) {
	out := make(map[steward.SourceRef]int64, len(refs))
	q := s.read(ctx)
	sources := make([]string, 0, min(len(refs), sourceRefChunk))
	ids := make([]string, 0, min(len(refs), sourceRefChunk))
	for start := 0; start < len(refs); start += sourceRefChunk {
		sources, ids = sources[:0], ids[:0]
		for _, r := range refs[start:min(start+sourceRefChunk, len(refs))] {
			sources = append(sources, r.Source)
			ids = append(ids, r.ID)
		}
		rows, err := q.Query(ctx, `SELECT r.source, r.source_id, r.customer_id
			FROM unnest($1::text[], $2::text[]) AS u(source, source_id)
			JOIN source_refs r ON r.source = u.source AND r.source_id = u.source_id`, sources, ids)
		if err != nil {
			return nil, fmt.Errorf("look up source records: %w", err)
		}
		var (
			ref      steward.SourceRef
			customer int64
		)
		if _, err := pgx.ForEachRow(rows, []any{&ref.Source, &ref.ID, &customer}, func() error {
			out[ref] = customer
			return nil
		}); err != nil {
			return nil, fmt.Errorf("look up source records: %w", err)
		}
	}
	return out, nil
}
