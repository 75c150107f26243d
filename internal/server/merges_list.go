package server

import (
	"net/http"
	"time"

	"github.com/steward-crm/steward"
)

// mergeSummary is a merge as lists show it: who, whom, when; not the
// members' records (GET /api/v1/merges/{id} has them, and is audited).
type mergeSummary struct {
	ID           int64               `json:"id"`
	SurvivorID   int64               `json:"survivor_id"`
	Status       steward.MergeStatus `json:"status"`
	Version      int64               `json:"version"`
	Members      []int64             `json:"members"`
	TakenOut     []int64             `json:"taken_out,omitempty"`
	SuggestionID int64               `json:"suggestion_id,omitempty"`
	Actor        string              `json:"actor"`
	CreatedAt    time.Time           `json:"created_at"`
	UndoneBy     string              `json:"undone_by,omitempty"`
	UndoneAt     time.Time           `json:"undone_at,omitzero"`
}

func summarize(ms []*steward.Merge) []mergeSummary {
	out := make([]mergeSummary, len(ms))
	for i, m := range ms {
		out[i] = mergeSummary{ID: m.ID, SurvivorID: m.SurvivorID, Status: m.Status, Version: m.Version,
			SuggestionID: m.SuggestionID, Actor: m.Actor, CreatedAt: m.CreatedAt, UndoneBy: m.UndoneBy, UndoneAt: m.UndoneAt,
			Members: []int64{}}
		for _, mm := range m.Members {
			out[i].Members = append(out[i].Members, mm.CustomerID)
			if !mm.In() {
				out[i].TakenOut = append(out[i].TakenOut, mm.CustomerID)
			}
		}
	}
	return out
}

// listMerges answers GET /api/v1/merges: newest first, of one status
// (active, undone) or customer (customer_id) when asked, limit at a time.
func (s *Server) listMerges(r *http.Request, c *call) (*response, error) {
	q := &query{r: r}
	f := steward.MergeFilter{Status: steward.MergeStatus(q.str("status")), CustomerID: q.int("customer_id", 0, 1, 1<<62),
		Limit: int(q.int("limit", 50, 1, 500)), Before: q.cursor()}
	if q.err != nil {
		return nil, q.err
	}
	if f.Status != "" && f.Status != steward.MergeActive && f.Status != steward.MergeUndone {
		return nil, steward.FieldErrorf(steward.EMALFORMED, "status", "status is active or undone, not %q.", f.Status)
	}
	ms, err := s.st.Merges(r.Context(), f)
	if err != nil {
		return nil, err
	}
	return &response{body: newPage(summarize(ms), f.Limit, func(m mergeSummary) int64 { return m.ID })}, nil
}
