package sqlite_test

import (
	"fmt"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) steward.Store { return storetest.SQLite(t) })
}

func BenchmarkCreateCustomers(b *testing.B) {
	for _, batch := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			storetest.BenchmarkCreateCustomers(b, storetest.SQLite(b), batch)
		})
	}
}
