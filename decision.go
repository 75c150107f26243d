package steward

import "context"

// Pair is an unordered pair of customer ids, kept with A < B so that it can
// be a map key.
type Pair struct {
	A int64 `json:"a"`
	B int64 `json:"b"`
}

// NewPair returns the pair of a and b in canonical order.
func NewPair(a, b int64) Pair {
	if a > b {
		a, b = b, a
	}
	return Pair{A: a, B: b}
}

// MatchedFields returns the canonical fields the duplicate matcher compares
// (every one but address_line2; no attribute). A change to one of them
// clears the customer's not-duplicate marks: a steward judged the two
// customers as they were, and a new email or name may make them one. The
// stores' triggers list the same fields, and a test holds both to what
// package dedupe prepares for matching.
func MatchedFields() []string {
	return []string{
		FieldFirstName, FieldLastName, FieldCompany, FieldEmail, FieldPhone,
		FieldAddressLine1, FieldCity, FieldRegion, FieldPostalCode, FieldCountry,
		FieldBirthDate, FieldNationalID,
	}
}

// DecisionStore keeps what stewards decided about customers beyond one
// suggestion: the pairs that are not duplicates, so that no later import,
// API call or nightly run suggests them again. A mark holds until one of
// its two customers changes in a matched field (MatchedFields): then it is
// cleared, in the transaction of that change, whoever makes it (steward,
// a job, an import, or SQL typed by hand), because a verdict on the old
// values says nothing about the new ones.
type DecisionStore interface {
	// AddNotDuplicate marks customers a and b as different people
	// (EINVALID when a is b, ENOTFOUND when either does not exist). Adding
	// a pair that is marked is a no-op; adding one whose mark was cleared
	// marks it again, with m.
	AddNotDuplicate(ctx context.Context, a, b int64, m Meta) error
	// NotDuplicatePairs returns every pair that is marked not-duplicate
	// and not cleared since.
	NotDuplicatePairs(ctx context.Context) (map[Pair]bool, error)
	// NotDuplicatesOf returns the marked, not cleared pairs that hold any
	// of the customers ids, ascending.
	NotDuplicatesOf(ctx context.Context, ids []int64) ([]Pair, error)
}
