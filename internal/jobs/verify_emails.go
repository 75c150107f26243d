package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/validate"
)

// VerifyEmails checks the addresses of active customers that were never
// checked or not within Window, and records verdict, reason and time on
// each customer. DNS is asked once per distinct domain of a batch.
//
// Verdicts that a later check could change stay unrecorded, so the address
// stays due: unknown (a DNS server that failed or timed out) always, and
// without a resolver (offline) everything but invalid, so that the next run
// with DNS checks a merely well-formed address instead of trusting a syntax
// check for the whole window.
//
// A run examines the addresses of customers written since the last
// successful run started, and those whose check is older than Window. A
// run that left an address unrecorded keeps the earlier run's change mark,
// so the next run sees that address again.
type VerifyEmails struct {
	Verifier *validate.EmailVerifier
	// Window is how long a check stays fresh; older checks are redone.
	Window time.Duration
	// BatchSize is how many addresses are checked and committed together.
	BatchSize int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Progress, if set, is called with the number of addresses checked so
	// far in this run.
	Progress func(done int64)
	// Canaries are domains that certainly receive mail; before each batch
	// is recorded the resolver must find mail servers for most of them,
	// or the run stops: a resolver that answers "no such domain" for
	// everything (a captive or filtering DNS) must not mark every address
	// invalid for the whole window. nil is DefaultCanaries.
	Canaries []string
	// IDs bounds the run to a range of customer ids (a share, see Share);
	// the zero value is every customer.
	IDs IDRange
}

// DefaultCanaries are domains of the largest mail providers.
func DefaultCanaries() []string { return []string{"gmail.com", "outlook.com", "yahoo.com"} }

// canary checks that the resolver finds mail servers for most canary
// domains; otherwise it returns EUNAVAILABLE, saying the resolver looks
// broken.
func (j *VerifyEmails) canary(ctx context.Context) error {
	domains := j.Canaries
	if domains == nil {
		domains = DefaultCanaries()
	}
	if len(domains) == 0 {
		return nil
	}
	var failed []string
	for _, d := range domains {
		mx, err := j.Verifier.Resolver.LookupMX(ctx, d)
		if err != nil || len(mx) == 0 || (len(mx) == 1 && mx[0].Host == ".") {
			failed = append(failed, d)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if len(failed)*2 > len(domains) {
		return steward.Errorf(steward.EUNAVAILABLE,
			"The DNS server finds no mail servers for %s, which certainly have them: it looks broken or filtered, so no address was marked invalid by this batch (the run resumes from its checkpoint). Check email_verification.dns_server, or run with --dns HOST:PORT.",
			strings.Join(failed, ", "))
	}
	return nil
}

// Name implements Job.
func (j *VerifyEmails) Name() string { return "verify-emails" }

// FollowsChanges implements ChangeFollower: an address unchanged since
// the last successful run was checked then, and is due again only when
// its check is older than Window.
func (j *VerifyEmails) FollowsChanges() bool { return true }

// WithRange implements Ranged.
func (j *VerifyEmails) WithRange(r IDRange) Job {
	c := *j
	c.IDs = r
	return &c
}

// Run implements Job. Its checkpoint is the last customer id whose address
// was checked and recorded.
func (j *VerifyEmails) Run(ctx context.Context, run *Run) error {
	for _, c := range []string{"checked", "recorded", string(validate.Valid), string(validate.Invalid), string(validate.Risky), string(validate.Unknown)} {
		run.Count(c, 0) // every count is reported, nothing to do included
	}
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	batch := j.BatchSize
	if batch <= 0 {
		batch = 2000
	}
	after, err := parseIDCheckpoint(run.Resume())
	if err != nil {
		return err
	}
	after = j.IDs.start(after)
	cutoff := now().Add(-j.Window)
	offline := j.Verifier.Resolver == nil
	var done int64
	for last := false; !last; {
		if err := ctx.Err(); err != nil {
			return err
		}
		due, err := run.Store.EmailsToCheck(ctx, cutoff, run.ChangedSince(), after, j.IDs.Through, batch)
		if err != nil {
			return fmt.Errorf("list addresses to check: %w", err)
		}
		var n int
		n, last = j.IDs.keep(len(due), func(i int) int64 { return due[i].CustomerID })
		if due = due[:n]; len(due) == 0 {
			return nil
		}
		addrs := make([]string, len(due))
		for i, d := range due {
			addrs[i] = d.Email
		}
		base := done
		results, err := j.Verifier.VerifyBatch(ctx, addrs, validate.BatchOptions{Progress: func(n int) {
			if j.Progress != nil {
				j.Progress(base + int64(n))
			}
		}})
		if err != nil {
			return fmt.Errorf("verify addresses: %w", err)
		}
		if !offline {
			// After the batch's lookups, before they are trusted.
			if err := j.canary(ctx); err != nil {
				return err
			}
		}
		at := now()
		err = run.Step(ctx, func(ctx context.Context, s steward.Store, st *Step) error {
			st.Count("recorded", 0)
			for i, d := range due {
				r := results[i]
				st.Count(string(r.Verdict), 1)
				if r.Verdict == validate.Unknown || (offline && r.Verdict != validate.Invalid) {
					run.KeepChangeMark()
					continue // stays due
				}
				err := s.RecordEmailCheck(ctx, d.CustomerID, d.Email, string(r.Verdict), string(r.Reason), at)
				if steward.ErrorCode(err) == steward.ENOTFOUND {
					continue // erased meanwhile
				} else if err != nil {
					return fmt.Errorf("record check of customer %d: %w", d.CustomerID, err)
				}
				st.Count("recorded", 1)
			}
			st.Count("checked", int64(len(due)))
			st.Checkpoint(strconv.FormatInt(due[len(due)-1].CustomerID, 10))
			return nil
		})
		if err != nil {
			return err
		}
		done += int64(len(due))
		after = due[len(due)-1].CustomerID
	}
	return nil
}

// parseIDCheckpoint reads a checkpoint that is a customer id; "" is 0.
func parseIDCheckpoint(cp string) (int64, error) {
	if cp == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(cp, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("checkpoint %q is not a customer id: %w", cp, err)
	}
	return id, nil
}
