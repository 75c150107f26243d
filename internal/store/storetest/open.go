package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/steward-crm/steward/internal/store/sqlite"
)

// SQLite returns a new migrated SQLite store in a file under t.TempDir(),
// closed when the test ends.
func SQLite(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "steward.db"), nil)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close sqlite: %v", err)
		}
	})
	return s
}
