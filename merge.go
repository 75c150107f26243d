package steward

import "strings"

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
