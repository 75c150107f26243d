package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/erase"
)

// eraseCustomer answers DELETE /api/v1/customers/{id}: the customer, and
// everyone merged with it, erased for good, their addresses kept
// suppressed as keyed hashes (package erase). Erasing again answers what
// is left: nothing.
func (s *Server) eraseCustomer(r *http.Request, c *call) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if s.cfg.Keys == nil {
		return nil, errNoKeys()
	}
	c.target = "customer:" + strconv.FormatInt(id, 10)
	ctx := r.Context()
	before, err := s.st.CustomerGeneration(ctx)
	if err != nil {
		return nil, err
	}
	er := &erase.Eraser{Keys: s.cfg.Keys, Region: s.cfg.Region}
	// Erase writes its own audit entry, in its transaction.
	res, err := er.Erase(ctx, s.st, id, c.meta())
	if err != nil {
		return nil, err
	}
	c.audited = true
	touched := make([]*steward.Customer, 0, len(res.Customers))
	for _, cid := range res.Customers {
		cu, err := s.st.Customer(context.WithoutCancel(ctx), cid)
		if err != nil {
			return nil, err
		}
		touched = append(touched, cu)
	}
	s.idx.after(ctx, before, touched)
	return &response{body: res}, nil
}

// errNoKeys is the error of what needs suppression keys on a server
// started without them.
func errNoKeys() error {
	return steward.Errorf(steward.EUNAVAILABLE, "This server has no suppression keys: start it with STEWARD_HASH_KEY and STEWARD_TOKEN_KEYS set, the same as every other instance's.")
}
