package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/search"
)

// indexes are the server's in-memory views of the active customers: the
// duplicate index admissions match against, and the search index. They
// follow the server's own writes (after), and are loaded again from the
// database when its customers' generation shows that someone else (an
// import, a job, another instance) changed customers since (fresh).
type indexes struct {
	st       steward.Store
	matching dedupe.Config
	cache    string
	region   string
	log      *slog.Logger

	mu     sync.Mutex
	live   *matchindex.Live
	search *search.Index
	scorer matchindex.Scorer
	// gen is the generation both reflect; known is false when it is not
	// known (customers changed while they loaded, or a write of this
	// server raced another's): the next use loads them again.
	gen   steward.Generation
	known bool
}

func newIndexes(st steward.Store, matching dedupe.Config, cache, region string, log *slog.Logger) *indexes {
	return &indexes{st: st, matching: matching, cache: cache, region: region, log: log}
}

// view is the indexes as one request uses them.
type view struct {
	live   *matchindex.Live
	search *search.Index
	scorer matchindex.Scorer
	gen    steward.Generation
}

// fresh returns the indexes up to date with the customers q (the store,
// or a transaction, which then sees its own writes) reads, loading them
// again when those changed since.
func (x *indexes) fresh(ctx context.Context, q steward.Store) (view, error) {
	g, err := q.CustomerGeneration(ctx)
	if err != nil {
		return view{}, fmt.Errorf("customers' generation: %w", err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.live == nil || !x.known || g != x.gen || x.search.Worn() {
		if err := x.load(ctx, q); err != nil {
			return view{}, err
		}
	}
	return view{live: x.live, search: x.search, scorer: x.scorer, gen: x.gen}, nil
}

// load builds both indexes from q; x.mu is held.
func (x *indexes) load(ctx context.Context, q steward.Store) error {
	t0 := time.Now()
	scorer, note, err := matchindex.CurrentModel(ctx, q)
	if err != nil {
		return err
	}
	if note != "" {
		x.log.Warn(note)
	}
	g0, err := q.CustomerGeneration(ctx)
	if err != nil {
		return fmt.Errorf("customers' generation: %w", err)
	}
	ix, err := matchindex.Load(ctx, q, matchindex.Options{Matching: x.matching, Model: scorer.Model, Cache: x.cache, Logger: x.log})
	if err != nil {
		return err
	}
	sx := search.New(x.region)
	batch := make([]*steward.Customer, 0, 4096)
	err = q.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		if batch = append(batch, c); len(batch) == cap(batch) {
			sx.Put(batch)
			batch = batch[:0]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load the search index: %w", err)
	}
	sx.Put(batch)
	g1, err := q.CustomerGeneration(ctx)
	if err != nil {
		return fmt.Errorf("customers' generation: %w", err)
	}
	ig, ok := ix.Generation()
	x.live, x.search, x.scorer, x.gen = matchindex.NewLive(ix), sx, scorer, g1
	x.known = ok && ig == g0 && g0 == g1
	x.log.Info("customer indexes loaded", "customers", sx.Len(), "from", ix.Source, "elapsed", time.Since(t0).Round(time.Millisecond))
	return nil
}

// after tells the indexes about the customers touched that a committed
// transaction wrote, which read generation before at its start. When it
// was the only writer since the indexes' generation, they take the
// customers in and move on to the new generation; otherwise they take
// them in too, but are loaded again before their next use, to see the
// other writer's customers.
func (x *indexes) after(ctx context.Context, before steward.Generation, touched []*steward.Customer) {
	if len(touched) == 0 {
		return
	}
	g, err := x.st.CustomerGeneration(context.WithoutCancel(ctx))
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.live == nil {
		return
	}
	if err := x.live.Put(context.WithoutCancel(ctx), touched); err != nil {
		x.log.Warn("duplicate index not updated; loading it again", "err", err)
		x.known = false
		return
	}
	x.search.Put(touched)
	if err != nil || !x.known || before != x.gen || g.Database != before.Database || g.N != before.N+1 {
		x.known = false
		return
	}
	x.gen = g
}
