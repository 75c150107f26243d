package importer

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/matchindex"
)

// writer stores the accepted rows inside the import's transaction.
type writer struct {
	tx   steward.Store
	opts *Options
	snap *snapshot
	sum  *Summary
	meta steward.Meta
	// origin names the import in suggestions' evidence.
	origin string
	// matches tells when a row's candidates are known.
	matches *matcher
	// rows reads the rows back from the spill as the writer comes to
	// them; ahead reads the new rows whose customers are written ahead.
	rows, ahead *spillCursor
	// rep reports the rows decided; pending are the rows decided but not
	// reported yet, in file order: a row is reported once the customers
	// it names have ids.
	rep     *reporter
	pending []*live
	batch   []*steward.Customer
	// suggestions wait until their rows' customers have ids; so do the
	// automatic merges.
	suggestions []pendingSuggestion
	merges      []pendingMerge
	// touched lists the customers the import created or changed, to bring
	// the duplicate index up to date after the commit; tooMany says there
	// were more than maxTouched, and none are kept.
	touched []*steward.Customer
	tooMany bool
	// precreated says the new rows' customers are written ahead of their
	// matches (steward.DuplicateSuggest); created counts them.
	precreated bool
	created    int
}

// pendingSuggestion pairs a row's customer (customer, or the one whose id
// is id) with the customer it matched.
type pendingSuggestion struct {
	customer *steward.Customer
	id       int64
	// num is the row's number.
	num    int
	target *steward.Customer
	cand   dedupe.Candidate
	// keys are the blocking keys under which the row met its target.
	keys []dedupe.BlockingKey
}

// batchSize is how many new customers, and suggestions, go to the store
// at once: with PostgreSQL every batch costs round trips, which at 500 at
// once took a few tenths of a second per 100,000 rows.
const batchSize = 2000

// maxPending is how many decided rows wait for their report before the
// batch is written to give their customers ids.
const maxPending = 4 * batchSize

// maxTouched is how many written customers an import keeps in memory to
// bring the duplicate index cache up to date after the commit: an import
// that writes more leaves the cache to be rebuilt from the database by
// the next one, so that its memory does not grow with the file.
const maxTouched = 250_000

// touch keeps customers cs for the duplicate index cache.
func (w *writer) touch(cs ...*steward.Customer) {
	if w.tooMany || w.opts.IndexCache == "" || w.opts.DryRun {
		return // no cache to bring up to date
	}
	if len(w.touched)+len(cs) > maxTouched {
		w.tooMany, w.touched = true, nil
		return
	}
	for _, c := range cs {
		w.touched = append(w.touched, compactCustomer(c))
	}
}

// suggest keeps the suggestion that row r's customer is target.
func (w *writer) suggest(r *live, target *steward.Customer, cand candidate) {
	w.suggestions = append(w.suggestions, pendingSuggestion{customer: r.customer, id: r.m.id, num: r.Num, target: target, cand: cand.Candidate, keys: w.snap.sharedKeys(r, cand)})
}

// customerID returns the id of the customer of the suggestion's row.
func (p *pendingSuggestion) customerID() int64 {
	if p.customer != nil {
		return p.customer.ID
	}
	return p.id
}

// load reads row i back from the spill.
func (w *writer) load(i int32, m *rowMeta) (*live, error) {
	rr, dropped, err := w.rows.read(m.off)
	if err != nil {
		return nil, err
	}
	return &live{i: i, m: m, Row: rr, dropped: dropped}, nil
}

// pendingCustomer returns the customer of row i while the row waits for
// its report, nil otherwise.
func (w *writer) pendingCustomer(i int32) *steward.Customer {
	k := sort.Search(len(w.pending), func(k int) bool { return w.pending[k].i >= i })
	if k < len(w.pending) && w.pending[k].i == i {
		return w.pending[k].customer
	}
	return nil
}

