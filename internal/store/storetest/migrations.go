package storetest

import (
	"context"
	"testing"

	"github.com/steward-crm/steward"
)

func testMigrateTwice(t *testing.T, s steward.Store) {
	m, ok := s.(Migrator)
	if !ok {
		t.Skip("the store does not migrate itself")
	}
	c := create(t, s, sample(1))
	for range 2 {
		applied, err := m.Migrate(context.Background())
		must(t, err)
		if len(applied) != 0 {
			t.Errorf("migrating a migrated store applied %v", applied)
		}
	}
	sameCustomer(t, get(t, s, c.ID), c)
}
