package steward

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Store is everything steward keeps in its database. The backends in
// internal/store (SQLite and PostgreSQL) implement it; callers depend on the
// smaller interfaces where they need only one aggregate.
//
// Every method is atomic on its own: it writes everything it promises or
// nothing. Atomic groups several calls into one transaction.
type Store interface {
	CustomerStore
	SuggestionStore
	JobRunStore
	EmailCheckStore

	// Atomic runs fn in one transaction: if fn returns an error (or panics)
	// nothing it wrote through the store is kept; otherwise all of it is
	// committed together.
	//
	// fn must make its calls with the ctx it receives, or through the Store
	// it receives (which is bound to the transaction): both join the
	// transaction. A call with an unrelated context on the outer store does
	// not join it, and on SQLite, which has one writer, such a write waits
	// for the transaction to end. Atomic called again inside fn (on either)
	// nests: the inner call becomes a savepoint, so its failure undoes only
	// its own writes and the outer transaction can go on. Inside Atomic, a
	// method that fails likewise undoes only its own writes (unless the
	// transaction is AllOrNothing). The transaction is not safe for
	// concurrent use by several goroutines.
	Atomic(ctx context.Context, fn func(ctx context.Context, s Store) error) error
	// AllOrNothing gives up, for the rest of the transaction ctx (or s)
	// joins, the promise that a failed call inside Atomic undoes only its
	// own writes, for a caller that abandons the whole transaction when any
	// call fails (the import gate). Calls then make no savepoint of their
	// own (nor do nested Atomic calls), which makes many large batches in
	// one transaction much cheaper. A call (or nested Atomic) that fails
	// dooms the transaction instead: every later write fails, later reads
	// may fail or see part of the failed call's writes, and the outermost
	// Atomic rolls everything back and returns the failure, even when fn
	// returns nil. Outside Atomic it does nothing.
	//
	// An import calls it first thing in Atomic, with the ctx and on the
	// Store that Atomic hands to fn.
	AllOrNothing(ctx context.Context)
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
	// sourceID) became, or ENOTFOUND. That customer may since have been
	// merged: follow MergedInto to the survivor. The link itself stays,
	// so a merge can be undone.
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
	// CustomerIDsBySource returns the customer each known source record
	// became (whatever that customer's status now); refs that are unknown
	// are absent from the map. Any number of refs (batch internally).
	CustomerIDsBySource(ctx context.Context, refs []SourceRef) (map[SourceRef]int64, error)
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
type SourceRef struct{ Source, ID string }

// CustomerFilter selects customers for EachCustomer.
type CustomerFilter struct {
	// Status keeps customers with this status; "" keeps all.
	Status Status
	// AfterID keeps customers with an id greater than this, to resume an
	// iteration; 0 starts at the beginning.
	AfterID int64
	// Limit stops after this many customers; 0 means no limit.
	Limit int
}

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
	// Evidence explains the match (per-field weights), as produced by the
	// dedupe package; the store keeps it as it is.
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
	// Limit caps the number returned; 0 means no limit.
	Limit int
	// After is the id of the last suggestion of the previous page: the
	// result continues after it in the review order (ENOTFOUND when there
	// is no such suggestion). 0 starts at the top.
	After int64
}

// Pair is an unordered pair of customer ids, kept with A < B so that it can
// be a map key.
type Pair struct {
	A, B int64
}

// NewPair returns the pair of a and b in canonical order.
func NewPair(a, b int64) Pair {
	if a > b {
		a, b = b, a
	}
	return Pair{A: a, B: b}
}

// SuggestionStore keeps duplicate suggestions and the pairs stewards said
// are not duplicates.
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
	// Suggestions returns suggestions matching f, most probable first, then
	// by id.
	Suggestions(ctx context.Context, f SuggestionFilter) ([]*Suggestion, error)
	// SetSuggestionStatus records a decision on a suggestion: ENOTFOUND if
	// there is no such suggestion, EINVALID for an unknown status.
	SetSuggestionStatus(ctx context.Context, id int64, status SuggestionStatus, m Meta) error
	// AddNotDuplicate remembers, for good, that customers a and b are
	// different people. Adding a known pair again is a no-op.
	AddNotDuplicate(ctx context.Context, a, b int64, m Meta) error
	// NotDuplicatePairs returns every pair ever marked not-duplicate.
	NotDuplicatePairs(ctx context.Context) (map[Pair]bool, error)
}

// JobStatus is the state of a job run.
type JobStatus string

// Job run statuses.
const (
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
)

