package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
	"github.com/steward-crm/steward/internal/search"
)

// searchResult is the answer of a customer search.
type searchResult struct {
	Items []search.Hit `json:"items"`
	// More says that more customers have every key searched for: search
	// for more of them (a full name, the email) to narrow it; or, for the
	// customers behind a metric, that NextCursor gives the next page.
	More       bool   `json:"more"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// searchCustomers answers GET /api/v1/customers: by steward's id (id),
// by a source record (source and source_id), or by what was typed (q: an
// email address, a phone number in any local format, a name in Persian or
// Latin letters; or email, phone and name each on its own), ranked by the
// matcher's probability that each is the customer described. A merged
// customer's id or source record finds the customer it was merged into.
// Or the customers behind a data-quality metric (metric, with source for
// one source system): those it counts as not good, or with passing=true
// those it counts as good, in id order, a page at a time.
func (s *Server) searchCustomers(r *http.Request, c *call) (*response, error) {
	q := &query{r: r}
	limit := int(q.int("limit", 20, 1, 100))
	id := q.int("id", 0, 1, 1<<62)
	source, sourceID := q.str("source"), q.str("source_id")
	sq := search.Query{Text: q.str("q"), Email: q.str("email"), Phone: q.str("phone"), Name: q.str("name")}
	metric := q.str("metric")
	if q.err != nil {
		return nil, q.err
	}
	ctx := r.Context()
	res := searchResult{Items: []search.Hit{}}
	c.detail = map[string]any{}
	switch {
	case metric != "":
		c.detail["by"] = "metric"
		return s.customersBehind(r, q, metric, source, limit, c)
	case id != 0:
		c.detail["by"] = "id"
		cu, _, err := merge.Resolve(ctx, s.st, id)
		if err != nil && steward.ErrorCode(err) != steward.ENOTFOUND {
			return nil, err
		}
		if err == nil {
			res.Items = append(res.Items, search.Hit{Customer: cu, Probability: 1})
		}
	case source != "" || sourceID != "":
		c.detail["by"] = "source"
		if source == "" || sourceID == "" {
			return nil, steward.FieldErrorf(steward.EMALFORMED, "source", "A source record is searched for by both source and source_id.")
		}
		cu, err := s.st.CustomerBySource(ctx, source, sourceID)
		if err == nil {
			cu, _, err = merge.Resolve(ctx, s.st, cu.ID)
		}
		if err != nil && steward.ErrorCode(err) != steward.ENOTFOUND {
			return nil, err
		}
		if err == nil {
			res.Items = append(res.Items, search.Hit{Customer: cu, Probability: 1})
		}
	case sq != (search.Query{}):
		c.detail["by"] = "keys"
		v, err := s.idx.recent(ctx)
		if err != nil {
			return nil, err
		}
		ids, more := v.search.Lookup(sq, limit)
		var found []*steward.Customer
		for _, id := range ids {
			cu, err := s.st.Customer(ctx, id)
			if steward.ErrorCode(err) == steward.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			if cu.Status == steward.StatusActive {
				found = append(found, cu)
			}
		}
		hits, err := search.Rank(ctx, sq.Record(), found, s.cfg.Matching, v.scorer.Model)
		if err != nil {
			return nil, err
		}
		res.Items, res.More = hits, more
	default:
		return nil, steward.FieldErrorf(steward.EMALFORMED, "q", "Say what to search for: q (an email, a phone, a name), email, phone, name, id, or source and source_id.")
	}
	c.detail["results"] = len(res.Items)
	if len(res.Items) == 1 {
		c.target = "customer:" + strconv.FormatInt(res.Items[0].Customer.ID, 10)
	}
	return &response{body: res}, nil
}

// customersBehind answers a search by metric: the customers behind one
// number of the quality report.
func (s *Server) customersBehind(r *http.Request, q *query, metric, source string, limit int, c *call) (*response, error) {
	after := q.cursor()
	passing := q.bool("passing")
	if q.err != nil {
		return nil, q.err
	}
	dim, field, _ := strings.Cut(metric, ".")
	key := steward.MetricKey{Dimension: dim, Field: field, Source: source}
	ids, more, err := s.cfg.Quality.Behind(r.Context(), s.st, key, passing, after, limit)
	if err != nil {
		return nil, err
	}
	res := searchResult{Items: []search.Hit{}, More: more}
	for _, id := range ids {
		cu, err := s.st.Customer(r.Context(), id)
		if steward.ErrorCode(err) == steward.ENOTFOUND {
			continue // erased since
		}
		if err != nil {
			return nil, err
		}
		res.Items = append(res.Items, search.Hit{Customer: cu})
	}
	if more && len(ids) > 0 {
		res.NextCursor = strconv.FormatInt(ids[len(ids)-1], 10)
	}
	c.detail["results"] = len(res.Items)
	return &response{body: res}, nil
}
