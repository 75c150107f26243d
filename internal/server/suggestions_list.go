package server

import (
	"net/http"

	"github.com/steward-crm/steward"
)

// listSuggestions answers GET /api/v1/suggestions: the review queue,
// pending ones unless status says otherwise (any for all), filtered by
// score band (min_probability, max_probability), source system and date
// (since, until), most confident first or, with order=uncertain, most
// uncertain first; limit at a time, continuing from cursor.
func (s *Server) listSuggestions(r *http.Request, c *call) (*response, error) {
	q := &query{r: r}
	f := steward.SuggestionFilter{
		Status:         steward.SuggestionStatus(q.str("status")),
		MinProbability: q.float("min_probability"),
		MaxProbability: q.float("max_probability"),
		Source:         q.str("source"),
		Since:          q.time("since"),
		Until:          q.time("until"),
		Order:          steward.SuggestionOrder(q.str("order")),
		Limit:          int(q.int("limit", 50, 1, 500)),
		After:          q.cursor(),
	}
	if q.err != nil {
		return nil, q.err
	}
	switch f.Status {
	case "":
		f.Status = steward.SuggestionPending
	case "any":
		f.Status = ""
	}
	sgs, err := s.st.Suggestions(r.Context(), f)
	if err != nil {
		return nil, err
	}
	return &response{body: newPage(sgs, f.Limit, func(sg *steward.Suggestion) int64 { return sg.ID })}, nil
}