// JobRun is one recorded run of a scheduled or hand-started job.
type JobRun struct {
	ID         int64     `json:"id"`
	Job        string    `json:"job"`
	Status     JobStatus `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// HeartbeatAt is the last time the run proved it was alive (start,
	// every checkpoint). A running run whose heartbeat is old belongs to a
	// process that died; see JobRunStore.AbandonJobRun.
	HeartbeatAt time.Time `json:"heartbeat_at"`
	// Checkpoint is the job's own resume token (e.g. the last customer id
	// done); the store keeps it as it is.
	Checkpoint string           `json:"checkpoint,omitempty"`
	Counts     map[string]int64 `json:"counts,omitempty"`
	Error      string           `json:"error,omitempty"`
}

// JobRunStore records job runs and guarantees, in the database itself, that
// a job never has two running runs at once, even across processes and
// machines.
//
// Resuming after a crash: a run left "running" by a process that died keeps
// its last checkpoint and an old HeartbeatAt. A new process calls
// LastJobRun; if that run is running with a heartbeat older than the job's
// staleness limit, it calls AbandonJobRun(job, now minus the limit), which
// marks it failed (an operator who knows the process is gone passes now
// itself), then StartJobRun, and continues from the abandoned run's
// Checkpoint. A failed run's checkpoint can be resumed the same way. Two
// processes racing to take over cannot both win: the abandon and the start
// are each guarded in the database.
type JobRunStore interface {
	// StartJobRun records a new running run of job and returns it, or
	// returns ECONFLICT while another run of the same job is running.
	StartJobRun(ctx context.Context, job string) (*JobRun, error)
	// SaveCheckpoint stores the run's checkpoint and counts and refreshes
	// its heartbeat. It returns ECONFLICT when the run is no longer running
	// (it was finished or abandoned), so a process that lost its run stops.
	SaveCheckpoint(ctx context.Context, runID int64, checkpoint string, counts map[string]int64) error
	// FinishJobRun stores run's final status (succeeded or failed), error,
	// checkpoint and counts and sets run.FinishedAt. ECONFLICT when the run
	// is not running any more.
	FinishJobRun(ctx context.Context, run *JobRun) error
	// AbandonJobRun marks the running run of job as failed when its
	// heartbeat is older than staleBefore, and returns it (with its last
	// checkpoint). ENOTFOUND when no run of job is running; ECONFLICT when
	// the running one is still fresh.
	AbandonJobRun(ctx context.Context, job string, staleBefore time.Time) (*JobRun, error)
	// JobRun returns one run by id, or ENOTFOUND.
	JobRun(ctx context.Context, id int64) (*JobRun, error)
	// LastJobRun returns the most recently started run of job, or
	// ENOTFOUND if it never ran.
	LastJobRun(ctx context.Context, job string) (*JobRun, error)
}

// EmailCheck is the result of verifying one customer's email address.
type EmailCheck struct {
	CustomerID int64     `json:"customer_id"`
	Email      string    `json:"email"`
	Verdict    string    `json:"verdict"`
	Reason     string    `json:"reason,omitempty"`
	CheckedAt  time.Time `json:"checked_at"`
}

// EmailToCheck names a customer's current email address that is due for
// verification.
type EmailToCheck struct {
	CustomerID int64
	Email      string
}

// EmailCheckStore records email verification results per customer.
type EmailCheckStore interface {
	// RecordEmailCheck stores the verdict on the customer's address,
	// replacing an earlier check of the same address for that customer.
	// ENOTFOUND when there is no such customer.
	RecordEmailCheck(ctx context.Context, customerID int64, email, verdict, reason string, at time.Time) error
	// EmailCheck returns the latest check of email for the customer, or
	// ENOTFOUND if it was never checked.
	EmailCheck(ctx context.Context, customerID int64, email string) (*EmailCheck, error)
	// EmailsToCheck returns up to limit active customers with an id above
	// afterID, in id order, whose current non-empty email was never checked
	// or last checked before checkedBefore.
	EmailsToCheck(ctx context.Context, checkedBefore time.Time, afterID int64, limit int) ([]EmailToCheck, error)
}

// ValidJobRunEnd reports whether run may be stored by FinishJobRun: a final
// status and a job name. Stores call it so that every backend refuses the
// same things.
func ValidJobRunEnd(run *JobRun) error {
	if run.Status != JobSucceeded && run.Status != JobFailed {
		return Errorf(EINVALID, "A job run ends as %s or %s, not %q.", JobSucceeded, JobFailed, run.Status)
	}
	return nil
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

// Abandon marks a running run whose process died as failed at now, when
// its heartbeat is older than staleBefore; a run that is still alive is
// ECONFLICT and is left as it is. Stores call it inside the transaction
// that then writes the run, so that every backend decides alike.
func (r *JobRun) Abandon(staleBefore, now time.Time) error {
	if !r.HeartbeatAt.Before(staleBefore) {
		return Errorf(ECONFLICT, "Run %d of job %s is alive (last heartbeat %s).",
			r.ID, r.Job, r.HeartbeatAt.Format(time.RFC3339))
	}
	r.Status, r.FinishedAt = JobFailed, now
	r.Error = "abandoned: no heartbeat since " + r.HeartbeatAt.Format(time.RFC3339)
	return nil
}
