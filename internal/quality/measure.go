package quality

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
	"github.com/steward-crm/steward/validate"
)

// Store is what a snapshot reads: the active customers page by page, their
// addresses' verifications, and the pending suggestions.
type Store interface {
	EachCustomer(ctx context.Context, f steward.CustomerFilter, fn func(*steward.Customer) error) error
	CurrentEmailChecks(ctx context.Context, afterID, upTo int64) ([]steward.EmailCheck, error)
	Suggestions(ctx context.Context, f steward.SuggestionFilter) ([]*steward.Suggestion, error)
}

// Measurer takes quality snapshots of the customer database, with the
// rules the data is held to.
type Measurer struct {
	// Rules validate each customer as the import gate would; a filled
	// field is valid when they find no error in it.
	Rules *validate.RecordRules
	// Cleanse is the standardization a value is measured against: it is
	// standard when cleanse.Record would leave it as it is.
	Cleanse cleanse.Options
	// Required lists the fields the rules file requires; their
	// completeness is reported as such.
	Required []string
	// ConsentAttributes are the opt-out attributes (email_opt_out …): a
	// customer with any of them set is not sendable.
	ConsentAttributes []string
	// VerificationWindow is how long an email verification stays fresh.
	VerificationWindow time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Progress, when not nil, is told how many customers were measured.
	Progress func(done int64)
}

// pageSize is how many customers a snapshot measures between two reads of
// their verifications.
const pageSize = 2000

// fieldsMeasured are the canonical fields every dimension measures.
func fieldsMeasured() []string { return steward.CanonicalFields() }

