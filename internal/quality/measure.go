package quality

import (
	"context"
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
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	pending, err := st.Suggestions(ctx, steward.SuggestionFilter{Status: steward.SuggestionPending})
	if err != nil {
		return nil, fmt.Errorf("pending suggestions: %w", err)
	}
	inPending := make(map[int64]bool)
	var duplicates int64
	for _, sg := range pending {
		for _, id := range sg.CustomerIDs {
			inPending[id] = true
		}
		duplicates += int64(len(sg.CustomerIDs) - 1)
	}
	t := newTally()
	var page []*steward.Customer
	var done int64
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
		for _, c := range page {
			m.measure(t, c, byID[c.ID], inPending[c.ID], now)
		}
		done += int64(len(page))
		if m.Progress != nil {
			m.Progress(done)
		}
		page = page[:0]
		return ctx.Err()
	}
	err = st.EachCustomer(ctx, steward.CustomerFilter{Status: steward.StatusActive}, func(c *steward.Customer) error {
		page = append(page, c)
		if len(page) == pageSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, fmt.Errorf("measure customers: %w", err)
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

// measure adds one customer to the tally, for all sources and for its
// own.
func (m *Measurer) measure(t *tally, c *steward.Customer, check *steward.EmailCheck, pending bool, now time.Time) {
	r := &c.Record
	sources := []string{""}
	if r.Source != "" {
		sources = append(sources, r.Source)
	}
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
	for _, src := range sources {
		t.customers += b2i(src == "")
		t.add(steward.DimUniqueness, "", src, b2i(!pending), 1)
		t.add(steward.DimTimeliness, "updated", src, b2i(now.Sub(c.UpdatedAt) <= 365*24*time.Hour), 1)
		for _, f := range fieldsMeasured() {
			v := r.Get(f)
			t.add(steward.DimCompleteness, f, src, b2i(v != ""), 1)
			if v == "" {
				continue
			}
			t.add(steward.DimValidity, f, src, b2i(!bad[f]), 1)
			t.add(steward.DimStandardization, f, src, b2i(!changed[f]), 1)
		}
		if r.Email != "" {
			if check != nil {
				t.add(steward.DimValidity, "email_verified", src, b2i(check.Verdict == string(validate.Valid)), 1)
			}
			fresh := check != nil && (m.VerificationWindow <= 0 || now.Sub(check.CheckedAt) <= m.VerificationWindow)
			t.add(steward.DimTimeliness, "verified", src, b2i(fresh), 1)
		}
		emailOK := r.Email != "" && !bad[steward.FieldEmail] && (check == nil || check.Verdict != string(validate.Invalid))
		t.add(steward.DimConsent, "sendable", src, b2i(emailOK && !optedOut), 1)
		for _, a := range m.ConsentAttributes {
			t.add(steward.DimConsent, a, src, b2i(isSet(r.Attributes[a])), 1)
		}
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
