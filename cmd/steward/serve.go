package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
	"github.com/steward-crm/steward/internal/metrics"
	"github.com/steward-crm/steward/internal/riverjobs"
	"github.com/steward-crm/steward/internal/server"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/suppress"
)

const serveUsage = `[--addr 127.0.0.1:8080] [--log-format text|json] [--schedules=false] [--metrics=false] [--db PATH|URL] [--rules FILE] [--country XX] [--index-cache FILE|off] [--lmtp HOST:PORT] [--public-url URL]

Serves the JSON API under /api/v1 (its OpenAPI document is at
/api/v1/openapi.json) until SIGTERM or Ctrl-C, then finishes the requests
under way (up to --grace) and stops. Every request but /api/v1/health and
signing in (POST /api/v1/sessions) needs a bearer token: make users with
'steward users add NAME --role viewer|steward|admin' and tokens with
'steward tokens create --user NAME'. Customers created and updated through
the API pass the same gate as an import, under the rules file; request
logs (info) name routes and user ids, never customers' data.

Recipients unsubscribe at /u/{token} without signing in (links from
'steward tokens unsubscribe' or POST /api/v1/customers/{id}/unsubscribe-links):
GET shows a button, POST with List-Unsubscribe=One-Click (RFC 8058)
unsubscribes at once. Those, erasure and customers' suppressions need the
suppression keys (STEWARD_HASH_KEY, STEWARD_TOKEN_KEYS; an SQLite database
has them in a file beside it).

ESP webhooks are served at /webhooks/{sendgrid,mailgun,ses,mailchimp} when
their keys are set (STEWARD_SENDGRID_WEBHOOK_KEY, STEWARD_MAILGUN_SIGNING_KEY,
STEWARD_SES_TOPICS, STEWARD_MAILCHIMP_WEBHOOK_SECRET); --lmtp accepts
bounces, complaints and unsubscribe mails from the MTA.

The rules file's schedules run in this process (see 'steward jobs'):
any number of instances may serve one database, each scheduled time runs
on one of them. Prometheus metrics are at /metrics.

An SQLite database is created when missing; a PostgreSQL one must be
migrated first ('steward migrate').`

