package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/steward-crm/steward"
)

// createCustomer answers POST /api/v1/customers: the record (canonical
// fields by their CSV names, id and source, other columns in attributes)
// goes through the import gate: standardized, validated, matched against
// the customers. It answers 201 with a new customer (and, for a probable
// duplicate, the candidate and the suggestion queued), 200 when the
// record's (source, id) was known and that customer was updated or
// already said this, or when the rules merged it into its match; 422 with
// the findings of an invalid record; 409 with the candidate when the
// rules block duplicates. A record without a source is from "api", and
// gets an id when it has none.
func (s *Server) createCustomer(r *http.Request, c *call) (*response, error) {
	var rec steward.Record
	if err := decode(r, &rec); err != nil {
		return nil, err
	}
	switch {
	case rec.Source == "" && rec.SourceID == "":
		rec.Source, rec.SourceID = "api", newSourceID()
	case rec.Source == "":
		rec.Source = "api"
	case rec.SourceID == "":
		return nil, steward.FieldErrorf(steward.EINVALID, "id", "A record from source %q needs its id there (the field id), so that sending it again updates the same customer.", rec.Source)
	}
	var out *admitted
	err := s.write(r.Context(), c, "customer.create", true, func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		a, touched, err := s.admit(ctx, tx, rec, nil, c)
		out = a
		return touched, err
	})
	if err != nil {
		return nil, err
	}
	res := &response{status: http.StatusOK, body: out, etag: customerETag(out.Customer),
		location: fmt.Sprintf("/api/v1/customers/%d", out.Customer.ID)}
	if out.Outcome == steward.OutcomeCreated || out.Outcome == steward.OutcomeHeld {
		res.status = http.StatusCreated
	}
	return res, nil
}