// Take measures every active customer, streaming them through the store
// page by page (memory does not grow with the database), and returns the
// snapshot; it does not save it.
func (m *Measurer) Take(ctx context.Context, st Store) (*steward.Snapshot, error) {
	now := m.now()
	pending, err := st.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending})
	if err != nil {
		return nil, fmt.Errorf("pending suggestions: %w", err)
	}
	inPending, duplicates := pendingMembers(pending)
	t := newTally()
	var done int64
	err = walk(ctx, st, 0, func(page []*steward.Customer, checks map[int64]*steward.EmailCheck) error {
		for _, c := range page {
			m.measure(t, c, checks[c.ID], inPending[c.ID], now)
		}
		done += int64(len(page))
		if m.Progress != nil {
			m.Progress(done)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.add(steward.DimUniqueness, "estimated_duplicates", "", duplicates, t.customers)
	for _, sg := range pending {
		age := now.Sub(sg.CreatedAt)
		t.add(steward.DimBacklog, "pending", "", 1, 1)
		t.add(steward.DimBacklog, "older_than_7d", "", b2i(age > 7*24*time.Hour), 1)
		t.add(steward.DimBacklog, "older_than_30d", "", b2i(age > 30*24*time.Hour), 1)
	}
	return &steward.Snapshot{TakenAt: now, Customers: t.customers, Metrics: t.metrics()}, nil
}

func (m *Measurer) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// pendingMembers returns the customers in pending suggestions, and how
// many of them are estimated duplicates (all but one of each suggestion).
func pendingMembers(pending []*steward.Suggestion) (map[int64]bool, int64) {
	in := make(map[int64]bool)
	var duplicates int64
	for _, sg := range pending {
		for _, id := range sg.CustomerIDs {
			in[id] = true
		}
		duplicates += int64(len(sg.CustomerIDs) - 1)
	}
	return in, duplicates
}

// errEnough stops a walk that has found what it looked for.
var errEnough = errors.New("enough")

// walk streams the active customers after afterID to fn a page at a time,
// with their addresses' current verifications. fn returning errEnough
// ends the walk without error.
func walk(ctx context.Context, st Store, afterID int64, fn func(page []*steward.Customer, checks map[int64]*steward.EmailCheck) error) error {
	var page []*steward.Customer
	flush := func() error {
		if len(page) == 0 {
			return nil
		}
		checks, err := st.CurrentEmailChecks(ctx, page[0].ID-1, page[len(page)-1].ID)
		if err != nil {
			return fmt.Errorf("email verifications: %w", err)
		}
		byID := make(map[int64]*steward.EmailCheck, len(checks))
		for i := range checks {
			byID[checks[i].CustomerID] = &checks[i]
		}
		if err := fn(page, byID); err != nil {
			return err
		}
		page = page[:0]
		return ctx.Err()
	}
	err := st.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive, AfterID: afterID}, func(c *steward.Customer) error {
		page = append(page, c)
		if len(page) == pageSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if errors.Is(err, errEnough) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("measure customers: %w", err)
	}
	return nil
}

// Behind returns the ids of the customers behind a per-customer metric,
// in id order after afterID, at most limit of them: those it counts but
// does not count as good (failing), or with passing those it counts as
// good. key.Source keeps the customers of one source system. The second
// result says that more follow. Metrics that count suggestions (backlog)
// or estimates have no customers behind them: EMALFORMED.
func (m *Measurer) Behind(ctx context.Context, st Store, key steward.MetricKey, passing bool, afterID int64, limit int) ([]int64, bool, error) {
	if !PerCustomer(key) {
		return nil, false, steward.FieldErrorf(steward.EMALFORMED, "metric",
			"The metric %q counts no customers one by one; choose one of a dimension's fields (completeness.email, validity.phone, consent.sendable, uniqueness …).", MetricName(key))
	}
	if limit <= 0 {
		limit = 100
	}
	now := m.now()
	var inPending map[int64]bool
	if key.Dimension == steward.DimUniqueness {
		pending, err := st.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending})
		if err != nil {
			return nil, false, fmt.Errorf("pending suggestions: %w", err)
		}
		inPending, _ = pendingMembers(pending)
	}
	var ids []int64
	more := false
	err := walk(ctx, st, afterID, func(page []*steward.Customer, checks map[int64]*steward.EmailCheck) error {
		for _, c := range page {
			if key.Source != "" && c.Record.Source != key.Source {
				continue
			}
			hit := false
			m.observe(c, checks[c.ID], inPending[c.ID], now, func(dim, field string, ok bool) {
				if dim == key.Dimension && field == key.Field && ok == passing {
					hit = true
				}
			})
			if !hit {
				continue
			}
			if len(ids) == limit {
				more = true
				return errEnough
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	return ids, more, err
}

// PerCustomer reports whether key is a metric that counts customers one by
// one, so that the customers behind it can be listed.
func PerCustomer(k steward.MetricKey) bool {
	switch k.Dimension {
	case steward.DimBacklog:
		return false
	case steward.DimUniqueness:
		return k.Field == ""
	case steward.DimCompleteness, steward.DimValidity, steward.DimStandardization, steward.DimTimeliness, steward.DimConsent:
		return k.Field != ""
	}
	return false
}

// MetricName is the metric as the rules file and the API name it:
// "dimension.field", or the dimension alone.
func MetricName(k steward.MetricKey) string {
	if k.Field == "" {
		return k.Dimension
	}
	return k.Dimension + "." + k.Field
}

// measure adds one customer to the tally, for all sources and for its
// own.
func (m *Measurer) measure(t *tally, c *steward.Customer, check *steward.EmailCheck, pending bool, now time.Time) {
	t.customers++
	m.observe(c, check, pending, now, func(dim, field string, ok bool) {
		t.add(dim, field, "", b2i(ok), 1)
		if c.Record.Source != "" {
			t.add(dim, field, c.Record.Source, b2i(ok), 1)
		}
	})
}

// observe tells fn, for every per-customer metric c counts in, whether c
// counts in its numerator (ok). It is the one definition of what each
// metric measures, for the snapshot's tally and for Behind.
func (m *Measurer) observe(c *steward.Customer, check *steward.EmailCheck, pending bool, now time.Time, fn func(dim, field string, ok bool)) {
	r := &c.Record
	// What the rules find wrong, per field, as the gate would.
	bad := make(map[string]bool)
	if m.Rules != nil {
		for _, f := range validate.Record(r, m.Rules) {
			if f.IsError() {
				bad[f.Field] = true
			}
		}
	}
	// What standardizing would still change.
	std := r.Clone()
	changed := make(map[string]bool)
	for _, f := range cleanse.Record(&std, m.Cleanse) {
		if f.Before != f.After {
			changed[f.Field] = true
		}
	}
	optedOut := false
	for _, a := range m.ConsentAttributes {
		if isSet(r.Attributes[a]) {
			optedOut = true
		}
	}
	fn(steward.DimUniqueness, "", !pending)
	fn(steward.DimTimeliness, "updated", now.Sub(c.UpdatedAt) <= 365*24*time.Hour)
	for _, f := range fieldsMeasured() {
		v := r.Get(f)
		fn(steward.DimCompleteness, f, v != "")
		if v == "" {
			continue
		}
		fn(steward.DimValidity, f, !bad[f])
		fn(steward.DimStandardization, f, !changed[f])
	}
	if r.Email != "" {
		if check != nil {
			fn(steward.DimValidity, "email_verified", check.Verdict == string(validate.Valid))
		}
		fresh := check != nil && (m.VerificationWindow <= 0 || now.Sub(check.CheckedAt) <= m.VerificationWindow)
		fn(steward.DimTimeliness, "verified", fresh)
	}
	emailOK := r.Email != "" && !bad[steward.FieldEmail] && (check == nil || check.Verdict != string(validate.Invalid))
	fn(steward.DimConsent, "sendable", emailOK && !optedOut)
	for _, a := range m.ConsentAttributes {
		fn(steward.DimConsent, a, isSet(r.Attributes[a]))
	}
}

// isSet reports whether a consent attribute's value says the flag is set
// (an opt-out is on).
func isSet(v string) bool { return steward.ConsentFlag(v) == 1 }

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// tally sums numerators and denominators by metric key.
type tally struct {
	customers int64
	sums      map[steward.MetricKey]*[2]int64
}

func newTally() *tally { return &tally{sums: make(map[steward.MetricKey]*[2]int64)} }

func (t *tally) add(dim, field, source string, num, den int64) {
	k := steward.MetricKey{Dimension: dim, Field: field, Source: source}
	s := t.sums[k]
	if s == nil {
		s = new([2]int64)
		t.sums[k] = s
	}
	s[0] += num
	s[1] += den
}

// metrics returns the tally's metrics in a stable order.
func (t *tally) metrics() []steward.Metric {
	out := make([]steward.Metric, 0, len(t.sums))
	for k, s := range t.sums {
		out = append(out, steward.Metric{Dimension: k.Dimension, Field: k.Field, Source: k.Source, Numerator: s[0], Denominator: s[1]})
	}
	slices.SortFunc(out, func(a, b steward.Metric) int {
		if c := strings.Compare(a.Dimension, b.Dimension); c != 0 {
			return c
		}
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return strings.Compare(a.Field, b.Field)
	})
	return out
}
