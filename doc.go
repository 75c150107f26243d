// Package steward holds the domain of the steward service: the customer
// record and its canonical fields, customers as stored, the audit trail,
// merge suggestions, their evidence and decisions, merges with their
// before-images and survivorship, job runs, email checks, stored matching
// models, the store interfaces that the backends in internal/store
// implement (one per aggregate, beside its type; store.go composes them
// and defines transactions), and the error codes that decide HTTP statuses
// and CLI exit codes.
//
// It imports only the standard library and holds no implementation beyond
// small helpers on the types themselves.
package steward
