package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/steward-crm/steward/rules"
)

// TestServeMail: what steward serve mounts for suppressions: the
// webhooks whose secrets the environment gives (a Mailchimp unsubscribe
// through its secret URL), and the LMTP listener (a bounce delivered and
// applied).
func TestServeMail(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,first_name,email\n1,Grace,grace.nobody@gmail.com\n2,Mia,mia@example.org\n"), 0o600)
	if _, errOut, code := runWith(t, nil, "import", in, "--source", "shop", "--db", db); code != exitOK {
		t.Fatalf("import: %s", errOut)
	}
	vars := map[string]string{"STEWARD_MAILCHIMP_WEBHOOK_SECRET": "0123456789abcdef0123"}
	env := &Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: func(k string) string { return vars[k] }}
	ctx := context.Background()
	keys, err := suppressionKeys(env, db)
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(ctx, env, db, mustExist)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := rules.Default()
	r.Suppression.AsideDir = filepath.Join(dir, "failed")

	if _, _, err := serveSuppressions(ctx, &Env{Getenv: func(string) string { return "" }}, "postgres://nowhere/db", st, r, "", ""); err != nil {
		t.Errorf("serve without webhooks or LMTP asked for keys: %v", err)
	}
	mux := http.NewServeMux()
	mounted, err := mountSuppressionWebhooks(mux, env, st, r, keys)
	if err != nil || strings.Join(mounted, " ") != "/webhooks/mailchimp" {
		t.Fatalf("mounted %v, %v; want Mailchimp's only", mounted, err)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	form := url.Values{"type": {"unsubscribe"}, "fired_at": {"2026-03-01 21:45:09"}, "data[email]": {"mia@example.org"}}
	resp, err := http.PostForm(srv.URL+"/webhooks/mailchimp?secret=0123456789abcdef0123", form)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("mailchimp webhook: %v %v", resp, err)
	}

	addr, stop, err := startLMTP(ctx, env, "127.0.0.1:0", st, r, keys, "127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	conn, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	raw, _ := os.ReadFile(filepath.Join(mailSamples, "google-5.1.1.eml"))
	if err := c.SendMail("", []string{"bounces@mail.shop.example"}, strings.NewReader(string(raw))); err != nil {
		t.Fatalf("LMTP delivery: %v", err)
	}
	c.Close()

	out, _, _ := runWith(t, nil, "export", "--db", db, "--out", "-", "--sendable")
	if strings.Contains(out, "mia@") || strings.Contains(out, "grace.nobody") {
		t.Errorf("sendable export after the webhook and the LMTP bounce:\n%s", out)
	}
}
