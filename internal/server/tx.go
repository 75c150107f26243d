package server

import (
	"context"
	"net/http"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
)

// write runs fn in one transaction with the call's audit entry (action,
// status 200): the change and its record in the audit log commit
// together or not at all. fn returns the customers it wrote, which the
// indexes take in once committed. admission holds the admission lock
// (gate.AdmissionLock), as every transaction that admits records does.
func (s *Server) write(ctx context.Context, c *call, action string, admission bool,
	fn func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error)) error {
	var opts []steward.TxOption
	if admission {
		opts = append(opts, steward.Exclusive(gate.AdmissionLock))
	}
	var before steward.Generation
	var touched []*steward.Customer
	err := s.st.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		var err error
		if before, err = tx.CustomerGeneration(ctx); err != nil {
			return err
		}
		if touched, err = fn(ctx, tx); err != nil {
			return err
		}
		e, err := s.auditEntry(c, action, http.StatusOK, nil)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, e)
	}, opts...)
	if err != nil {
		return err
	}
	c.audited = true
	s.idx.after(ctx, before, touched)
	return nil
}
