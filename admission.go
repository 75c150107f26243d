package steward

// InvalidAction is what the gate does with a record that has error
// findings. The rules file's gate.on_invalid names it.
type InvalidAction string

// Invalid-record actions.
const (
	// InvalidReject keeps the record out: a bulk import sends it to the
	// rejects report, the API answers with its findings.
	InvalidReject InvalidAction = "reject"
	// InvalidWarn stores the record and reports its findings.
	InvalidWarn InvalidAction = "warn"
)

// InvalidActions lists the invalid-record actions.
func InvalidActions() []InvalidAction { return []InvalidAction{InvalidReject, InvalidWarn} }

// DuplicateAction is what the gate does with a new record that looks like
// a stored customer (or an earlier row of the same file). The rules file's
// gate.on_duplicate and import's --on-duplicate name it.
type DuplicateAction string

// Duplicate actions.
const (
	// DuplicateSuggest stores the record as a new customer and queues a
	// pending merge suggestion for a steward.
	DuplicateSuggest DuplicateAction = "suggest"
	// DuplicateBlock does not store the record; it is reported with the
	// customer it looks like.
	DuplicateBlock DuplicateAction = "block"
	// DuplicateMerge merges the record into the customer it looks like
	// when the match probability reaches the automatic-merge threshold,
	// and suggests otherwise.
	DuplicateMerge DuplicateAction = "merge"
	// DuplicateHold stores the record as a held customer (StatusHeld: not
	// active, not exported, not sendable) and queues a pending merge
	// suggestion; the steward's decision merges it or lets it in.
	DuplicateHold DuplicateAction = "hold"
)

// DuplicateActions lists the duplicate actions.
func DuplicateActions() []DuplicateAction {
	return []DuplicateAction{DuplicateSuggest, DuplicateHold, DuplicateBlock, DuplicateMerge}
}

// ParseDuplicateAction returns the action a user named; "" is suggest.
func ParseDuplicateAction(s string) (DuplicateAction, error) {
	switch a := DuplicateAction(s); a {
	case "":
		return DuplicateSuggest, nil
	case DuplicateSuggest, DuplicateHold, DuplicateBlock, DuplicateMerge:
		return a, nil
	}
	return "", Errorf(EINVALID, "Unknown duplicate action %q: want suggest, hold, block or merge.", s)
}

// Outcome is what became of one record the gate admitted or refused.
type Outcome string

// Outcomes.
const (
	OutcomeCreated   Outcome = "created"   // a new customer
	OutcomeUpdated   Outcome = "updated"   // the customer of the record's (source, id) changed
	OutcomeUnchanged Outcome = "unchanged" // the customer of the record's (source, id) already says this
	OutcomeMerged    Outcome = "merged"    // merged into the customer it matched
	OutcomeRejected  Outcome = "rejected"  // invalid: not stored
	OutcomeBlocked   Outcome = "blocked"   // a suspected duplicate, not stored (DuplicateBlock)
	OutcomeHeld      Outcome = "held"      // a suspected duplicate, stored held until a steward decides (DuplicateHold)
)

// Accepted reports whether the record is in the database after it: every
// outcome but rejected and blocked.
func (o Outcome) Accepted() bool { return o != OutcomeRejected && o != OutcomeBlocked && o != "" }

// FieldAction is what the gate does with a record one of whose fields
// fails its rule. The rules file's fields.X.on_invalid (and
// attributes.X.on_invalid) names it; the record-level rules (a name, a
// valid contact) are checked after it, on what is left.
type FieldAction string

// Field actions.
const (
	// FieldReject makes the record invalid; gate.on_invalid (InvalidAction)
	// then decides what becomes of it.
	FieldReject FieldAction = "reject"
	// FieldDrop clears the field and keeps the record, with a warning that
	// names the value left out.
	FieldDrop FieldAction = "drop_field"
	// FieldKeep stores the value as it is, with a warning.
	FieldKeep FieldAction = "keep"
)

// FieldActions lists the field actions.
func FieldActions() []FieldAction { return []FieldAction{FieldReject, FieldDrop, FieldKeep} }
