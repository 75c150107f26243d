package jobs

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
)

// Standardize brings every active customer's fields into standard form
// (cleanse.Record). Each change lands in the audit trail with the value it
// replaced; a second run changes nothing. A run examines only the
// customers written since the last successful run started (its own
// changes included, once), unless it is full.
type Standardize struct {
	Options cleanse.Options
	// PageSize is how many customers are standardized and committed
	// together with their checkpoint.
	PageSize int
	// Progress, if set, is called with the number of customers done so far
	// in this run.
	Progress func(done int64)
	// IDs bounds the run to a range of customer ids (a share, see Share);
	// the zero value is every customer.
	IDs IDRange
}

// WithRange implements Ranged.
func (j *Standardize) WithRange(r IDRange) Job {
	c := *j
	c.IDs = r
	return &c
}

// Name implements Job.
func (j *Standardize) Name() string { return "standardize" }

// FollowsChanges implements ChangeFollower: a customer standardized and
// unchanged since stays standard.
func (j *Standardize) FollowsChanges() bool { return true }

// countRules is the count in which a run keeps the fingerprint of the
// rules it standardized by (rulesFingerprint). Named as an id, it is not
// added up as a count (metrics.JobRun leaves "_id" counts out).
const countRules = "rules_id"

// rulesFingerprint identifies what the job makes of a customer: the
// standardizer's version and the options. It fits a JSON number exactly.
func (j *Standardize) rulesFingerprint() int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%+v", cleanse.Version, j.Options)
	return int64(h.Sum64() & (1<<53 - 1))
}

// FullRunBecause implements FullRunAsker: customers standardized by other
// rules (steward upgraded, the rules file's default country or date order
// changed) are standardized again, all of them.
func (j *Standardize) FullRunBecause(last *steward.JobRun) string {
	if last.Counts[countRules] != j.rulesFingerprint() {
		return "rules_changed"
	}
	return ""
}

// Run implements Job. Its checkpoint is the last customer id done; it is
// committed in the same transaction as the page's changes, so a resumed
// run neither skips nor repeats a customer.
func (j *Standardize) Run(ctx context.Context, run *Run) error {
	for _, c := range []string{"customers", "changed", "fixes", "flags"} {
		run.Count(c, 0) // every count is reported, nothing to do included
	}
	run.Count(countRules, j.rulesFingerprint())
	size := j.PageSize
	if size <= 0 {
		size = 500
	}
	after, err := parseIDCheckpoint(run.Resume())
	if err != nil {
		return err
	}
	after = j.IDs.start(after)
	var done int64
	for last := false; !last; {
		var page []*steward.Customer
		err := run.Store.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive, AfterID: after, ThroughID: j.IDs.Through, Limit: size, ChangedSince: run.ChangedSince()},
			func(c *steward.Customer) error { page = append(page, c); return nil })
		if err != nil {
			return fmt.Errorf("read customers after %d: %w", after, err)
		}
		var n int
		n, last = j.IDs.keep(len(page), func(i int) int64 { return page[i].ID })
		if page = page[:n]; len(page) == 0 {
			return nil
		}
		err = run.Step(ctx, func(ctx context.Context, s steward.Store, st *Step) error {
			for _, c := range page {
				nf, nflag, err := j.standardize(ctx, s, run, c)
				if err != nil {
					return err
				}
				if nf > 0 {
					st.Count("changed", 1)
				}
				st.Count("fixes", nf)
				st.Count("flags", nflag)
			}
			st.Count("customers", int64(len(page)))
			st.Checkpoint(strconv.FormatInt(page[len(page)-1].ID, 10))
			return nil
		})
		if err != nil {
			return err
		}
		done += int64(len(page))
		if j.Progress != nil {
			j.Progress(done)
		}
		after = page[len(page)-1].ID
	}
	return nil
}

// standardize fixes one customer and stores it; a customer changed by
// someone else since it was read is read again and fixed once more.
func (j *Standardize) standardize(ctx context.Context, s steward.Store, run *Run, c *steward.Customer) (fixes, flags int64, err error) {
	for attempt := 0; ; attempt++ {
		fixes, flags = 0, 0
		for _, f := range cleanse.Record(&c.Record, j.Options) {
			if f.Before == f.After {
				flags++
			} else {
				fixes++
			}
		}
		if fixes == 0 {
			return 0, flags, nil
		}
		err = s.UpdateCustomer(ctx, c, run.Meta())
		if steward.ErrorCode(err) != steward.ECONFLICT || attempt > 0 {
			if err != nil {
				return 0, 0, fmt.Errorf("store standardized customer %d: %w", c.ID, err)
			}
			return fixes, flags, nil
		}
		id := c.ID
		if c, err = s.Customer(ctx, id); err != nil {
			return 0, 0, fmt.Errorf("reread customer %d: %w", id, err)
		}
	}
}
