package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
	"github.com/steward-crm/steward/internal/store"
)

// cliRun runs steward with args against the database db, stdin as
// standard input, and returns the exit code, stdout and stderr.
func cliRun(t *testing.T, db, stdin string, args ...string) (int, string, string) {
	t.Helper()
	env, stdout, stderr := storeCmdEnv(db)
	env.Stdin = strings.NewReader(stdin)
	getenv := env.Getenv
	env.Getenv = func(k string) string {
		if k == "USER" {
			return "ops"
		}
		return getenv(k)
	}
	code := Main(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

// newDB returns a fresh, migrated SQLite database file.
func newDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "steward.db")
	if code, _, stderr := cliRun(t, db, "", "migrate", "--db", db); code != exitOK {
		t.Fatalf("migrate: %s", stderr)
	}
	return db
}

func TestUsersAndTokens(t *testing.T) {
	db := newDB(t)
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   string
	}{
		{"add", "a long enough password\n", []string{"users", "add", "Sara", "--role", "steward"}, exitOK, "user sara (steward) added"},
		{"add an admin", "another long password\n", []string{"users", "add", "--role=admin", "root"}, exitOK, "user root (admin) added"},
		{"name taken", "a long enough password\n", []string{"users", "add", "SARA", "--role", "viewer"}, exitConflict, ""},
		{"short password", "short\n", []string{"users", "add", "reza", "--role", "viewer"}, exitUsage, ""},
		{"no password", "", []string{"users", "add", "reza", "--role", "viewer"}, exitUsage, ""},
		{"no role", "a long enough password\n", []string{"users", "add", "reza"}, exitUsage, ""},
		{"bad role", "a long enough password\n", []string{"users", "add", "reza", "--role", "boss"}, exitUsage, ""},
		{"bad name", "a long enough password\n", []string{"users", "add", "reza karimi", "--role", "viewer"}, exitFindings, ""},
		{"disable", "", []string{"users", "disable", "sara"}, exitOK, "user sara (steward) disabled"},
		{"unknown user", "", []string{"users", "disable", "nobody"}, exitNotFound, ""},
		{"list", "", []string{"users", "list"}, exitOK, "sara  steward  disabled"},
		{"enable", "", []string{"users", "enable", "sara"}, exitOK, "enabled"},
		{"tokens for nobody", "", []string{"tokens", "create", "--user", "nobody"}, exitNotFound, ""},
		{"tokens without a user", "", []string{"tokens", "create"}, exitUsage, ""},
		{"revoke what is not", "", []string{"tokens", "revoke", "99"}, exitNotFound, ""},
		{"revoke no id", "", []string{"tokens", "revoke", "x"}, exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := cliRun(t, db, tt.stdin, append(tt.args, "--db", db)...)
			if code != tt.code || !strings.Contains(out, tt.out) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, stderr, tt.code, tt.out)
			}
			if code != exitOK && stderr == "" {
				t.Error("a failure says nothing on stderr")
			}
		})
	}
	code, out, stderr := cliRun(t, db, "", "tokens", "create", "--user", "sara", "--name", "crm sync", "--db", db, "--json")
	if code != exitOK {
		t.Fatalf("tokens create: %s", stderr)
	}
	var created struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
		User   string `json:"user"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Secret == "" || created.User != "sara" {
		t.Fatalf("tokens create --json printed %q (%v)", out, err)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := &auth.Authenticator{Store: s}
	if u, _, err := a.Bearer(ctx, created.Secret, "test"); err != nil || u.Name != "sara" {
		t.Fatalf("the printed secret signs in as %v (%v), want sara", u, err)
	}
	if code, out, _ := cliRun(t, db, "", "tokens", "list", "--user", "sara", "--db", db); code != exitOK || !strings.Contains(out, "crm sync") || strings.Contains(out, created.Secret) {
		t.Errorf("tokens list: %q", out)
	}
	if code, _, stderr := cliRun(t, db, "", "tokens", "revoke", "1", "--db", db); code != exitOK {
		t.Fatalf("revoke: %s", stderr)
	}
	if _, _, err := a.Bearer(ctx, created.Secret, "test"); steward.ErrorCode(err) != steward.EUNAUTHORIZED {
		t.Errorf("a revoked token signs in: %v", err)
	}
	// Every change is in the audit log, with the operating system's user.
	entries, err := s.AuditEntries(ctx, steward.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if e.Actor != "cli:ops" {
			t.Errorf("audit actor %q, want cli:ops", e.Actor)
		}
		actions = append(actions, e.Action+" "+e.Target)
	}
	want := "token.revoke token:1,token.create token:1,user.enable user:sara,user.disable user:sara,user.create user:root,user.create user:sara"
	if got := strings.Join(actions, ","); got != want {
		t.Errorf("audit log %s\nwant        %s", got, want)
	}
}
