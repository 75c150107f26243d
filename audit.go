package steward

import (
	"context"
	"encoding/json"
	"time"
)

// AuditEntry is one entry of the service's audit log: who did what to
// what, through the API or the command line. Every call that changes
// something is logged, and so is every read of a customer's full record;
// the customers' field changes themselves are in their Changes.
type AuditEntry struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
	// Actor is the user's name.
	Actor string `json:"actor"`
	// Action names what was done: "customer.read", "merge.undo",
	// "token.create".
	Action string `json:"action"`
	// Target names what it was done to: "customer:12", "merge:3",
	// "user:sara"; "" when nothing in particular.
	Target string `json:"target,omitempty"`
	// Detail says more, as JSON: the HTTP status, the request id.
	Detail json.RawMessage `json:"detail,omitempty"`
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	// Target keeps the entries about one thing; "" keeps all.
	Target string
	// Actor keeps one user's entries; "" keeps all.
	Actor string
	// Before keeps entries with an id below it, to page on.
	Before int64
	// Limit caps the number returned; 0 means no limit.
	Limit int
}

// AuditStore keeps the audit log. Entries are only ever added.
type AuditStore interface {
	// Audit adds e (its Detail JSON or empty: EINVALID otherwise) and sets
	// e.ID and, when zero, e.At.
	Audit(ctx context.Context, e *AuditEntry) error
	// AuditEntries returns the entries matching f, newest first.
	AuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
}
