package steward

import (
	"context"
	"strconv"
	"time"
)

// Status is a customer's lifecycle state.
type Status string

// Customer statuses. A merged customer points at its survivor through
// MergedInto; an erased one keeps only its id and status. A held one is
// a suspected duplicate an import held back (DuplicateHold) until a
// steward decides its suggestion: it is not active, so not exported, not
// sendable and not matched, until a steward merges it or says it is not
// a duplicate (which makes it active).
const (
	StatusActive Status = "active"
	StatusMerged Status = "merged"
	StatusErased Status = "erased"
	StatusHeld   Status = "held"
)

// Valid reports whether s is one of the customer statuses.
func (s Status) Valid() bool {
	return s == StatusActive || s == StatusMerged || s == StatusErased || s == StatusHeld
}

// statusError is the EINVALID error for a status that is not one.
func statusError(s Status) error {
	return Errorf(EINVALID, "A customer's status is active, merged, erased or held, not %q.", s)
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

// CustomerStore keeps customers, their source cross-references and their
// audit trail.
type CustomerStore interface {
	// CreateCustomer stores c as a new customer. It sets c.ID, c.Version
	// (1), c.Status (active when empty) and the timestamps, links
	// c.Record.Source/SourceID to it when both are set (ECONFLICT when that
	// source record already belongs to a customer), and records m as the
	// creator: Changes then starts with one entry per non-empty field (see
	// CreationChanges).
	CreateCustomer(ctx context.Context, c *Customer, m Meta) error
	// CreateCustomers is CreateCustomer for many customers at once, in one
	// transaction and much faster; on error none of them is stored.
	CreateCustomers(ctx context.Context, cs []*Customer, m Meta) error
	// Customer returns the customer with the given id, or ENOTFOUND.
	Customer(ctx context.Context, id int64) (*Customer, error)
	// CustomerBySource returns the customer the source record (source,
	// sourceID) resolves to, or ENOTFOUND: the customer it became, or the
	// survivor of a merge of that customer (package internal/merge moves
	// the members' links to the survivor, and undo moves them back). A
	// customer merged otherwise (the import gate's automatic merge) keeps
	// its links: follow MergedInto to the survivor.
	CustomerBySource(ctx context.Context, source, sourceID string) (*Customer, error)
	// UpdateCustomer stores c's record, status and merged-into over the
	// stored customer if the stored version is still c.Version; otherwise it
	// writes nothing and returns ECONFLICT (ENOTFOUND when there is no such
	// customer). On success it increments c.Version, sets c.UpdatedAt and
	// records one Change per changed field (Diff against the stored record,
	// plus "status" and "merged_into"). An update that changes nothing
	// writes nothing and keeps the version. Record.Source and SourceID are
	// fixed at creation; UpdateCustomer ignores changes to them.
	UpdateCustomer(ctx context.Context, c *Customer, m Meta) error
	// EachCustomer calls fn for every customer matching f in ascending id
	// order, reading in pages so that memory stays bounded whatever the
	// table size. fn may call the store (including writes). An error from
	// fn stops the iteration and is returned as it is.
	EachCustomer(ctx context.Context, f CustomerFilter, fn func(*Customer) error) error
	// CountCustomers returns the number of customers with the status, or of
	// all customers when status is "".
	CountCustomers(ctx context.Context, status Status) (int64, error)
	// AttributeNames returns the sorted, distinct attribute names used by
	// customers with the status (all when ""), e.g. for a CSV header.
	AttributeNames(ctx context.Context, status Status) ([]string, error)
	// Changes returns the audit trail of one customer, oldest first: the
	// creation entries (ID 0), then every recorded change. A customer that
	// does not exist gives an empty slice.
	Changes(ctx context.Context, customerID int64) ([]Change, error)
	// CustomerGeneration returns the customers' current generation. Inside
	// Atomic it returns the generation committed before the transaction:
	// the transaction's own bump happens when it commits.
	CustomerGeneration(ctx context.Context) (Generation, error)
	// CustomerChangeMark returns the customers' change mark now: every
	// customer written by a transaction that commits after the call (a
	// creation, an update, a status change, a merge or its undo, an
	// erasure) is kept by CustomerFilter{ChangedSince: mark}, whatever order
	// concurrent transactions commit in. A customer last written long
	// before is not; one written by a transaction still open during the
	// call may be kept too. Marks only grow, and are above 0. Incremental
	// jobs take one when they start and examine the customers changed
	// since the mark their last successful run took.
	CustomerChangeMark(ctx context.Context) (int64, error)
	// CustomerIDsBySource returns the customer each known source record
	// became (whatever that customer's status now); refs that are unknown
	// are absent from the map. Any number of refs (batch internally).
	CustomerIDsBySource(ctx context.Context, refs []SourceRef) (map[SourceRef]int64, error)
	// CustomersByEmail returns the active customers whose current email is email, compared without case, in id order, each with the address as stored (a bounce marks it invalid).
	CustomersByEmail(ctx context.Context, email string) ([]EmailToCheck, error)
}

// Generation identifies the state of a database's customers for caches of
// derived data.
type Generation struct {
	// Database is a random id made when the database was created (first
	// migration), so a cache built for one database is never taken for
	// another's.
	Database string
	// N grows by exactly one with every committed transaction that created
	// or changed customers (records, status, merged-into); it never
	// decreases.
	N int64
	// Token is replaced by every bump, so that a database put back to an
	// earlier state (a restored backup) and changed up to the same N is
	// not taken for the state a cache saw.
	Token string
}

// SourceRef names one record of a source system.
type SourceRef struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

// CustomerFilter selects customers for EachCustomer.
type CustomerFilter struct {
	// Status keeps customers with this status; "" keeps all.
	Status Status
	// AfterID keeps customers with an id greater than this, to resume an
	// iteration; 0 starts at the beginning.
	AfterID int64
	// ThroughID, when above 0, keeps customers with an id at most this:
	// a job's share of the ids stops its scan there.
	ThroughID int64
	// Limit stops after this many customers; 0 means no limit.
	Limit int
	// IDs keeps the customers with these ids (a page's worth, read at
	// once); nil keeps all.
	IDs []int64
	// ChangedSince keeps the customers written since the change mark
	// (CustomerStore.CustomerChangeMark) was taken; 0 keeps all.
	ChangedSince int64
}

// CreationChanges returns the audit entries of a customer's creation: one
// Change per field that was non-empty when it was created, in canonical
// order then sorted attribute names, with the creator's actor and cause
// and c.CreatedAt, and ID 0.
//
// Stores do not write these entries (a bulk import would write a dozen
// audit rows per customer); they derive them, because the value a field
// had at creation is the Before of its first recorded change, or its
// current value when it never changed. later are the customer's recorded
// changes, oldest first; "status" and "merged_into" changes are not
// fields of the record and are skipped.
func CreationChanges(c *Customer, actor, cause string, later []Change) []Change {
	initial := c.Record.Clone()
	// Walk back from the newest change so the oldest Before wins.
	for i := len(later) - 1; i >= 0; i-- {
		ch := later[i]
		if ch.Field == ColumnStatus || ch.Field == ColumnMergedInto || ch.Field == ColumnID || ch.Field == ColumnSource {
			continue
		}
		initial.Set(ch.Field, ch.Before)
	}
	var out []Change
	add := func(field, value string) {
		if value != "" {
			out = append(out, Change{CustomerID: c.ID, At: c.CreatedAt, Actor: actor, Field: field, After: value, Cause: cause})
		}
	}
	for _, f := range CanonicalFields() {
		add(f, initial.Get(f))
	}
	for _, k := range initial.AttributeNames() {
		add(k, initial.Attributes[k])
	}
	return out
}

// Audit field names of a customer's status and merge target, which are
// recorded like fields of the record.
const (
	ColumnStatus     = "status"
	ColumnMergedInto = "merged_into"
)

// ErasureStore removes customers' personal data for good.
type ErasureStore interface {
	// EraseCustomer removes the personal data of customer id and reports
	// whether there was any: every field of its record and its
	// attributes, its source references, its history of changes, its
	// email verifications, the not-duplicate marks it is in, and the
	// evidence of the suggestions it is a member of (a pending or skipped
	// one is rejected). The customer keeps its id, as erased, so that
	// merges and suggestions that name it still hold together; what it
	// was merged into stays. It writes no change history (that would keep
	// the values) and bumps the customers' generation. ENOTFOUND when
	// there is no such customer. Merges' before-images are the merge
	// store's (UpdateMerge), suppressions the suppression store's.
	EraseCustomer(ctx context.Context, id int64, m Meta) (bool, error)
}
