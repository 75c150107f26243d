package steward

import (
	"context"
	"time"
)

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
	// afterID (and at most throughID, when it is above 0), in id order, whose current non-empty email was never checked
	// or last checked before checkedBefore. A changedSince above 0 (a
	// change mark, CustomerStore.CustomerChangeMark) keeps of the
	// never-checked ones only those written since the mark: the others
	// were due when the mark was taken, and an incremental job that took
	// it dealt with them.
	EmailsToCheck(ctx context.Context, checkedBefore time.Time, changedSince, afterID, throughID int64, limit int) ([]EmailToCheck, error)
	// CurrentEmailChecks returns the checks of the current addresses of
	// the customers whose id is above afterID and at most upTo, in id
	// order; a customer whose address was never checked has none. Reports
	// read the checks of a page of customers at once with it.
	CurrentEmailChecks(ctx context.Context, afterID, upTo int64) ([]EmailCheck, error)
}
