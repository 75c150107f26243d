package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestServePages: steward serve serves the stewards' pages beside the
// API: the sign-in page, a sign-in with a user of steward users add, the
// queue behind it.
func TestServePages(t *testing.T) {
	db := newDB(t)
	if code, _, stderr := cliRun(t, db, "a long enough password\n", "users", "add", "sara", "--role", "steward", "--db", db); code != exitOK {
		t.Fatal(stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	env, _, _ := storeCmdEnv(db)
	env.Stderr = pw
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, env, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--index-cache", "off"})
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var base string
	for lines.Scan() {
		if l := lines.Text(); strings.HasPrefix(l, "steward serving ") {
			base = strings.TrimSuffix(strings.Fields(l)[2], "/api/v1")
			break
		}
	}
	if base == "" {
		t.Fatalf("serve printed no address (exit %v)", <-done)
	}
	go io.Copy(io.Discard, pr)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Get(base + "/queue")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Request.URL.Path != "/login" || !strings.Contains(string(body), `name="password"`) || res.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("the queue before signing in: %s %d %.300s", res.Request.URL, res.StatusCode, body)
	}
	res, err = client.PostForm(base+"/login", url.Values{"name": {"sara"}, "password": {"a long enough password"}, "next": {"/queue"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/queue" || !strings.Contains(string(body), "Review queue") {
		t.Errorf("after signing in: %s %d %.300s", res.Request.URL, res.StatusCode, body)
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
