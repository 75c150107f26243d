package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServe starts steward serve on a free port, calls it with a token
// made by steward tokens create, and stops it as SIGTERM would.
func TestServe(t *testing.T) {
	db := newDB(t)
	if code, _, stderr := cliRun(t, db, "a long enough password\n", "users", "add", "sara", "--role", "viewer", "--db", db); code != exitOK {
		t.Fatal(stderr)
	}
	code, out, stderr := cliRun(t, db, "", "tokens", "create", "--user", "sara", "--db", db)
	if code != exitOK {
		t.Fatal(stderr)
	}
	secret := strings.TrimSpace(out)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	env, _, _ := storeCmdEnv(db)
	env.Stderr = pw
	getenv := env.Getenv
	env.Getenv = func(k string) string {
		if k == "STEWARD_MAILCHIMP_WEBHOOK_SECRET" {
			return "0123456789abcdef0123"
		}
		return getenv(k)
	}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, env, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--index-cache", "off"})
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var base string
	for lines.Scan() {
		if l := lines.Text(); strings.HasPrefix(l, "steward serving ") {
			base = strings.Fields(l)[2]
			break
		}
	}
	if base == "" {
		t.Fatalf("serve printed no address (exit %v)", <-done)
	}
	go io.Copy(io.Discard, pr)
	get := func(path, token string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", strings.TrimSuffix(base, "/api/v1")+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body
	}
	if status, body := get("/api/v1/health", ""); status != 200 || body["status"] != "ok" {
		t.Errorf("health %d %v", status, body)
	}
	if status, _ := get("/api/v1/suggestions", ""); status != 401 {
		t.Errorf("no token: %d", status)
	}
	if status, body := get("/api/v1/suggestions", secret); status != 200 {
		t.Errorf("with the token: %d %v", status, body)
	}
	// The webhook of the environment's secret is mounted, outside the
	// API's tokens, and refuses a wrong secret itself.
	if status, _ := get("/webhooks/mailchimp?secret=wrong-wrong-wrong-wrong", ""); status != http.StatusUnauthorized {
		t.Errorf("mailchimp webhook with a wrong secret: %d, want 401", status)
	}
	if status, _ := get("/webhooks/mailchimp?secret=0123456789abcdef0123", ""); status != http.StatusOK {
		t.Errorf("mailchimp webhook's validation GET: %d, want 200", status)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exited %d after it was told to stop", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestFirstUserCommand: the hint never repeats a PostgreSQL connection
// string, which may hold a password, in either of its forms.
func TestFirstUserCommand(t *testing.T) {
	tests := []struct{ db, want string }{
		{"", "steward users add NAME --role admin"},
		{"crm.db", "steward users add NAME --role admin --db crm.db"},
		{"my crm.db", "steward users add NAME --role admin --db 'my crm.db'"},
		{"postgres://u:s3cret@db/crm", "steward users add NAME --role admin --db (this database)"},
		{"host=db user=u password=s3cret dbname=crm", "steward users add NAME --role admin --db (this database)"},
	}
	for _, tt := range tests {
		if got := firstUserCommand(tt.db); got != tt.want || strings.Contains(got, "s3cret") {
			t.Errorf("firstUserCommand(%q) = %q, want %q", tt.db, got, tt.want)
		}
	}
}
