package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/steward-crm/steward"
)

// queuePage is how many suggestions a queue page lists.
const queuePage = 50

// band is a range of scores the queue can be filtered to.
type band struct {
	Key, Label string
	Min, Max   float64
}

var bands = []band{
	{"", "all scores", 0, 0},
	{"high", "90% and over", 0.9, 0},
	{"middle", "70% to 90%", 0.7, 0.9},
	{"low", "under 70%", 0, 0.7},
}

// queueQuery is the queue's filter and order as the page's query string
// carries it, from the queue to a suggestion and back.
type queueQuery struct {
	Band   string
	Source string
	Since  string
	Until  string
	Order  steward.SuggestionOrder
}

// parseQueue reads the queue's filter from q; EINVALID names a field a
// steward can fix.
func parseQueue(q url.Values) (queueQuery, steward.SuggestionFilter, error) {
	qq := queueQuery{Band: q.Get("band"), Source: strings.TrimSpace(q.Get("source")), Since: q.Get("since"), Until: q.Get("until"),
		Order: steward.SuggestionOrder(q.Get("order"))}
	f := steward.SuggestionFilter{Status: steward.SuggestionPending, Source: qq.Source, Order: qq.Order}
	if f.Order == "" {
		qq.Order, f.Order = steward.MostUncertain, steward.MostUncertain
	}
	found := false
	for _, b := range bands {
		if b.Key == qq.Band {
			f.MinProbability, f.MaxProbability, found = b.Min, b.Max, true
		}
	}
	if !found {
		return qq, f, steward.FieldErrorf(steward.EINVALID, "band", "Unknown score band %q: pick one from the list.", qq.Band)
	}
	for _, d := range []struct {
		s  string
		to *time.Time
		n  string
	}{{qq.Since, &f.Since, "since"}, {qq.Until, &f.Until, "until"}} {
		if d.s == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.s)
		if err != nil {
			return qq, f, steward.FieldErrorf(steward.EINVALID, d.n, "The date %q is not a date like 2026-12-06.", d.s)
		}
		if d.n == "until" {
			t = t.AddDate(0, 0, 1) // through the whole day
		}
		*d.to = t
	}
	return qq, f, f.Check()
}

// Values returns the query string of the filter (empty values left out),
// to carry it along.
func (q queueQuery) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"band": q.Band, "source": q.Source, "since": q.Since, "until": q.Until} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Order != steward.MostUncertain {
		v.Set("order", string(q.Order))
	}
	return v
}

// Query is the filter as a query string ("" for none), without "?": a
// template.URL, so that a link keeps it as it is, its own encoding done.
func (q queueQuery) Query() template.URL { return template.URL(q.Values().Encode()) }

// With returns the query string of the filter with key set to value.
func (q queueQuery) With(key, value string) template.URL {
	v := q.Values()
	v.Set(key, value)
	if key == "order" && value == string(steward.MostUncertain) {
		v.Del("order")
	}
	return template.URL(v.Encode())
}

type queueRow struct {
	Suggestion *steward.Suggestion
	Names      []string
	// Claim is a live claim of the suggestion (nil for none), Mine
	// whether it is the steward's own.
	Claim *steward.Claim
	Mine  bool
}

// countCap is as far as the queue counts: beyond it a count says "10,000+",
// so that a long queue costs no more to count than a short one.
const countCap = 10_000

// count is a count of suggestions, capped at countCap.
type count int64

// String writes the count with thousands separators, "10,000+" at the cap.
func (n count) String() string {
	if n >= countCap {
		return humanize.Comma(countCap) + "+"
	}
	return humanize.Comma(int64(n))
}

type queueView struct {
	Q        queueQuery
	Bands    []band
	Rows     []queueRow
	Pending  count
	Matching count
	Skipped  count
	First    bool
	Next     template.URL
	Error    string
	Notice   string
	// Claimed is how many suggestions the last claim took.
	Claimed string
}

