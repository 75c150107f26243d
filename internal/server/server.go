package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/auth"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/merge"
	"github.com/steward-crm/steward/internal/quality"
	"github.com/steward-crm/steward/internal/riverjobs"
	"github.com/steward-crm/steward/internal/schedule"
	"github.com/steward-crm/steward/internal/suppress"
	"github.com/steward-crm/steward/internal/web"
	"github.com/steward-crm/steward/validate"
)

// Config is what a Server is made of; cmd builds it from the rules file.
type Config struct {
	Store steward.Store
	// Policy admits created and updated customers (the rules' gate
	// settings; see cmd/steward gatePolicy) and plans merges.
	Policy gate.Policy
	// Matching configures the duplicate index and search ranking
	// (rules.DedupeConfig).
	Matching dedupe.Config
	// IndexCache is the duplicate index's cache file shared with imports
	// ("" builds the index from the database).
	IndexCache string
	// Region is the default country of phone numbers searched for.
	Region string
	// Auth signs users in; its Store is the Store above.
	Auth *auth.Authenticator
	// Logger receives request logs (no personal data) and errors.
	Logger *slog.Logger
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Keys hash suppressed addresses and sign unsubscribe tokens; nil
	// turns off what needs them (customers' suppressions, erasure,
	// unsubscribe links and /u/{token}: 503).
	Keys *suppress.Keys
	// PublicURL is where recipients reach this server
	// (https://crm.example.com), the base of the unsubscribe links it
	// makes; "" takes the scheme and host of the request asking for one.
	PublicURL string
	// Quality measures data quality for the customers behind a number of
	// the report (the rules' record rules, cleansing and consent
	// attributes) and Thresholds are the rules' quality thresholds; nil
	// measures with the default record rules of Region.
	Quality    *quality.Measurer
	Thresholds []quality.Threshold
	// Mount adds handlers of other packages (the ESP webhooks) outside
	// the API's authentication; they authenticate their own requests.
	Mount func(mux *http.ServeMux) error
	// Schedules runs the rules file's schedules (manual runs, the list);
	// nil answers /api/v1/schedules with 503.
	Schedules *schedule.Engine
	// Queue lists River's jobs behind the schedules (PostgreSQL), newest
	// first, limit of them, the unfinished ones only when open; nil
	// answers /api/v1/jobs/queue with 503.
	Queue func(ctx context.Context, limit int, open bool) ([]riverjobs.QueuedJob, error)
}

// Server serves the API. Make it with New.
type Server struct {
	cfg    Config
	st     steward.Store
	merges *merge.Service
	idx    *indexes
	log    *slog.Logger
	routes []route
	mux    *http.ServeMux
	pages  *web.Pages
}

// New returns a server over cfg.Store, with its duplicate and search
// indexes loaded.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p, err := cfg.Policy.Defaults()
	if err != nil {
		return nil, err
	}
	cfg.Policy = p
	if len(cfg.Matching.Blocking) == 0 {
		cfg.Matching = dedupe.DefaultConfig()
		cfg.Matching.Threshold = p.ReviewThreshold
		cfg.Matching.ReviewThreshold = min(cfg.Matching.ReviewThreshold, p.ReviewThreshold)
	}
	if cfg.Quality == nil {
		rr, err := validate.NewRecordRules(validate.DefaultRecordRulesConfig(cfg.Region))
		if err != nil {
			return nil, err
		}
		cfg.Quality = &quality.Measurer{Rules: rr}
	}
	s := &Server{cfg: cfg, st: cfg.Store, log: cfg.Logger,
		merges: &merge.Service{Policy: p, Now: cfg.Now},
		idx:    newIndexes(cfg.Store, cfg.Matching, cfg.IndexCache, cfg.Region, cfg.Logger)}
	if _, err := s.idx.fresh(ctx, s.st); err != nil {
		return nil, fmt.Errorf("load the duplicate index: %w", err)
	}
	s.routes = s.table()
	s.mux = http.NewServeMux()
	s.register()
	s.registerUnsubscribe()
	s.registerQuality()
	if err := s.mountPages(); err != nil {
		return nil, err
	}
	if cfg.Mount != nil {
		if err := cfg.Mount(s.mux); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Handler returns the server's handler: the routes and the stewards'
// pages, behind protection against cross-site requests from browsers.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return cop.Handler(s.mux)
}

// Serve answers requests on ln until ctx ends, then stops taking new ones
// and waits up to grace for those under way.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

func (s *Server) now() time.Time { return s.cfg.Now().UTC() }
