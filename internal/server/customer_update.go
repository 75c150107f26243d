package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/merge"
)

// updateCustomer answers PATCH /api/v1/customers/{id}: the fields given
// are set (a field left out, or sent empty, keeps its value: the gate
// never blanks one), and the customer as it then is goes through the
// import gate like an import's row of its source record: standardized,
// validated (422 with the findings), matched for duplicates (a suggestion
// queued). If-Match with the customer's ETag makes it conditional: 409
// with the customer as it is when someone changed it since.
func (s *Server) updateCustomer(r *http.Request, c *call) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	want, err := versionOf(ifMatch(r), "c")
	if err != nil {
		return nil, err
	}
	var patch steward.Record
	if err := decode(r, &patch); err != nil {
		return nil, err
	}
	if patch.Source != "" || patch.SourceID != "" {
		return nil, steward.FieldErrorf(steward.EINVALID, "source", "A customer's source and id are where it came from, and are not updated.")
	}
	c.target = fmt.Sprintf("customer:%d", id)
	var out *admitted
	err = s.write(r.Context(), c, "customer.update", true, func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		cur, err := tx.Customer(ctx, id)
		if err != nil {
			return nil, err
		}
		switch {
		case cur.Status == steward.StatusMerged:
			return nil, steward.Errorf(steward.ECONFLICT, "Customer %d was merged into customer %d; update that one.", id, cur.MergedInto)
		case cur.Status == steward.StatusErased:
			return nil, steward.Errorf(steward.ECONFLICT, "Customer %d was erased.", id)
		case want != 0 && want != cur.Version:
			return nil, &merge.ConflictError{Err: steward.StaleVersion(id, want, cur.Version), Current: []*steward.Customer{cur}}
		}
		refs, err := tx.SourceRefs(ctx, id)
		if err != nil {
			return nil, err
		}
		own := steward.SourceRef{Source: cur.Record.Source, ID: cur.Record.SourceID}
		var ref *steward.SourceRef
		for i := range refs {
			if refs[i] == own || ref == nil {
				ref = &refs[i]
			}
		}
		if ref == nil {
			return nil, steward.Errorf(steward.EINVALID, "Customer %d has no source record, so it cannot be updated through the gate; import its record with a source and an id.", id)
		}
		rec := gate.Overlay(&cur.Record, &patch)
		rec.Source, rec.SourceID = ref.Source, ref.ID
		marks, err := tx.NotDuplicatesOf(ctx, []int64{id})
		if err != nil {
			return nil, err
		}
		a, touched, err := s.admit(ctx, tx, rec, marks, c)
		if err != nil {
			return nil, err
		}
		if a.Customer.ID != id {
			return nil, fmt.Errorf("update of customer %d admitted customer %d", id, a.Customer.ID)
		}
		// Someone else's write between the read above and the gate's.
		if want != 0 && a.Outcome == steward.OutcomeUpdated && a.Customer.Version != want+1 {
			return nil, steward.StaleVersion(id, want, a.Customer.Version-1)
		}
		out = a
		return touched, nil
	})
	if err != nil {
		return nil, err
	}
	return &response{body: out, etag: customerETag(out.Customer)}, nil
}