// report reports the decided rows, in file order, when the customers they
// name have ids: when no customer waits in the batch (or, with all, at
// the end). Too many waiting rows write the batch.
func (w *writer) report(ctx context.Context, all bool) error {
	if len(w.batch) > 0 {
		if !all && len(w.pending) < maxPending {
			return nil
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	for _, r := range w.pending {
		if err := w.rep.row(ctx, r); err != nil {
			return err
		}
		// Only the customer's id stays.
		if r.customer != nil {
			r.m.id = r.customer.ID
		}
	}
	clear(w.pending)
	w.pending = w.pending[:0]
	return nil
}

func (w *writer) run(ctx context.Context, t *table) error {
	// A new row becomes a customer whatever it matches when duplicates are
	// suggested, so its customer is written ahead, while rows are still
	// being matched; the suggestions follow as the matches come.
	w.precreated = w.opts.OnDuplicate == steward.DuplicateSuggest
	seen := 0 // new rows up to this one
	for i := range int32(t.rows.len()) {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		m := t.rows.at(i)
		if m.fpos >= 0 {
			seen++
		}
		r, err := w.load(i, m)
		if err != nil {
			return err
		}
		if m.outcome != rejected {
			// The matchers may run so far ahead of r, no further.
			w.matches.reach(m)
			if w.precreated {
				if err := w.createAhead(ctx, m, seen); err != nil {
					return err
				}
			}
			// With nothing left to write until r's matches are known, the
			// writer matches later rows itself instead of waiting.
			for !w.matches.ready(m) && w.matches.help() {
			}
			if err := w.matches.wait(ctx, m); err != nil {
				return err
			}
			r.cands = w.matches.candidatesOf(m)
			if err := w.row(ctx, r); err != nil {
				return fmt.Errorf("row %d: %w", r.Num, err)
			}
			r.cands = nil // decided: their explanations need not stay for the rest of the file
			if err := w.maybeFlush(ctx); err != nil {
				return err
			}
		}
		w.pending = append(w.pending, r)
		if err := w.report(ctx, false); err != nil {
			return err
		}
		w.opts.Progress.Add(1)
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	if err := w.report(ctx, true); err != nil {
		return err
	}
	return w.storeSuggestions(ctx, 1)
}

// createAhead writes the customers of new rows, in batches of batchSize in
// file order: while the matches of row r are not known, and at least those
// of the first seen new rows (r's own and the earlier rows it may match).
func (w *writer) createAhead(ctx context.Context, r *rowMeta, seen int) error {
	rows := w.snap.fileRows
	need := min(len(rows), (seen+batchSize-1)/batchSize*batchSize)
	var cs []*steward.Customer
	for w.created < need || (w.created < len(rows) && !w.matches.ready(r)) {
		end := min(len(rows), w.created+batchSize)
		cs = cs[:0]
		for _, i := range rows[w.created:end] {
			nr := w.snap.rows.at(i)
			rr, _, err := w.ahead.read(nr.off)
			if err != nil {
				return err
			}
			c := &steward.Customer{Record: rr.Record}
			nr.outcome = created
			cs = append(cs, c)
			w.batch = append(w.batch, c)
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		// Only their ids stay with the rows the writer has not come to.
		for k, i := range rows[w.created:end] {
			w.snap.rows.at(i).id = cs[k].ID
		}
		w.created = end
	}
	return nil
}

// storeSuggestions stores the pending suggestions, in batches of batchSize
// while at least least are pending. Every pending suggestion's customers
// have ids once the batch of its row is flushed, so the suggestions go to
// the store while later rows are still being matched rather than all at
// the end, in the order of their rows.
func (w *writer) storeSuggestions(ctx context.Context, least int) error {
	for len(w.suggestions) >= max(least, 1) {
		n := min(len(w.suggestions), batchSize)
		ss := make([]*steward.Suggestion, 0, n)
		for _, p := range w.suggestions[:n] {
			pe := matchindex.PairEvidence(0, 0, p.cand, w.opts.Model, p.keys)
			sg, err := gate.Suggestion(p.customerID(), p.target.ID, pe, steward.EvidenceImport, w.origin, p.num, w.opts.ModelID)
			if err != nil {
				return err
			}
			ss = append(ss, sg)
		}
		if err := w.tx.UpsertSuggestions(ctx, ss); err != nil {
			return fmt.Errorf("store suggestions: %w", err)
		}
		w.sum.Suggestions += n
		w.suggestions = w.suggestions[n:]
	}
	return nil
}

func (w *writer) row(ctx context.Context, r *live) error {
	if id, ok := w.snap.known[r.i]; ok {
		return w.update(ctx, r, id)
	}
	cand, target, err := w.match(ctx, r, 0)
	if err != nil {
		return err
	}
	if w.precreated {
		if target != nil {
			r.match, r.probability = target, cand.Probability
			w.suggest(r, target, cand)
		}
		return nil
	}
	c := &steward.Customer{Record: r.Record}
	r.customer = c
	if target == nil {
		r.m.outcome = created
		w.batch = append(w.batch, c)
		return nil
	}
	r.match, r.probability = target, cand.Probability
	switch w.opts.Decide(cand.Probability) {
	case gate.ActionBlock:
		if target.ID == 0 {
			// Name the earlier row's customer by its id in the message.
			if err := w.flush(ctx); err != nil {
				return err
			}
		}
		r.m.outcome = blocked
		r.customer = nil
		r.Findings = append(r.Findings, gate.BlockedFinding(target, cand.Probability))
	case gate.ActionMerge:
		if target.ID == 0 {
			if err := w.flush(ctx); err != nil {
				return err
			}
		}
		r.m.outcome = merged
		c.Status, c.MergedInto = steward.StatusMerged, target.ID
		if err := w.fill(ctx, target, c); err != nil {
			return err
		}
		w.batch = append(w.batch, c)
	case gate.ActionHold:
		// Stored, not active, until a steward decides its suggestion.
		r.m.outcome = held
		c.Status = steward.StatusHeld
		w.batch = append(w.batch, c)
		w.suggest(r, target, cand)
	default:
		r.m.outcome = created
		w.batch = append(w.batch, c)
		w.suggest(r, target, cand)
	}
	return nil
}

// match returns the most probable customer (in the database, or created by
// an earlier row) among r's candidates, other than self; nil when none
// reaches the review threshold.
func (w *writer) match(ctx context.Context, r *live, self int64) (candidate, *steward.Customer, error) {
	for _, cand := range r.cands {
		if cand.Probability < w.opts.ReviewThreshold {
			continue
		}
		var id int64
		if cand.file {
			other := w.snap.rows.at(cand.row)
			if other.outcome != created {
				continue
			}
			// An earlier row's customer: while the row waits for its
			// report, the customer itself (its id may be 0 still).
			if c := w.pendingCustomer(cand.row); c != nil {
				if self != 0 && c.ID == self {
					continue
				}
				return cand, c, nil
			}
			if self != 0 && other.id == self {
				continue
			}
			// Written and reported: read back from the database when
			// more than its id is needed.
			id = other.id
		} else if id = w.snap.db.IDs[cand.Index]; id == self || (self != 0 && w.snap.notDup[steward.NewPair(id, self)]) {
			continue
		}
		if w.opts.OnDuplicate != steward.DuplicateBlock && w.opts.Annotated == nil {
			// Only its id is needed: a merge reads the customer itself.
			return cand, &steward.Customer{ID: id}, nil
		}
		c, err := w.tx.Customer(ctx, id)
		if err != nil {
			return candidate{}, nil, fmt.Errorf("matched customer %d: %w", id, err)
		}
		return cand, c, nil
	}
	return candidate{}, nil, nil
}

// update applies r to the customer its (source, id) names. Fields the row
// leaves empty keep their stored values: an import never blanks a field.
func (w *writer) update(ctx context.Context, r *live, id int64) error {
	c, err := w.tx.Customer(ctx, id)
	if err != nil {
		return fmt.Errorf("customer %d of %s/%s: %w", id, r.Record.Source, r.Record.SourceID, err)
	}
	if c.Status == steward.StatusErased {
		r.m.outcome = rejected
		r.Findings = append(r.Findings, gate.ErasedFinding(&r.Record, c))
		return nil
	}
	r.customer = c
	next := gate.Overlay(&c.Record, &r.Record)
	if len(steward.Diff(&c.Record, &next)) == 0 {
		r.m.outcome = unchanged
		return nil
	}
	c.Record = next
	if err := w.tx.UpdateCustomer(ctx, c, w.meta); err != nil {
		return fmt.Errorf("update customer %d: %w", id, err)
	}
	w.touch(c)
	r.m.outcome = updated
	if c.Status != steward.StatusActive {
		return nil
	}
	if r.cands, err = w.snap.candidates(r); err != nil {
		return err
	}
	cand, target, err := w.match(ctx, r, c.ID)
	if err != nil || target == nil {
		return err
	}
	r.match, r.probability = target, cand.Probability
	w.suggest(r, target, cand)
	return nil
}

// fill merges the row's record into target, keeping what the rules'
// survivorship picks.
func (w *writer) fill(ctx context.Context, target *steward.Customer, in *steward.Customer) error {
	ab, err := gate.Absorb(ctx, w.tx, target.ID, &in.Record, w.opts.Survivorship, time.Now(), w.meta)
	if err != nil {
		return err
	}
	if ab.Changed {
		w.touch(ab.After)
	}
	// The merge is kept once in, the row's customer, has its id.
	w.merges = append(w.merges, pendingMerge{ab, in})
	return nil
}

// pendingMerge is an automatic merge waiting for its incoming customer's
// id.
type pendingMerge struct {
	absorbed *gate.Absorbed
	in       *steward.Customer
}

// storeMerges keeps the automatic merges whose customers have ids, so
// that a steward can undo them.
func (w *writer) storeMerges(ctx context.Context) error {
	for len(w.merges) > 0 && w.merges[0].in.ID != 0 {
		p := w.merges[0]
		if err := w.tx.CreateMerge(ctx, p.absorbed.Merge(p.in, w.meta)); err != nil {
			return fmt.Errorf("keep the merge into customer %d: %w", p.absorbed.Before.ID, err)
		}
		w.merges = w.merges[1:]
	}
	return nil
}

func (w *writer) flush(ctx context.Context) error {
	if len(w.batch) == 0 {
		return nil
	}
	if err := w.tx.CreateCustomers(ctx, w.batch, w.meta); err != nil {
		return err // the store names what failed
	}
	w.touch(w.batch...)
	clear(w.batch)
	w.batch = w.batch[:0]
	if err := w.storeMerges(ctx); err != nil {
		return err
	}
	return w.storeSuggestions(ctx, batchSize)
}

func (w *writer) maybeFlush(ctx context.Context) error {
	if len(w.batch) >= batchSize {
		return w.flush(ctx)
	}
	if len(w.batch) == 0 {
		// Every pending suggestion's customers have ids.
		return w.storeSuggestions(ctx, batchSize)
	}
	return nil
}
