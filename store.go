package steward

import "context"

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
