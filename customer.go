package steward

import (
	"strconv"
	"time"
)

// Status is a customer's lifecycle state.
type Status string

// Customer statuses. A merged customer points at its survivor through
// MergedInto; an erased one keeps only its id and status.
const (
	StatusActive Status = "active"
	StatusMerged Status = "merged"
	StatusErased Status = "erased"
)

// Valid reports whether s is one of the customer statuses.
func (s Status) Valid() bool {
	return s == StatusActive || s == StatusMerged || s == StatusErased
}

// statusError is the EINVALID error for a status that is not one.
func statusError(s Status) error {
	return Errorf(EINVALID, "A customer's status is active, merged or erased, not %q.", s)
}

// CheckStatus returns EINVALID unless s is a customer status, so that every
// store refuses the same statuses with the same words.
func CheckStatus(s Status) error {
	if !s.Valid() {
		return statusError(s)
	}
	return nil
}

// CheckNewCustomers checks a batch of customers before a store creates
// them: an empty status (active) or a valid one, and no source record
// twice (ECONFLICT, naming it).
func CheckNewCustomers(cs []*Customer) error {
	seen := make(map[SourceRef]bool, len(cs))
	for _, c := range cs {
		if c.Status != "" && !c.Status.Valid() {
			return statusError(c.Status)
		}
		if r := (SourceRef{Source: c.Record.Source, ID: c.Record.SourceID}); r.Source != "" && r.ID != "" {
			if seen[r] {
				return Errorf(ECONFLICT, "Source record %s/%s appears twice in one batch; each source record becomes one customer.", r.Source, r.ID)
			}
			seen[r] = true
		}
	}
	return nil
}

// Customer is one customer as stored: steward's own id, the record's
// current values, and bookkeeping for merges and optimistic locking.
type Customer struct {
	ID         int64  `json:"id"`
	Status     Status `json:"status"`
	MergedInto int64  `json:"merged_into,omitempty"`
	// Version increases by one on every update; an update that names an
	// older version fails with ECONFLICT instead of overwriting.
	Version int64 `json:"version"`

	// Record holds the current (standardized) values. Record.Source and
	// Record.SourceID name the source record that created the customer.
	Record Record `json:"record"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Change is one entry of the audit trail: one field of one customer changed
// by an actor for a cause.
type Change struct {
	ID         int64     `json:"id"`
	CustomerID int64     `json:"customer_id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Field      string    `json:"field"`
	Before     string    `json:"before"`
	After      string    `json:"after"`
	// Cause names what made the change: "import:12", "job:standardize:7",
	// "decision:3", "api", "cli".
	Cause string `json:"cause"`
}

// Meta says who makes a change and why; stores copy it onto every Change
// they record for a write.
type Meta struct {
	Actor string
	Cause string
}

// CustomerDiff lists what updating old to c changes, for the audit trail:
// the record's fields (Diff), then status and merged-into.
func CustomerDiff(old, c *Customer) []FieldChange {
	diff := Diff(&old.Record, &c.Record)
	if old.Status != c.Status {
		diff = append(diff, FieldChange{Field: ColumnStatus, Before: string(old.Status), After: string(c.Status)})
	}
	if old.MergedInto != c.MergedInto {
		diff = append(diff, FieldChange{Field: ColumnMergedInto, Before: idString(old.MergedInto), After: idString(c.MergedInto)})
	}
	return diff
}

// StaleVersion is the ECONFLICT of an update whose version is older than
// the stored one: someone else changed the customer meanwhile.
func StaleVersion(id, have, stored int64) *Error {
	return Errorf(ECONFLICT,
		"Customer %d was changed by someone else (version %d, yours is %d); reload it and try again.", id, stored, have)
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
