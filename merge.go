package steward

import (
	"context"
	"strings"
	"time"
)

// Strategy picks the surviving value of a field when customers merge.
type Strategy string

// Survivorship strategies.
const (
	// MostRecent takes the value of the member updated last.
	MostRecent Strategy = "most_recent"
	// MostComplete takes the longest value (the one that says most).
	MostComplete Strategy = "most_complete"
	// SourcePriority takes the value of the member whose source ranks
	// highest in FieldPolicy.Sources.
	SourcePriority Strategy = "source_priority"
	// MostFrequent takes the value most members hold.
	MostFrequent Strategy = "most_frequent"
	// MostRestrictive is for consent attributes: an opt-out or
	// suppression of any member wins.
	MostRestrictive Strategy = "most_restrictive"
)

// Strategies lists the survivorship strategies.
func Strategies() []Strategy {
	return []Strategy{MostRecent, MostComplete, SourcePriority, MostFrequent, MostRestrictive}
}

// Survivorship says, per field, which value survives a merge. The rules
// file's survivorship section declares it; merging applies it (package
// dedupe's Survive).
type Survivorship struct {
	// Default applies to fields and attributes not listed.
	Default FieldPolicy `yaml:"default" json:"default"`
	// Fields is keyed by canonical field.
	Fields map[string]FieldPolicy `yaml:"fields" json:"fields,omitempty"`
	// Attributes is keyed by attribute name (lower case).
	Attributes map[string]FieldPolicy `yaml:"attributes" json:"attributes,omitempty"`
}

// FieldPolicy is one field's strategy. The rules file writes it as the
// strategy name, or as {strategy: source_priority, sources: [...]}.
type FieldPolicy struct {
	Strategy Strategy `yaml:"strategy" json:"strategy"`
	// Sources ranks source systems, most trusted first (source_priority
	// only).
	Sources []string `yaml:"sources" json:"sources,omitempty"`
}

// For returns the policy of a canonical field or attribute: its own, or
// the default.
func (s *Survivorship) For(field string) FieldPolicy {
	if IsCanonicalField(field) {
		if p, ok := s.Fields[field]; ok {
			return p
		}
	} else if p, ok := s.Attributes[field]; ok {
		return p
	}
	return s.Default
}

// ConsentFlag reads the value of a consent attribute (an opt-out flag such
// as email_opt_out or do_not_contact): 1 when the flag is set (true, yes,
// 1, unsubscribed, بله …), -1 when it is cleared (false, no, 0, خیر …),
// and 0 when the value says neither. Survivorship (most_restrictive) and
// the quality reports read consent the same way through it.
func ConsentFlag(v string) int {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "t", "yes", "y", "1", "on", "opt-out", "opted_out", "opted-out", "optout", "unsubscribed", "suppressed", "بله", "آری":
		return 1
	case "false", "f", "no", "n", "0", "off", "opt-in", "opted_in", "opted-in", "subscribed", "خیر", "نه":
		return -1
	}
	return 0
}

// IsConsent reports whether field is a consent or suppression attribute:
// one whose policy is most_restrictive, or one whose name says it records
// an opt-out, an unsubscribe, a suppression or a do-not-contact wish
// (ConsentAttribute). A merge keeps the most restrictive value of every
// member for such a field, whatever the policy or a steward says, so that
// no one who opted out is contacted again because of a merge.
func (s *Survivorship) IsConsent(field string) bool {
	if IsCanonicalField(field) {
		return false
	}
	if p, ok := s.Attributes[field]; ok && p.Strategy == MostRestrictive {
		return true
	}
	return ConsentAttribute(field)
}

