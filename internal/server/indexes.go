package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
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
//
// Loading them takes a scan of every active customer (about 15 s a
// million, and the duplicate index's build when its cache file is not
// current): an admission waits for it, since it must match against every
// customer; a search goes on with the indexes it has while they load in
// the background.
type indexes struct {
	st       steward.Store
	matching dedupe.Config
	cache    string
	region   string
	log      *slog.Logger

	// loading is held by whoever loads the indexes, so that one load runs
	// at a time.
	loading sync.Mutex
	// background is set while a background load runs.
	background atomic.Bool

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

// current returns the view and whether it reflects generation g; x.mu is
// held.
func (x *indexes) current(g steward.Generation) (view, bool) {
	v := view{live: x.live, search: x.search, scorer: x.scorer, gen: x.gen}
	return v, x.live != nil && x.known && g == x.gen && !x.search.Worn()
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
	v, ok := x.current(g)
	x.mu.Unlock()
	if ok {
		return v, nil
	}
	x.loading.Lock()
	defer x.loading.Unlock()
	x.mu.Lock()
	v, ok = x.current(g) // loaded by whoever held the lock before
	x.mu.Unlock()
	if ok {
		return v, nil
	}
	return x.load(ctx, q)
}

// recent returns the indexes as they are, and starts loading them again
// in the background when customers changed since; only when there are
// none yet does it wait for them. Searches use it: a customer written by
// another a moment ago may be missing from a search, never from a match.
func (x *indexes) recent(ctx context.Context) (view, error) {
	g, err := x.st.CustomerGeneration(ctx)
	if err != nil {
		return view{}, fmt.Errorf("customers' generation: %w", err)
	}
	x.mu.Lock()
	v, ok := x.current(g)
	x.mu.Unlock()
	switch {
	case ok:
		return v, nil
	case v.live == nil:
		return x.fresh(ctx, x.st)
	}
	if x.background.CompareAndSwap(false, true) {
		go func() {
			defer x.background.Store(false)
			if _, err := x.fresh(context.WithoutCancel(ctx), x.st); err != nil {
				x.log.Error("customer indexes not loaded", "err", err)
			}
		}()
	}
	return v, nil
}

// load builds both indexes from q and makes them current; x.loading is
// held.
func (x *indexes) load(ctx context.Context, q steward.Store) (view, error) {
	t0 := time.Now()
	scorer, note, err := matchindex.CurrentModel(ctx, q)
	if err != nil {
		return view{}, err
	}
	if note != "" {
		x.log.Warn(note)
	}
	g0, err := q.CustomerGeneration(ctx)
	if err != nil {
		return view{}, fmt.Errorf("customers' generation: %w", err)
	}
	ix, err := matchindex.Load(ctx, q, matchindex.Options{Matching: x.matching, Model: scorer.Model, Cache: x.cache, Logger: x.log})
	if err != nil {
		return view{}, err
	}
	sx := search.New(x.region)
	batch := make([]*steward.Customer, 0, 8192)
	err = q.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		if batch = append(batch, c); len(batch) == cap(batch) {
			sx.Put(batch)
			batch = batch[:0]
		}
		return nil
	})
	if err != nil {
		return view{}, fmt.Errorf("load the search index: %w", err)
	}
	sx.Put(batch)
	g1, err := q.CustomerGeneration(ctx)
	if err != nil {
		return view{}, fmt.Errorf("customers' generation: %w", err)
	}
	ig, ok := ix.Generation()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.live, x.search, x.scorer, x.gen = matchindex.NewLive(ix), sx, scorer, g1
	x.known = ok && ig == g0 && g0 == g1
	x.log.Info("customer indexes loaded", "customers", sx.Len(), "from", ix.Source, "elapsed", time.Since(t0).Round(time.Millisecond))
	return view{live: x.live, search: x.search, scorer: x.scorer, gen: x.gen}, nil
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
