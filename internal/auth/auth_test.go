package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// fast are cheap argon2id parameters, for tests only.
var fast = auth.Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestPassword(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not a PHC string with its parameters", h)
	}
	h2, _ := auth.HashPassword("correct horse battery", fast)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name     string
		password string
		want     bool
	}{
		{"right", "correct horse battery", true},
		{"wrong", "correct horse batterY", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := auth.CheckPassword(h, tt.password)
			if err != nil || ok != tt.want {
				t.Errorf("check = %v, %v; want %v", ok, err, tt.want)
			}
		})
	}
	if _, err := auth.HashPassword("short", fast); steward.ErrorCode(err) != steward.EINVALID || steward.ErrorField(err) != "password" {
		t.Errorf("a short password: %v, want EINVALID on password", err)
	}
	if _, err := auth.CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Error("a hash that is not argon2id was accepted")
	}
	// The default parameters are what OWASP asks for.
	if p := auth.DefaultParams(); p.MemoryKiB < 19*1024 || p.Time < 2 {
		t.Errorf("default parameters %+v are below OWASP's minimum", p)
	}
}

func TestSecret(t *testing.T) {
	s1, h1, err := auth.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	s2, _, _ := auth.NewSecret()
	if s1 == s2 || !strings.HasPrefix(s1, "stw_") || len(s1) < 40 {
		t.Errorf("secrets %q and %q", s1, s2)
	}
	if auth.HashSecret(s1) != h1 || h1 == s1 || len(h1) != 64 {
		t.Errorf("hash %q of %q", h1, s1)
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	th := auth.NewThrottle(3, 10*time.Second)
	th.Now = func() time.Time { return now }
	for range 3 {
		if w := th.Wait("user:a"); w != 0 {
			t.Fatalf("wait %v within the burst", w)
		}
		th.Fail("user:a")
	}
	if w := th.Wait("user:a"); w != 10*time.Second {
		t.Errorf("wait after the burst %v, want 10s", w)
	}
	if w := th.Wait("user:b", "client:x"); w != 0 {
		t.Errorf("other keys wait %v", w)
	}
	if w := th.Wait("user:b", "user:a"); w == 0 {
		t.Error("a set of keys with one over budget may try")
	}
	now = now.Add(4 * time.Second)
	if w := th.Wait("user:a"); w != 6*time.Second {
		t.Errorf("wait 4s later %v, want 6s", w)
	}
	now = now.Add(6 * time.Second)
	if w := th.Wait("user:a"); w != 0 {
		t.Errorf("wait after earning an attempt back %v", w)
	}
}

func TestAuthenticator(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	a := &auth.Authenticator{Store: st, Users: auth.NewThrottle(3, time.Minute), Clients: auth.NewThrottle(3, time.Minute),
		SessionTTL: time.Hour, Params: fast, Now: func() time.Time { return now }}
	a.Users.Now, a.Clients.Now = a.Now, a.Now
	hash, err := auth.HashPassword("a long enough password", fast)
	if err != nil {
		t.Fatal(err)
	}
	u := &steward.User{Name: "sara", Role: steward.RoleSteward, PasswordHash: hash}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	secret, tok, got, err := a.Login(ctx, "SARA", "a long enough password", "10.0.0.1")
	if err != nil || got.ID != u.ID || tok.Kind != steward.TokenSession || !tok.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("login: %v %+v %+v", err, tok, got)
	}
	if bu, _, err := a.Bearer(ctx, secret, "10.0.0.1"); err != nil || bu.ID != u.ID {
		t.Fatalf("bearer of a fresh session: %v, %v", bu, err)
	}
	// Wrong password and unknown user read alike.
	_, _, _, e1 := a.Login(ctx, "sara", "not the password!", "10.0.0.2")
	_, _, _, e2 := a.Login(ctx, "nobody", "not the password!", "10.0.0.3")
	if steward.ErrorCode(e1) != steward.EUNAUTHORIZED || steward.ErrorMessage(e1) != steward.ErrorMessage(e2) {
		t.Errorf("wrong password %v; unknown user %v: want the same EUNAUTHORIZED", e1, e2)
	}
	// Two more failures for sara, from elsewhere: her name is throttled,
	// even with the right password, and says for how long.
	a.Login(ctx, "sara", "x", "10.0.0.4")
	a.Login(ctx, "sara", "y", "10.0.0.5")
	_, _, _, err = a.Login(ctx, "sara", "a long enough password", "10.0.0.6")
	var te *auth.ThrottledError
	if !errors.As(err, &te) || steward.ErrorCode(err) != steward.ETHROTTLED || te.RetryAfter != time.Minute {
		t.Fatalf("login over the budget: %v, want ETHROTTLED for a minute", err)
	}
	now = now.Add(time.Minute)
	if _, _, _, err := a.Login(ctx, "sara", "a long enough password", "10.0.0.6"); err != nil {
		t.Fatalf("login a minute later: %v", err)
	}
	// Expired, revoked, unknown, disabled.
	now = now.Add(2 * time.Hour)
	if _, _, err := a.Bearer(ctx, secret, "10.0.0.9"); steward.ErrorCode(err) != steward.EUNAUTHORIZED {
		t.Errorf("expired session: %v", err)
	}
	api, h, _ := auth.NewSecret()
	tok = &steward.Token{UserID: u.ID, Kind: steward.TokenAPI, Hash: h}
	if err := st.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Bearer(ctx, api, "10.0.0.9"); err != nil {
		t.Errorf("api token: %v", err)
	}
	u.DisabledAt = now
	if err := st.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Bearer(ctx, api, "10.0.0.9"); steward.ErrorCode(err) != steward.EUNAUTHORIZED || !strings.Contains(steward.ErrorMessage(err), "disabled") {
		t.Errorf("disabled user's token: %v", err)
	}
	u.DisabledAt = time.Time{}
	if err := st.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeToken(ctx, tok.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Bearer(ctx, api, "10.0.0.9"); steward.ErrorCode(err) != steward.EUNAUTHORIZED {
		t.Errorf("revoked token: %v", err)
	}
	// The expired and the revoked token, and a guess: the client has
	// spent its attempts, and waits even with a good token.
	if _, _, err := a.Bearer(ctx, "stw_guess", "10.0.0.9"); steward.ErrorCode(err) != steward.EUNAUTHORIZED {
		t.Errorf("a guessed token: %v", err)
	}
	if _, _, err := a.Bearer(ctx, secret, "10.0.0.9"); steward.ErrorCode(err) != steward.ETHROTTLED {
		t.Errorf("a client that guessed tokens is not throttled: %v", err)
	}
}
