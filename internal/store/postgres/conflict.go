package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/steward-crm/steward"
)

// PostgreSQL error codes of a transaction that lost a race with another.
const (
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
)

// lostRace turns the failure of a transaction that PostgreSQL aborted to
// let a concurrent one go on (a deadlock, a serialization failure) into
// ECONFLICT, keeping the driver's error in the chain: nothing of it was
// written, and trying again, after looking at what the other one did, is
// what its user should do. Other errors are returned as they are.
func lostRace(err error) error {
	var e *pgconn.PgError
	if !errors.As(err, &e) || (e.Code != deadlockDetected && e.Code != serializationFailure) {
		return err
	}
	var se *steward.Error
	if errors.As(err, &se) {
		return err
	}
	return errors.Join(steward.Errorf(steward.ECONFLICT,
		"Another change to the same records was made at the same time, and this one was stopped; nothing of it was kept. Reload and try again."), err)
}