// runServe implements "steward serve".
func runServe(ctx context.Context, env *Env, args []string) error {
	if env.Level != nil {
		env.Level.Set(slog.LevelInfo) // request logs, unless --log-level says otherwise
	}
	fs := newFlagSet(env, "serve", serveUsage)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on, HOST:PORT")
	db := dbFlag(fs)
	rulesPath := rulesFlag(fs)
	country := fs.String("country", "", "ISO 3166-1 alpha-2 country of records and phone numbers without one (default: the rules file's defaults.country)")
	cacheFlag := fs.String("index-cache", "", indexCacheUsage)
	publicURL := fs.String("public-url", "", "where recipients reach this server, the base of unsubscribe links, e.g. https://crm.example.com (default $STEWARD_PUBLIC_URL, else the address each request came to)")
	lmtpAddr := fs.String("lmtp", "", "also accept inbound mail (bounces, complaints, unsubscribe requests) over LMTP on HOST:PORT")
	grace := fs.Duration("grace", 10*time.Second, "how long to wait for requests under way when stopping")
	runSchedules := fs.Bool("schedules", true, "run the rules file's schedules in this process (--schedules=false leaves them to other instances or to cron)")
	scheduler := fs.String("scheduler", "", "how the schedules run: river (PostgreSQL's default: every instance shares them through River's job queue) or local (SQLite's default: in this process, instances on one PostgreSQL still run each time once)")
	withMetrics := fs.Bool("metrics", true, "serve Prometheus metrics at /metrics, without a token (counts only, no personal data)")
	logFormatFlag(fs, env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run 'steward serve -h' for its flags", "unexpected argument %q", fs.Arg(0))
	}
	useRiver, err := riverScheduler(*scheduler, store.KindOf(dbDSN(env, *db)))
	if err != nil {
		return err
	}
	rf, err := loadRules(env, *rulesPath)
	if err != nil {
		return err
	}
	policy, err := gatePolicy(rf, *country)
	if err != nil {
		return err
	}
	measurer, thresholds, err := qualityMeasurer(rf)
	if err != nil {
		return err
	}
	s, err := openStore(ctx, env, *db, mayCreate)
	if err != nil {
		return err
	}
	defer s.Close()
	keys, err := serveKeys(env, *db)
	if err != nil {
		return err
	}
	if *publicURL == "" {
		*publicURL = env.Getenv("STEWARD_PUBLIC_URL")
	}
	mountMail, stopLMTP, err := serveSuppressions(ctx, env, *db, s, rf, *lmtpAddr, rf.EmailVerification.DNSServer)
	if err != nil {
		return err
	}
	defer stopLMTP()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("name a free HOST:PORT with --addr", "listen on %s: %v", *addr, err)
	}
	defer ln.Close()
	log := envLogger(env)
	var m *metrics.Metrics
	pool := riverPool(s, useRiver)
	var sharing *riverjobs.Sharing
	if pool != nil {
		sharing = &riverjobs.Sharing{}
	}
	engine := scheduleEngine(env, s, rf, *db, indexCachePath(env, *db, *cacheFlag), false, "", func(r *steward.JobRun) { m.JobRun(r) }, sharing)
	m = serveMetrics(s, engine, thresholds, log)
	engine.Context = ctx // manual runs from the API outlive their request
	defer engine.Wait()
	srv, err := server.New(ctx, server.Config{
		Store:      s,
		Policy:     policy,
		Matching:   rf.DedupeConfig(),
		IndexCache: indexCachePath(env, *db, *cacheFlag),
		Region:     policy.Cleanse.DefaultCountry,
		Auth: &auth.Authenticator{Store: s, SessionTTL: 12 * time.Hour,
			// Five wrong passwords for a name, then one a minute; an
			// address (an office's) has more to spend.
			Users: auth.NewThrottle(5, time.Minute), Clients: auth.NewThrottle(30, 10*time.Second)},
		Logger:    log,
		Keys:      keys,
		PublicURL: *publicURL,
		Mount:     withMetricsMount(mountMail, m, *withMetrics),
		Schedules: engine,
		Queue:     riverQueue(pool),
		Quality:   measurer, Thresholds: thresholds,
	})
	if err != nil {
		return err
	}
	if *runSchedules {
		stopSchedules, err := serveSchedules(ctx, engine, log, pool, sharing)
		if err != nil {
			return err
		}
		defer stopSchedules()
	}
	fmt.Fprintf(env.Stderr, "steward serving http://%s/api/v1 (Ctrl-C to stop); the steward pages at http://%s/\n", ln.Addr(), ln.Addr())
	if users, err := s.Users(ctx); err == nil && len(users) == 0 {
		log.Warn("nobody can sign in yet: add the first user", "with", firstUserCommand(*db))
	}
	if err := srv.Serve(ctx, ln, *grace); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(env.Stderr, "steward stopped")
	return nil
}

// serveKeys returns the suppression keys serve uses, or nil, with a
// warning, for a PostgreSQL database without them in the configuration:
// the API then answers what needs them with 503.
func serveKeys(env *Env, db string) (*suppress.Keys, error) {
	if env.Getenv("STEWARD_HASH_KEY") == "" && env.Getenv("STEWARD_TOKEN_KEYS") == "" && store.KindOf(dbDSN(env, db)) == store.Postgres {
		envLogger(env).Warn("no suppression keys (STEWARD_HASH_KEY, STEWARD_TOKEN_KEYS): unsubscribe links, erasure and customers' suppressions are off")
		return nil, nil
	}
	return suppressionKeys(env, db)
}

// firstUserCommand is the command that adds the first user to the
// database db. A PostgreSQL connection string may hold a password: it is
// not repeated; an SQLite path is, quoted for the shell when it needs it.
func firstUserCommand(db string) string {
	cmd := "steward users add NAME --role admin"
	switch {
	case store.KindOf(db) == store.Postgres:
		return cmd + " --db (this database)"
	case strings.ContainsAny(db, " '\"$\\"):
		return cmd + " --db '" + strings.ReplaceAll(db, "'", `'\''`) + "'"
	case db != "":
		return cmd + " --db " + db
	}
	return cmd
}
