package sqlite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestCacheSize: the writer's page cache is told what CacheSize says
// (1 GiB without it) over pageCost; less than 1 MiB is refused.
func TestCacheSize(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want int64 // PRAGMA cache_size: negative KiB
	}{
		{"default", nil, -(DefaultCacheSize / pageCost >> 10)},
		{"64MiB", []Option{CacheSize(64 << 20)}, -32768},
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

// TestCacheSizeBoundsMemory: a page cache given 16 MiB, filled by reading
// a 48 MB database through the writer, makes the process take about 16
// MiB more resident memory, not twice that (a cache_size of the bytes
// given: each page takes an 8 KiB slot of the driver's allocator). Not
// parallel: it measures the process.
func TestCacheSizeBoundsMemory(t *testing.T) {
	const size = 16 << 20
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"), nil, CacheSize(size))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := s.pools.writer
	if _, err := w.ExecContext(ctx, `CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL);
		INSERT INTO filler (body) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 96000)
		SELECT randomblob(500) FROM n`); err != nil {
		t.Fatal(err)
	}
	// A new connection, so that the cache starts empty.
	w.SetMaxIdleConns(0)
	w.SetMaxIdleConns(1)
	before := residentBytes(t)
	var n int64
	for range 2 {
		if err := w.QueryRowContext(ctx, `SELECT count(*) FROM filler WHERE length(body) = 500`).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	grew := residentBytes(t) - before
	t.Logf("%d rows read; resident memory grew %.1f MiB for a cache of %d MiB", n, float64(grew)/(1<<20), size>>20)
	if grew > size*5/4 {
		t.Errorf("resident memory grew %.1f MiB reading through a cache of %d MiB", float64(grew)/(1<<20), size>>20)
	}
}

// residentBytes returns the process's resident memory (VmRSS).
func residentBytes(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Skip("no VmRSS in /proc/self/status")
	return 0
}
