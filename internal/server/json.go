package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

// maxBody bounds a request's body.
const maxBody = 1 << 20

// decode reads r's JSON body into v: one object, no unknown fields, at
// most maxBody bytes; EMALFORMED naming what is wrong otherwise.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return steward.FieldErrorf(steward.EMALFORMED, "Content-Type", "Send the body as application/json, not %q.", ct)
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var big *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return steward.Errorf(steward.EMALFORMED, "The request needs a JSON body.")
		case errors.As(err, &syn):
			return steward.Errorf(steward.EMALFORMED, "The body is not JSON: %v at byte %d.", syn, syn.Offset)
		case errors.As(err, &typ):
			return steward.FieldErrorf(steward.EMALFORMED, typ.Field, "%s must be %s, not a JSON %s.", typ.Field, typ.Type, typ.Value)
		case errors.As(err, &big):
			return steward.Errorf(steward.EMALFORMED, "The body is over %d bytes.", maxBody)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return steward.FieldErrorf(steward.EMALFORMED, f, "There is no field %q here; see /api/v1/openapi.json.", f)
		}
		return steward.Errorf(steward.EMALFORMED, "The body cannot be read as JSON: %v.", err)
	}
	if dec.More() {
		return steward.Errorf(steward.EMALFORMED, "The body holds more than one JSON value.")
	}
	return nil
}

// pathID reads path value name as a positive id.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, steward.FieldErrorf(steward.EMALFORMED, name, "%q is not an id (a positive whole number).", v)
	}
	return id, nil
}

// query reads a request's query parameters, remembering the first that
// is malformed.
type query struct {
	r   *http.Request
	err error
}

func (q *query) fail(name, format string, args ...any) {
	if q.err == nil {
		q.err = steward.FieldErrorf(steward.EMALFORMED, name, format, args...)
	}
}

func (q *query) str(name string) string { return strings.TrimSpace(q.r.URL.Query().Get(name)) }

// bool returns parameter name: true or false, false when absent.
func (q *query) bool(name string) bool {
	switch v := q.str(name); v {
	case "", "false":
		return false
	case "true":
		return true
	default:
		q.fail(name, "%s is true or false, not %q.", name, v)
		return false
	}
}

// int returns parameter name, def when absent, between lo and hi.
func (q *query) int(name string, def, lo, hi int64) int64 {
	v := q.str(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		q.fail(name, "%s must be a whole number from %d to %d, not %q.", name, lo, hi, v)
	}
	return n
}

// float returns parameter name, 0 when absent.
func (q *query) float(name string) float64 {
	v := q.str(name)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		q.fail(name, "%s must be a number, not %q.", name, v)
	}
	return f
}

// time returns parameter name (RFC 3339, or a date), zero when absent.
func (q *query) time(name string) time.Time {
	v := q.str(name)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		q.fail(name, "%s must be a time (2025-05-01T09:00:00Z) or a date (2025-05-01), not %q.", name, v)
	}
	return t
}

// cursor reads the page cursor: the id where the previous page ended.
func (q *query) cursor() int64 {
	v := q.str("cursor")
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		q.fail("cursor", "cursor %q is not one this API gave; use next_cursor of the previous page.", v)
	}
	return id
}

// page is a list's answer: its items and, when there may be more, the
// cursor of the next page.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// newPage returns items as a page of at most limit, with the cursor after
// the last one when the page is full.
func newPage[T any](items []T, limit int, id func(T) int64) page[T] {
	p := page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) == limit && limit > 0 {
		p.NextCursor = fmt.Sprint(id(items[len(items)-1]))
	}
	return p
}
