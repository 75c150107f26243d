package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/steward-crm/steward"
)

// claimBatch is how many suggestions "claim a batch" takes, and claimTTL
// how long a claim holds: long enough for a batch, short enough that a
// steward who left for lunch does not keep others from the queue.
const (
	claimBatch = 25
	claimTTL   = 30 * time.Minute
	// claimScan caps how many pending suggestions a claim or the next
	// suggestion looks through for ones nobody else claimed.
	claimScan = 2000
)

// unclaimed walks the pending suggestions of f in its order, a page at a
// time, and calls fn with each that nobody but user claimed (at now) and
// the user's claim of it (nil for none), until fn returns false or
// claimScan were seen.
func unclaimed(ctx context.Context, st steward.Store, f steward.SuggestionFilter, user string, now time.Time,
	fn func(sg *steward.Suggestion, mine *steward.Claim) (bool, error)) error {
	f.Limit = 100
	for seen := 0; seen < claimScan; {
		sgs, err := st.Suggestions(ctx, f)
		if err != nil || len(sgs) == 0 {
			return err
		}
		ids := make([]int64, len(sgs))
		for i, sg := range sgs {
			ids[i] = sg.ID
		}
		claims, err := st.SuggestionClaims(ctx, ids, now)
		if err != nil {
			return err
		}
		for _, sg := range sgs {
			var mine *steward.Claim
			if c, ok := claims[sg.ID]; ok {
				if c.By != user {
					continue
				}
				mine = &c
			}
			more, err := fn(sg, mine)
			if err != nil || !more {
				return err
			}
		}
		seen += len(sgs)
		f.After = sgs[len(sgs)-1].ID
	}
	return nil
}

// claim claims the next batch of the queue's filter that nobody else
// claimed, for claimTTL, and shows the queue.
func (p *Pages) claim(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := r.ParseForm(); err != nil {
		return steward.Errorf(steward.EMALFORMED, "The form did not arrive whole; nothing was claimed. Try again.")
	}
	qq, f, err := parseQueue(r.PostForm)
	if err != nil {
		return err
	}
	now := p.cfg.Now().UTC()
	var n int
	err = p.cfg.Write(r.Context(), c.action("suggestion.claim", "", map[string]any{"via": "web"}), func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		return nil, unclaimed(ctx, tx, f, c.user.Name, now, func(sg *steward.Suggestion, mine *steward.Claim) (bool, error) {
			ok, err := tx.ClaimSuggestion(ctx, sg.ID, c.user.Name, now, now.Add(claimTTL))
			if ok {
				n++
			}
			return n < claimBatch, err
		})
	})
	if err != nil {
		return err
	}
	v := qq.Values()
	v.Set("done", "claimed")
	v.Set("n", fmt.Sprint(n))
	http.Redirect(w, r, "/queue?"+v.Encode(), http.StatusSeeOther)
	return nil
}

// release ends the steward's claims.
func (p *Pages) release(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := r.ParseForm(); err != nil {
		return steward.Errorf(steward.EMALFORMED, "The form did not arrive whole; nothing changed. Try again.")
	}
	qq, _, _ := parseQueue(r.PostForm)
	err := p.cfg.Write(r.Context(), c.action("suggestion.release", "user:"+c.user.Name, map[string]any{"via": "web"}), func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
		_, err := tx.ReleaseClaims(ctx, c.user.Name, p.cfg.Now().UTC())
		return nil, err
	})
	if err != nil {
		return err
	}
	v := qq.Values()
	v.Set("done", "released")
	http.Redirect(w, r, "/queue?"+v.Encode(), http.StatusSeeOther)
	return nil
}
