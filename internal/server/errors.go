package server

import (
	"errors"
	"net/http"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/auth"
	"github.com/steward-crm/steward/internal/merge"
)

// statusOf is the HTTP status of each error code: the one table.
var statusOf = map[string]int{
	steward.EMALFORMED:    http.StatusBadRequest,
	steward.EUNAUTHORIZED: http.StatusUnauthorized,
	steward.EFORBIDDEN:    http.StatusForbidden,
	steward.ENOTFOUND:     http.StatusNotFound,
	steward.ECONFLICT:     http.StatusConflict,
	steward.EINVALID:      http.StatusUnprocessableEntity,
	steward.ETHROTTLED:    http.StatusTooManyRequests,
	steward.EUNAVAILABLE:  http.StatusServiceUnavailable,
	steward.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status of err's code.
func Status(err error) int {
	if s, ok := statusOf[steward.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorBody is every error the API answers: a code for programs, a
// message for people, the field it is about, and what the error carries
// (the customers as they are now, after a conflict; the findings of a
// record refused).
type errorBody struct {
	Code     string              `json:"code"`
	Message  string              `json:"message"`
	Field    string              `json:"field,omitempty"`
	Current  []*steward.Customer `json:"current,omitempty"`
	Findings []steward.Finding   `json:"findings,omitempty"`
	// Candidates are the customers a blocked record looks like.
	Candidates []candidate `json:"candidates,omitempty"`
}

// refusedError is a record the gate refused: invalid (EINVALID) or a
// blocked duplicate (ECONFLICT), with its findings and the customers it
// looks like.
type refusedError struct {
	err        *steward.Error
	findings   []steward.Finding
	candidates []candidate
}

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// bodyOf returns the answer to err. An internal error says nothing of its
// cause: that goes to the log.
func bodyOf(err error) errorBody {
	b := errorBody{Code: steward.ErrorCode(err), Message: steward.ErrorMessage(err), Field: steward.ErrorField(err)}
	var ce *merge.ConflictError
	if errors.As(err, &ce) {
		b.Current = ce.Current
	}
	var re *refusedError
	if errors.As(err, &re) {
		b.Findings, b.Candidates = re.findings, re.candidates
	}
	return b
}

// retryAfter returns how long a throttled caller must wait, 0 for other
// errors.
func retryAfter(err error) int {
	var te *auth.ThrottledError
	if errors.As(err, &te) {
		return int(te.RetryAfter.Seconds())
	}
	return 0
}