// ConsentAttribute reports whether an attribute's name says it records
// consent: it holds opt_out, optout, opt-out, unsubscribe, suppress,
// do_not_ or consent.
func ConsentAttribute(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"opt_out", "optout", "opt-out", "unsubscribe", "suppress", "do_not_", "do-not-", "consent"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// MergeStatus says whether a merge holds or was undone.
type MergeStatus string

// Merge statuses.
const (
	// MergeActive: the members are merged into the survivor.
	MergeActive MergeStatus = "active"
	// MergeUndone: every member is back as it was (Merge.UndoneAt).
	MergeUndone MergeStatus = "undone"
)

// Merge is one merge of two or more customers into one of them, the
// survivor, as the audit trail keeps it: who merged whom, every member's
// before-image and source references, and where each of the survivor's
// values came from. It is what undoing the merge, or taking one member out
// of it, restores from (package internal/merge does both).
type Merge struct {
	ID         int64       `json:"id"`
	SurvivorID int64       `json:"survivor_id"`
	Status     MergeStatus `json:"status"`
	// Version increases by one with every change (undo, a member taken
	// out); a change that names an older version fails with ECONFLICT.
	Version int64 `json:"version"`
	// SuggestionID is the suggestion the merge decided, 0 for none;
	// SuggestionStatus the status it had before, which undo gives back.
	SuggestionID     int64            `json:"suggestion_id,omitempty"`
	SuggestionStatus SuggestionStatus `json:"suggestion_status,omitempty"`
	// Members are every customer of the merge, the survivor included, in
	// ascending id order.
	Members []MergeMember `json:"members"`
	// Choices say, field by field, which value the survivor kept and why.
	Choices []FieldChoice `json:"choices"`
	// After is the survivor's record as the merge (or the last member
	// taken out) left it. A field that differs from it now was changed
	// since by someone else, and undo keeps that change.
	After Record `json:"after"`
	// Cleared are the not-duplicate marks of the survivor that the merge
	// cleared by changing its matched fields; undo marks them again, unless
	// the other customer changed meanwhile.
	Cleared []Pair `json:"cleared,omitempty"`
	// Actor and Cause made the merge; CreatedAt is when.
	Actor     string    `json:"actor"`
	Cause     string    `json:"cause"`
	CreatedAt time.Time `json:"created_at"`
	// UndoneBy and UndoneAt say who undid the merge and when.
	UndoneBy string    `json:"undone_by,omitempty"`
	UndoneAt time.Time `json:"undone_at,omitzero"`
}

// MergeMember is one customer of a merge.
type MergeMember struct {
	CustomerID int64 `json:"customer_id"`
	// Before is the customer as it was just before the merge.
	Before Customer `json:"before"`
	// SourceRefs are the source records that resolved to the customer
	// before the merge (sorted); the merge made them resolve to the
	// survivor.
	SourceRefs []SourceRef `json:"source_refs,omitempty"`
	// TakenOutBy and TakenOutAt say who took the member out of the merge
	// and when; zero while it is merged.
	TakenOutBy string    `json:"taken_out_by,omitempty"`
	TakenOutAt time.Time `json:"taken_out_at,omitzero"`
}

// In reports whether the member is still part of the merge: not taken
// out.
func (mm *MergeMember) In() bool { return mm.TakenOutAt.IsZero() }

// Member returns the member with the customer id, or nil.
func (m *Merge) Member(id int64) *MergeMember {
	for i := range m.Members {
		if m.Members[i].CustomerID == id {
			return &m.Members[i]
		}
	}
	return nil
}

// Chooser says who decided a field's value in a merge.
type Chooser string

// Choosers.
const (
	// ByPolicy: the survivorship policy picked the value.
	ByPolicy Chooser = "policy"
	// BySteward: a steward picked another member's value, or typed one.
	BySteward Chooser = "steward"
	// ByConsent: a consent attribute keeps its most restrictive value,
	// whatever the policy or a steward says.
	ByConsent Chooser = "consent"
)

// FieldChoice is the value one field of the survivor kept in a merge, and
// why.
type FieldChoice struct {
	Field string `json:"field"`
	Value string `json:"value"`
	// From is the member whose value it is; 0 for a value a steward typed,
	// or when no member had one.
	From     int64    `json:"from,omitempty"`
	Strategy Strategy `json:"strategy,omitempty"`
	By       Chooser  `json:"by"`
	// Differs says the members held more than one distinct value.
	Differs bool `json:"differs,omitempty"`
}

// MergeFilter selects merges, newest first.
type MergeFilter struct {
	// Status keeps merges with this status; "" keeps all.
	Status MergeStatus
	// CustomerID keeps the merges the customer was a member (or the
	// survivor) of; 0 keeps all.
	CustomerID int64
	// Before keeps merges with an id below it, to page on; 0 starts with
	// the newest.
	Before int64
	// Limit caps the number returned; 0 means no limit.
	Limit int
}

// MergeStore keeps the merges and moves source references between
// customers. It writes no customer: package internal/merge changes the
// members through the CustomerStore in the same transaction.
type MergeStore interface {
	// CreateMerge stores m as a new merge (EINVALID unless Check passes)
	// and sets m.ID, m.Version (1), m.Status (active) and m.CreatedAt.
	CreateMerge(ctx context.Context, m *Merge) error
	// Merge returns one merge by id, or ENOTFOUND.
	Merge(ctx context.Context, id int64) (*Merge, error)
	// Merges returns the merges matching f, newest first.
	Merges(ctx context.Context, f MergeFilter) ([]*Merge, error)
	// UpdateMerge stores m's status, members, choices, after-image and
	// undo over the stored merge if its version is still m.Version, and
	// increments m.Version; ECONFLICT when someone changed it meanwhile,
	// ENOTFOUND when there is no such merge.
	UpdateMerge(ctx context.Context, m *Merge) error
	// SourceRefs returns the source records that resolve to the customer,
	// sorted by source and id; none for an unknown customer.
	SourceRefs(ctx context.Context, customerID int64) ([]SourceRef, error)
	// MoveSourceRefs makes every ref resolve to the customer to; ENOTFOUND
	// (and nothing moved) when a ref is unknown or there is no such
	// customer.
	MoveSourceRefs(ctx context.Context, refs []SourceRef, to int64) error
	// MergedInto returns the ids of the customers whose merged-into is id,
	// ascending: the customers merged into it.
	MergedInto(ctx context.Context, id int64) ([]int64, error)
	// TouchCustomer increments the version of customer id if it is still
	// version (ECONFLICT otherwise, ENOTFOUND when there is no such
	// customer), and changes nothing else: a survivor whose record a merge
	// left as it was still changed (it took in others and their source
	// records), and whoever saw it before must see a conflict.
	TouchCustomer(ctx context.Context, id, version int64) error
}

// Check returns EINVALID unless m is a merge a store keeps: two or more
// distinct members in ascending id order, each with its before-image,
// the survivor among them. Stores call it so that every backend refuses
// the same merges.
func (m *Merge) Check() error {
	if len(m.Members) < 2 {
		return Errorf(EINVALID, "A merge needs at least two customers, not %d.", len(m.Members))
	}
	survivor := false
	for i, mm := range m.Members {
		if i > 0 && mm.CustomerID <= m.Members[i-1].CustomerID {
			return Errorf(EINVALID, "A merge's members are distinct and in ascending id order (%d after %d).", mm.CustomerID, m.Members[i-1].CustomerID)
		}
		if mm.Before.ID != mm.CustomerID {
			return Errorf(EINVALID, "Member %d of a merge needs its before-image (it has customer %d's).", mm.CustomerID, mm.Before.ID)
		}
		survivor = survivor || mm.CustomerID == m.SurvivorID
	}
	if !survivor {
		return Errorf(EINVALID, "The survivor %d is not a member of the merge.", m.SurvivorID)
	}
	return nil
}

// StaleMerge is the ECONFLICT of a change to a merge whose version is
// older than the stored one: someone else undid it or took a member out
// meanwhile.
func StaleMerge(id, have, stored int64) *Error {
	return Errorf(ECONFLICT,
		"Merge %d was changed by someone else (version %d, yours is %d); reload it and try again.", id, stored, have)
}
