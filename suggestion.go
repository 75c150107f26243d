package steward

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SuggestionStatus is where a duplicate suggestion stands in review.
type SuggestionStatus string

// Suggestion statuses. Pending ones wait for a steward; the others record
// the steward's decision.
const (
	SuggestionPending  SuggestionStatus = "pending"
	SuggestionMerged   SuggestionStatus = "merged"
	SuggestionRejected SuggestionStatus = "rejected"
	SuggestionSkipped  SuggestionStatus = "skipped"
)

// Valid reports whether s is one of the known suggestion statuses.
func (s SuggestionStatus) Valid() bool {
	switch s {
	case SuggestionPending, SuggestionMerged, SuggestionRejected, SuggestionSkipped:
		return true
	}
	return false
}

// Suggestion says that two or more customers are probably the same one,
// with how probable and why.
type Suggestion struct {
	ID int64 `json:"id"`
	// CustomerIDs are the members, sorted ascending and distinct; the set
	// identifies the suggestion.
	CustomerIDs []int64 `json:"customer_ids"`
	// Probability that the members are one customer, 0..1.
	Probability float64 `json:"probability"`
	// Evidence explains the match: an Evidence as JSON (see
	// DecodeEvidence); the store keeps it as it is.
	Evidence json.RawMessage  `json:"evidence,omitempty"`
	Status   SuggestionStatus `json:"status"`
	// RunID is the job run that last produced the suggestion, 0 if none.
	RunID int64 `json:"run_id,omitempty"`
	// DecidedBy and DecisionCause record who set a non-pending status.
	DecidedBy     string    `json:"decided_by,omitempty"`
	DecisionCause string    `json:"decision_cause,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// SuggestionKey returns the canonical key of a member set: the distinct ids
// sorted ascending and joined by commas. Stores use it to find an existing
// suggestion for the same customers.
func SuggestionKey(ids []int64) string {
	s := slices.Clone(ids)
	slices.Sort(s)
	s = slices.Compact(s)
	var b strings.Builder
	for i, id := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// SuggestionFilter selects suggestions for review.
type SuggestionFilter struct {
	// Status keeps suggestions with this status; "" keeps all.
	Status SuggestionStatus
	// MinProbability and MaxProbability keep the suggestions whose
	// probability is in [MinProbability, MaxProbability]; a MaxProbability
	// of 0 means 1 (no upper bound).
	MinProbability, MaxProbability float64
	// Source keeps the suggestions one of whose members a source record of
	// this source system resolves to; "" keeps all.
	Source string
	// Since and Until keep the suggestions made at or after Since and
	// before Until; zero times do not bound.
	Since, Until time.Time
	// Order is the review order: most probable first (the default) or
	// least.
	Order SuggestionOrder
	// Limit caps the number returned; 0 means no limit.
	Limit int
	// After is the id of the last suggestion of the previous page: the
	// result continues after it in the review order (ENOTFOUND when there
	// is no such suggestion). 0 starts at the top.
	After int64
}

// SuggestionOrder is an order of the review queue.
type SuggestionOrder string

// Review orders.
const (
	// MostConfident: most probable first, then by id (the default).
	MostConfident SuggestionOrder = "confident"
	// MostUncertain: least probable first, then newest first: the
	// suggestions nearest the review threshold, where a steward's
	// decision teaches the matcher most.
	MostUncertain SuggestionOrder = "uncertain"
)

// Check returns EINVALID for a filter no store can apply: an unknown
// order or status, probabilities outside 0..1 or the wrong way round,
// Until before Since. Stores call it so that every backend refuses the
// same filters.
func (f *SuggestionFilter) Check() error {
	switch {
	case f.Status != "" && !f.Status.Valid():
		return FieldErrorf(EINVALID, "status", "Unknown suggestion status %q: want pending, merged, rejected or skipped.", f.Status)
	case f.Order != "" && f.Order != MostConfident && f.Order != MostUncertain:
		return FieldErrorf(EINVALID, "order", "Unknown order %q: want confident or uncertain.", f.Order)
	case f.MinProbability < 0 || f.MinProbability > 1 || f.MaxProbability < 0 || f.MaxProbability > 1:
		return FieldErrorf(EINVALID, "min_probability", "Probabilities are between 0 and 1, not %g and %g.", f.MinProbability, f.MaxProbability)
	case f.MaxProbability != 0 && f.MaxProbability < f.MinProbability:
		return FieldErrorf(EINVALID, "max_probability", "The highest probability (%g) is below the lowest (%g).", f.MaxProbability, f.MinProbability)
	case !f.Since.IsZero() && !f.Until.IsZero() && f.Until.Before(f.Since):
		return FieldErrorf(EINVALID, "until", "The end of the period (%s) is before its start (%s).", f.Until.Format(time.RFC3339), f.Since.Format(time.RFC3339))
	}
	return nil
}

// SuggestionStore keeps duplicate suggestions and where each stands in
// review. The pairs stewards said are not duplicates are a DecisionStore's.
type SuggestionStore interface {
	// UpsertSuggestion stores s keyed by its member set (sorted and made
	// distinct in place; at least two members, EINVALID otherwise). A new
	// set becomes a pending suggestion. For a known set that is still
	// pending, probability, evidence and run id are updated, or nothing at
	// all when they are unchanged; a decided one (merged, rejected,
	// skipped) is left as it is. Either way s is filled from the stored
	// suggestion.
	UpsertSuggestion(ctx context.Context, s *Suggestion) error
	// UpsertSuggestions is UpsertSuggestion for many suggestions at once,
	// much faster; on error none is stored. Suggestions with the same
	// members within one call: the last one wins.
	UpsertSuggestions(ctx context.Context, ss []*Suggestion) error
	// Suggestion returns one suggestion by id, or ENOTFOUND.
	Suggestion(ctx context.Context, id int64) (*Suggestion, error)
	// Suggestions returns suggestions matching f in its order: most
	// probable first, then by id; or least probable first, then newest
	// first. EINVALID when f fails Check.
	Suggestions(ctx context.Context, f SuggestionFilter) ([]*Suggestion, error)
	// CountSuggestions returns how many suggestions f keeps, its order
	// and cursor aside (the review queue's counts); a Limit caps the
	// count, so that counting a long queue costs no more than the cap.
	// EINVALID when f fails Check.
	CountSuggestions(ctx context.Context, f SuggestionFilter) (int64, error)
	// SetSuggestionStatus records a decision on a suggestion: ENOTFOUND if
	// there is no such suggestion, EINVALID for an unknown status.
	SetSuggestionStatus(ctx context.Context, id int64, status SuggestionStatus, m Meta) error
}

// Normalize sorts and dedupes the members of sg and checks what every store
// refuses: fewer than two customers, a probability outside 0..1, evidence
// that is not JSON. Stores call it so that every backend refuses the same
// things.
func (sg *Suggestion) Normalize() error {
	slices.Sort(sg.CustomerIDs)
	sg.CustomerIDs = slices.Compact(sg.CustomerIDs)
	if len(sg.CustomerIDs) < 2 {
		return Errorf(EINVALID, "A suggestion needs at least two different customers.")
	}
	if sg.Probability < 0 || sg.Probability > 1 {
		return Errorf(EINVALID, "A probability is between 0 and 1, not %g.", sg.Probability)
	}
	if len(sg.Evidence) > 0 && !json.Valid(sg.Evidence) {
		return Errorf(EINVALID, "The evidence of a suggestion must be JSON.")
	}
	return nil
}

// DecodeEvidence returns the suggestion's evidence; an empty one when it
// has none. Evidence that does not parse is EINTERNAL: stores keep what
// producers wrote with the Evidence type, and their migrations rewrote the
// two shapes written before it (the import gate's and the nightly job's).
func (sg *Suggestion) DecodeEvidence() (*Evidence, error) {
	var ev Evidence
	if len(sg.Evidence) == 0 {
		return &ev, nil
	}
	if err := json.Unmarshal(sg.Evidence, &ev); err != nil {
		return nil, fmt.Errorf("suggestion %d: evidence: %w", sg.ID, err)
	}
	return &ev, nil
}