// queue shows the pending suggestions, filtered and in review order, a
// page at a time (keyset: the page after suggestion ?after=ID).
func (p *Pages) queue(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	qq, f, ferr := parseQueue(r.URL.Query())
	v := queueView{Q: qq, Bands: bands, First: true, Notice: r.URL.Query().Get("done"), Claimed: r.URL.Query().Get("n")}
	status := http.StatusOK
	if ferr != nil {
		if p.cfg.Status(ferr) >= 500 {
			return ferr
		}
		v.Error, status = steward.ErrorMessage(ferr), p.cfg.Status(ferr)
		f = steward.SuggestionFilter{Status: steward.SuggestionPending, Order: steward.MostUncertain}
	}
	counted := func(f steward.SuggestionFilter) (count, error) {
		f.Limit, f.Order = countCap, ""
		n, err := p.st.CountSuggestions(ctx, f)
		return count(n), err
	}
	var err error
	if v.Pending, err = counted(steward.SuggestionFilter{Status: steward.SuggestionPending}); err != nil {
		return err
	}
	if v.Skipped, err = counted(steward.SuggestionFilter{Status: steward.SuggestionSkipped}); err != nil {
		return err
	}
	v.Matching = v.Pending
	if f.MinProbability != 0 || f.MaxProbability != 0 || f.Source != "" || !f.Since.IsZero() || !f.Until.IsZero() {
		if v.Matching, err = counted(f); err != nil {
			return err
		}
	}
	if a := r.URL.Query().Get("after"); a != "" {
		id, perr := strconv.ParseInt(a, 10, 64)
		if perr != nil || id <= 0 {
			return steward.Errorf(steward.EMALFORMED, "The page to continue after (%q) is not a suggestion number; start from the first page.", a)
		}
		f.After, v.First = id, false
	}
	f.Limit = queuePage + 1
	sgs, err := p.st.Suggestions(ctx, f)
	if steward.ErrorCode(err) == steward.ENOTFOUND {
		return steward.Errorf(steward.ENOTFOUND, "The page this one continued from is gone; start from the first page of the queue.")
	}
	if err != nil {
		return err
	}
	if len(sgs) > queuePage {
		sgs = sgs[:queuePage]
		v.Next = qq.With("after", fmt.Sprint(sgs[len(sgs)-1].ID))
	}
	names, err := p.memberNames(r, sgs)
	if err != nil {
		return err
	}
	ids := make([]int64, len(sgs))
	for i, sg := range sgs {
		ids[i] = sg.ID
	}
	claims, err := p.st.SuggestionClaims(ctx, ids, p.cfg.Now().UTC())
	if err != nil {
		return err
	}
	for _, sg := range sgs {
		row := queueRow{Suggestion: sg}
		if cl, ok := claims[sg.ID]; ok {
			row.Claim, row.Mine = &cl, cl.By == c.user.Name
		}
		for _, id := range sg.CustomerIDs {
			row.Names = append(row.Names, names[id])
		}
		v.Rows = append(v.Rows, row)
	}
	return p.render(w, r, c, status, "queue", "Review queue", v)
}

// memberNames names the members of sgs ("Sara Ahmadi", or the number
// of one without a name), read at once.
func (p *Pages) memberNames(r *http.Request, sgs []*steward.Suggestion) (map[int64]string, error) {
	ids := []int64{}
	for _, sg := range sgs {
		ids = append(ids, sg.CustomerIDs...)
	}
	out := make(map[int64]string, len(ids))
	err := p.st.EachCustomer(r.Context(), steward.CustomerFilter{IDs: ids}, func(cu *steward.Customer) error {
		out[cu.ID] = displayName(cu)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = fmt.Sprintf("#%d (gone)", id)
		}
	}
	return out, nil
}

// displayName is how a page names a customer: the name, else the
// company, else the email, else the number.
func displayName(cu *steward.Customer) string {
	for _, s := range []string{strings.TrimSpace(cu.Record.FullName()), cu.Record.Company, cu.Record.Email} {
		if s != "" {
			return s
		}
	}
	return fmt.Sprintf("#%d", cu.ID)
}
