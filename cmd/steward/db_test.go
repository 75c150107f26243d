package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestIndexCachePath(t *testing.T) {
	env := &Env{Getenv: func(k string) string {
		return map[string]string{"XDG_CACHE_HOME": "/cache", "STEWARD_DB": "/srv/crm.db"}[k]
	}}
	tests := []struct {
		name, dsn, flag, want string
	}{
		{"beside an SQLite file", "data/steward.db", "", "data/steward.db.index"},
		{"beside $STEWARD_DB", "", "", "/srv/crm.db.index"},
		{"beside an sqlite:// file", "sqlite:///var/lib/steward.db", "", "/var/lib/steward.db.index"},
		{"named by the flag", "data/steward.db", "/tmp/ix", "/tmp/ix"},
		{"turned off", "data/steward.db", "off", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := indexCachePath(env, tt.dsn, tt.flag); got != tt.want {
				t.Errorf("indexCachePath(%q, %q) = %q, want %q", tt.dsn, tt.flag, got, tt.want)
			}
		})
	}
	a := indexCachePath(env, "postgres://steward:secret@db/crm", "")
	b := indexCachePath(env, "postgres://steward:secret@db/other", "")
	if filepath.Dir(a) != "/cache/steward" || a == b || strings.Contains(a, "secret") {
		t.Errorf("PostgreSQL caches %q and %q: want distinct files in /cache/steward", a, b)
	}
}
