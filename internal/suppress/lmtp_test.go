package suppress

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/emersion/go-smtp"
)

// TestLMTP delivers real messages over LMTP with go-smtp's client, as
// Postfix's lmtp transport would: a bounce is applied before it is
// accepted (each recipient of the delivery gets its status), a message
// that is no report is accepted and kept aside, and an unsubscribe request
// that cannot be authenticated now (no DNS) gets a temporary failure, so
// the MTA keeps it and tries again.
func TestLMTP(t *testing.T) {
	aside := filepath.Join(t.TempDir(), "failed")
	f := newIngestFixture(t, aside)
	srv := NewLMTPServer(context.Background(), f.in, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	deliver := func(t *testing.T, raw []byte, rcpts ...string) (map[string]*smtp.DataResponse, error) {
		t.Helper()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c := smtp.NewClientLMTP(conn)
		defer c.Close()
		if err := c.Hello("mx1.shop.example"); err != nil {
			t.Fatal(err)
		}
		if err := c.Mail("", nil); err != nil {
			t.Fatal(err)
		}
		for _, r := range rcpts {
			if err := c.Rcpt(r, nil); err != nil {
				t.Fatal(err)
			}
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw)
		resp, err := w.CloseWithLMTPResponse()
		c.Quit()
		return resp, err
	}

	resp, err := deliver(t, readMail(t, "google-5.1.1.eml"), "bounces@mail.shop.example", "postmaster@mail.shop.example")
	if err != nil || len(resp) != 2 {
		t.Fatalf("a bounce over LMTP: %v, %v; want accepted for both recipients", resp, err)
	}
	if got := f.suppression(t, "grace.nobody@gmail.com"); got != "hard_bounce dsn" {
		t.Errorf("Grace after the LMTP bounce: %q", got)
	}
	if got := f.verdict(t, "grace.nobody@gmail.com"); got != "invalid hard_bounce" {
		t.Errorf("Grace's verdict: %q", got)
	}

	if _, err := deliver(t, readMail(t, "human-reply.eml"), "bounces@mail.shop.example"); err != nil {
		t.Fatalf("a human reply over LMTP: %v, want accepted (kept aside)", err)
	}
	kept, _ := os.ReadDir(filepath.Join(aside, "new"))
	if len(kept) != 1 {
		t.Errorf("aside holds %d messages, want the reply", len(kept))
	}

	_, err = deliver(t, readMail(t, "unsubscribe-request.eml"), "unsubscribe@lists.shop.example")
	var lerr smtp.LMTPDataError
	if !errors.As(err, &lerr) || lerr["unsubscribe@lists.shop.example"] == nil || lerr["unsubscribe@lists.shop.example"].Code != 451 {
		t.Fatalf("an unsubscribe request without DNS: %v, want 451 for its recipient", err)
	}
}
