// Package allornothing keeps, for both backends, the state of a
// transaction begun with the steward.AllOrNothing option: its calls run
// without savepoints, and the first that fails dooms it.
package allornothing

import (
	"errors"
	"fmt"
)

// State is one transaction's: the zero value is a transaction whose calls
// keep their own savepoints.
type State struct {
	on     bool
	doomed error
}

// Start makes the transaction all-or-nothing; a backend calls it as the
// transaction begins.
func (s *State) Start() { s.on = true }

// On reports whether the transaction is all-or-nothing.
func (s *State) On() bool { return s.on }

// Err returns why the transaction is doomed, or nil: a store returns it
// instead of committing.
func (s *State) Err() error { return s.doomed }

// Run runs fn, one call in the transaction, unless the transaction is
// doomed already (then it returns why); fn failing or panicking dooms it.
func (s *State) Run(fn func() error) error {
	if s.doomed != nil {
		return s.doomed
	}
	done := false
	defer func() {
		if !done && s.doomed == nil {
			s.doomed = errors.New("an earlier call in this all-or-nothing transaction panicked")
		}
	}()
	if err := fn(); err != nil {
		s.doomed = fmt.Errorf("an earlier call failed in this all-or-nothing transaction: %w", err)
		return err
	}
	done = true
	return nil
}
