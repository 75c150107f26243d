package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestCacheSize: the writer's page cache is what CacheSize says, 1 GiB
// without it; less than 1 MiB is refused.
func TestCacheSize(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want int64 // PRAGMA cache_size: negative KiB
	}{
		{"default", nil, -(DefaultCacheSize >> 10)},
		{"64MiB", []Option{CacheSize(64 << 20)}, -65536},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"), nil, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var got int64
			if err := s.pools.writer.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("cache_size %d, want %d", got, tt.want)
			}
		})
	}
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), nil, CacheSize(1000)); err == nil {
		t.Error("a 1000-byte cache was accepted")
	}
}
