package dedupe

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/steward-crm/steward"
)

// Member is one customer of a merge, as survivorship sees it.
type Member struct {
	ID     int64
	Record *steward.Record
	// UpdatedAt is when the member's data last changed; most_recent and
	// every tie prefer the latest.
	UpdatedAt time.Time
}

// Choice is the value one field keeps after a merge, and why.
type Choice struct {
	Field string `json:"field"`
	Value string `json:"value"`
	// From is the member whose value survives; 0 when no member has one.
	From     int64            `json:"from,omitempty"`
	Strategy steward.Strategy `json:"strategy"`
	// Differs says the members hold more than one distinct value.
	Differs bool `json:"differs,omitempty"`
}

// Survive plans the record a merge of members keeps: for every canonical
// field and every attribute any member has, the value the policy's
// strategy picks (steward.Survivorship.For), in canonical order and then
// by attribute name. Empty values never win over a value. Ties go to the
// member updated last, then to the first member. An unset strategy is
// most_recent. Source and SourceID are the first member's.
//
// Survive is pure: the same members and policy give the same plan, which
// is what the review pages preselect and what a merge stores.
func Survive(members []Member, policy steward.Survivorship) (steward.Record, []Choice) {
	var out steward.Record
	if len(members) == 0 {
		return out, nil
	}
	out.Source, out.SourceID = members[0].Record.Source, members[0].Record.SourceID
	fields := steward.CanonicalFields()
	var attrs []string
	for _, m := range members {
		for _, k := range m.Record.AttributeNames() {
			if !slices.Contains(attrs, k) {
				attrs = append(attrs, k)
			}
		}
	}
	slices.Sort(attrs)
	choices := make([]Choice, 0, len(fields)+len(attrs))
	for _, f := range append(fields, attrs...) {
		c := choose(members, f, policy.For(f))
		out.Set(f, c.Value)
		choices = append(choices, c)
	}
	return out, choices
}

// choose picks one field's value among the members.
func choose(members []Member, field string, p steward.FieldPolicy) Choice {
	strategy := p.Strategy
	if strategy == "" {
		strategy = steward.MostRecent
	}
	c := Choice{Field: field, Strategy: strategy}
	best := -1
	count := make(map[string]int)
	for i, m := range members {
		v := m.Record.Get(field)
		if v == "" {
			continue
		}
		count[v]++
		if best >= 0 && members[best].Record.Get(field) != v {
			c.Differs = true
		}
		if best < 0 {
			best = i
		}
	}
	if best < 0 {
		return c
	}
	// better reports whether member i's value beats member j's.
	better := func(i, j int) bool {
		a, b := members[i], members[j]
		va, vb := a.Record.Get(field), b.Record.Get(field)
		if k := compareBy(strategy, p.Sources, a, va, b, vb, count); k != 0 {
			return k > 0
		}
		return a.UpdatedAt.After(b.UpdatedAt)
	}
	for i := range members {
		if i != best && members[i].Record.Get(field) != "" && better(i, best) {
			best = i
		}
	}
	c.Value, c.From = members[best].Record.Get(field), members[best].ID
	return c
}

// compareBy compares two members' non-empty values by a strategy: > 0 when
// a's is better, < 0 when b's, 0 when the strategy cannot tell them apart.
func compareBy(s steward.Strategy, sources []string, a Member, va string, b Member, vb string, count map[string]int) int {
	switch s {
	case steward.MostComplete:
		return utf8.RuneCountInString(strings.TrimSpace(va)) - utf8.RuneCountInString(strings.TrimSpace(vb))
	case steward.MostFrequent:
		return count[va] - count[vb]
	case steward.SourcePriority:
		return rank(sources, b.Record.Source) - rank(sources, a.Record.Source)
	case steward.MostRestrictive:
		return restrictiveness(va) - restrictiveness(vb)
	}
	return 0 // most_recent: the tie-break decides
}

// rank is a source's place in a priority list; unlisted sources come
// after every listed one.
func rank(sources []string, source string) int {
	if i := slices.Index(sources, source); i >= 0 {
		return i
	}
	return len(sources)
}

// restrictiveness orders the values of a consent attribute (an opt-out
// flag): a set flag (true, yes, 1 …) is more restrictive than a cleared
// one (false, no, 0 …), which is more restrictive than a value that says
// neither. Opting out must survive every merge.
func restrictiveness(v string) int {
	switch steward.ConsentFlag(v) {
	case 1:
		return 2
	case -1:
		return 1
	}
	return 0
}
