package steward

import (
	"context"
	"slices"
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
	DecisionStore
	MergeStore
	UserStore
	AuditStore
	JobRunStore
	ScheduleRunStore
	StatsStore
	EmailCheckStore
	ModelStore
	SnapshotStore
	SuppressionStore
	ErasureStore
	ImportStore
	ClaimStore

	// Atomic runs fn in one transaction: if fn returns an error (or panics)
	// nothing it wrote through the store is kept; otherwise all of it is
	// committed together. opts change how the transaction runs (see
	// AllOrNothing and Exclusive); an option that is not valid is EINVALID
	// before anything runs.
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
	//
	// Options belong to the outermost transaction: a nested Atomic given
	// any is EINVALID and runs nothing, rather than quietly doing without
	// a lock or savepoints its caller asked for.
	Atomic(ctx context.Context, fn func(ctx context.Context, s Store) error, opts ...TxOption) error
}

// TxOption changes how Atomic runs its transaction: AllOrNothing,
// Exclusive. A nil TxOption changes nothing.
type TxOption func(*TxOptions) error

// TxOptions is what a transaction's options ask for, as the backends read
// it (NewTxOptions).
type TxOptions struct {
	// AllOrNothing: calls make no savepoint of their own, and the first
	// that fails dooms the transaction (see AllOrNothing).
	AllOrNothing bool
	// Locks are the names of the database-wide locks the transaction
	// holds from its start to its end (see Exclusive), sorted and
	// distinct, so that every transaction takes them in the same order.
	Locks []string
}

// AllOrNothing gives up, for the whole transaction, the promise that a
// failed call inside Atomic undoes only its own writes, for a caller that
// abandons the whole transaction when any call fails (the import gate).
// Calls then make no savepoint of their own (nor do nested Atomic calls),
// which makes many large batches in one transaction much cheaper. A call
// (or nested Atomic) that fails dooms the transaction instead: every later
// write fails, later reads may fail or see part of the failed call's
// writes, and Atomic rolls everything back and returns the failure, even
// when fn returns nil.
func AllOrNothing() TxOption {
	return func(o *TxOptions) error {
		o.AllOrNothing = true
		return nil
	}
}

// Exclusive makes the transaction hold a database-wide lock called name
// from its start until it ends, so that two processes (or instances, or
// goroutines) doing the same kind of work, such as two imports checking a
// file for duplicates against the database, or two schedulers, serialize:
// the second transaction starts only when the first has committed or
// rolled back, and sees what it wrote. Transactions with other names, or
// none, do not wait for it, as far as the backend allows.
//
// On PostgreSQL the lock is pg_advisory_xact_lock on a 64-bit hash of the
// name, waited for as long as the context allows. On SQLite every
// transaction already takes the database's one write lock when it begins
// (BEGIN IMMEDIATE), so there it serializes with every other write, and a
// second process waits for it up to the store's busy timeout, then fails
// with ECONFLICT. An empty name is EINVALID.
func Exclusive(name string) TxOption {
	return func(o *TxOptions) error {
		if name == "" {
			return Errorf(EINVALID, "An exclusive transaction needs the name of its lock.")
		}
		if i, found := slices.BinarySearch(o.Locks, name); !found {
			o.Locks = slices.Insert(o.Locks, i, name)
		}
		return nil
	}
}

// NewTxOptions applies opts, given to Atomic, in order, and returns what
// they ask for; EINVALID for an option that is not valid, or for any
// option when nested (the transaction is already open: Atomic called
// inside another). Stores call it so that every backend refuses the same
// things.
func NewTxOptions(opts []TxOption, nested bool) (TxOptions, error) {
	var o TxOptions
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if nested {
			return TxOptions{}, Errorf(EINVALID, "Transaction options belong to the outermost Atomic; a nested one takes none.")
		}
		if err := opt(&o); err != nil {
			return TxOptions{}, err
		}
	}
	return o, nil
}
