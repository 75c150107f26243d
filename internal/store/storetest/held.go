package storetest

import (
	"context"
	"testing"

	"github.com/steward-crm/steward"
)

// testHeldCustomer: a held customer is stored, counted and listed apart
// from the active ones, and becomes active by an update.
func testHeldCustomer(t *testing.T, s steward.Store) {
	ctx := context.Background()
	customers(t, s, 2)
	held := sample(7)
	held.Status = steward.StatusHeld
	must(t, s.CreateCustomers(ctx, []*steward.Customer{held}, meta))
	if n, err := s.CountCustomers(ctx, steward.StatusActive); err != nil || n != 2 {
		t.Errorf("%d active (%v), want 2: a held customer is not active", n, err)
	}
	if n, err := s.CountCustomers(ctx, steward.StatusHeld); err != nil || n != 1 {
		t.Errorf("%d held (%v), want 1", n, err)
	}
	got, err := s.Customer(ctx, held.ID)
	must(t, err)
	if got.Status != steward.StatusHeld {
		t.Fatalf("stored as %s", got.Status)
	}
	got.Status = steward.StatusActive
	must(t, s.UpdateCustomer(ctx, got, meta))
	if n, _ := s.CountCustomers(ctx, steward.StatusActive); n != 3 {
		t.Errorf("%d active after letting the held one in, want 3", n)
	}
	bad := sample(8)
	bad.Status = "pending"
	wantCode(t, s.CreateCustomers(ctx, []*steward.Customer{bad}, meta), steward.EINVALID)
}
