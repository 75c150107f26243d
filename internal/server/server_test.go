package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/steward-crm/steward/internal/riverjobs"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/server"
	"github.com/steward-crm/steward/internal/store/storetest"
	"github.com/steward-crm/steward/rules"
)

// forEachBackend runs fn against a fresh SQLite store and, when
// TEST_DATABASE_URL is set, a fresh PostgreSQL schema.
func forEachBackend(t *testing.T, fn func(t *testing.T, st steward.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, storetest.SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.Postgres(t)) })
}

// fast are cheap argon2id parameters, for tests only.
var fast = auth.Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

// api is a running server with a user of every role.
type api struct {
	t      testing.TB
	st     steward.Store
	srv    *server.Server
	url    string
	tokens map[steward.Role]string
}

type option func(*server.Config)

// storePool returns the pool of a PostgreSQL store, nil for SQLite.
func storePool(st steward.Store) *pgxpool.Pool {
	if p, ok := st.(interface{ Pool() *pgxpool.Pool }); ok {
		return p.Pool()
	}
	return nil
}

func block(c *server.Config) { c.Policy.OnDuplicate = steward.DuplicateBlock }

func newAPI(t *testing.T, st steward.Store, opts ...option) *api { return newServerAPI(t, st, opts...) }

// newBenchAPI is newAPI for a benchmark.
func newBenchAPI(b *testing.B, st steward.Store) *api { return newServerAPI(b, st) }

func newServerAPI(t testing.TB, st steward.Store, opts ...option) *api {
	t.Helper()
	ctx := context.Background()
	r := rules.Default()
	cfg := server.Config{
		Store:    st,
		Policy:   gate.Policy{Cleanse: r.CleanseOptions(), ReviewThreshold: r.Matching.ReviewThreshold, Survivorship: r.Survivorship},
		Matching: r.DedupeConfig(),
		Region:   "IR",
		Auth: &auth.Authenticator{Store: st, Users: auth.NewThrottle(5, time.Minute), Clients: auth.NewThrottle(50, time.Second),
			SessionTTL: time.Hour, Params: fast},
		Schedules: testEngine(t, st),
	}
	if pool := storePool(st); pool != nil {
		cfg.Queue = func(ctx context.Context, limit int, open bool) ([]riverjobs.QueuedJob, error) {
			return riverjobs.Queue(ctx, pool, limit, open)
		}
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	a := &api{t: t, st: st, srv: srv, url: ts.URL, tokens: map[steward.Role]string{}}
	for _, role := range steward.Roles() {
		hash, err := auth.HashPassword("password of "+string(role), fast)
		if err != nil {
			t.Fatal(err)
		}
		u := &steward.User{Name: string(role) + "1", Role: role, PasswordHash: hash}
		if err := st.CreateUser(ctx, u); steward.ErrorCode(err) == steward.ECONFLICT {
			// A second server over the same store: the same users.
			if u, err = st.UserByName(ctx, u.Name); err != nil {
				t.Fatal(err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		secret, h, _ := auth.NewSecret()
		if err := st.CreateToken(ctx, &steward.Token{UserID: u.ID, Kind: steward.TokenAPI, Hash: h}); err != nil {
			t.Fatal(err)
		}
		a.tokens[role] = secret
	}
	return a
}

// reply is an answer: status, headers, body.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("answer %s: %v", r.body, err)
	}
}

// errorOf is the answer's error body.
func (r reply) errorOf(t testing.TB) (code, message, field string) {
	t.Helper()
	var e struct{ Code, Message, Field string }
	r.decode(t, &e)
	return e.Code, e.Message, e.Field
}

// do sends method path with body (marshalled to JSON unless a string or
// nil) as role ("" sends no token), with extra headers as pairs.
func (a *api) do(role steward.Role, method, path string, body any, headers ...string) reply {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[role])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return reply{status: res.StatusCode, header: res.Header, body: b}
}

// want checks r's status, and that an error answer is JSON with a code
// and a sentence.
func (a *api) want(r reply, status int) reply {
	a.t.Helper()
	if r.status != status {
		a.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		a.t.Errorf("content type %q", ct)
	}
	if status >= 400 {
		code, msg, _ := r.errorOf(a.t)
		if code == "" || len(msg) < 10 {
			a.t.Errorf("error answer %s lacks a code or a message", r.body)
		}
	}
	return r
}
