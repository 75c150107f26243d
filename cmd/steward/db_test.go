package main

import (
	"os"
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

// TestDatabaseSecretsRedacted: a keyword/value connection string is taken
// for PostgreSQL, not for an SQLite file name, and no password reaches
// the output in either form.
func TestDatabaseSecretsRedacted(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, dsn := range []string{
		"host=127.0.0.1 port=1 dbname=crm user=steward password=s3cret connect_timeout=1",
		"postgres://steward@127.0.0.1:1/crm?password=s3cret&connect_timeout=1",
		"postgres://steward:s3cret@127.0.0.1:1/crm?connect_timeout=1",
	} {
		out, errOut, code := runWith(t, nil, "export", "--db", dsn, "--out", "-")
		if code == exitOK || strings.Contains(out+errOut, "s3cret") {
			t.Errorf("export --db %q: exit %d, output %q %q; want a failure without the password", dsn, code, out, errOut)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("a connection string made files: %v", entries)
	}
}
