package steward

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. They decide the HTTP status of an API error and the exit code
// of a CLI command; see README.md for the table.
const (
	ECONFLICT     = "conflict"     // stale version, duplicate key, concurrent job
	EINTERNAL     = "internal"     // a bug or an unavailable dependency
	EINVALID      = "invalid"      // bad input from the user
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	EUNAUTHORIZED = "unauthorized" // missing or wrong credentials
	EUNAVAILABLE  = "unavailable"  // the database cannot be reached, or lacks migrations
	EFORBIDDEN    = "forbidden"    // credentials are good, but the role may not do this
	EMALFORMED    = "malformed"    // a request that cannot be read: not JSON, a bad parameter
	ETHROTTLED    = "throttled"    // too many attempts (logins); try again later
)

// Error is an error meant for the user: a code and a message that can be
// shown as it is. Other errors are internal: logged, never shown.
type Error struct {
	Code    string
	Message string
	// Field names the field or parameter the error is about, when it is
	// about one ("email", "survivor_id"); the API returns it with the
	// message.
	Field string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("steward error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf is Errorf for an error about one field or parameter.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorText is err's text for a record a person reads later (a job run's
// or a schedule run's error): err.Error(), with every *Error in its
// tree written as its message instead of its code=… form. The wrapping
// context ("job verify-emails: ") stays, and the lines of joined errors
// are joined with "; ".
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	text := err.Error()
	var walk func(error)
	walk = func(err error) {
		switch u := err.(type) {
		case *Error:
			text = strings.Replace(text, u.Error(), u.Message, 1)
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				walk(next)
			}
		case interface{ Unwrap() []error }:
			for _, next := range u.Unwrap() {
				walk(next)
			}
		}
	}
	walk(err)
	// A record is one line: errors.Join's lines become a list.
	return strings.ReplaceAll(text, "\n", "; ")
}

// ErrorField returns the field of the first *Error in err's chain, "" when
// it names none.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, and a
// generic message for any other non-nil error, so internal details never
// reach the user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
