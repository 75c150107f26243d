package steward

import (
	"context"
	"encoding/json"
	"time"
)

// ImportStatus is how an import through the gate ended.
type ImportStatus string

// Import statuses.
const (
	// ImportCommitted: its accepted rows are in the database.
	ImportCommitted ImportStatus = "committed"
	// ImportFailed: nothing of it was kept (a file that cannot be read
	// as a whole, a database error, an interruption).
	ImportFailed ImportStatus = "failed"
)

// ImportRecord is one import through the gate, as the imports history
// keeps it (dry runs are not kept). It holds counts and the file's name,
// never a row's values.
type ImportRecord struct {
	ID int64 `json:"id"`
	// Source is the source system the rows came from; Name the file's
	// base name.
	Source string       `json:"source"`
	Name   string       `json:"name"`
	Actor  string       `json:"actor"`
	Status ImportStatus `json:"status"`
	// Error says why a failed import failed.
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Rows       int       `json:"rows"`
	Accepted   int       `json:"accepted"`
	Rejected   int       `json:"rejected"`
	Created    int       `json:"created"`
	Updated    int       `json:"updated"`
	Merged     int       `json:"merged"`
	// Summary is the import's whole summary as `steward import --json`
	// prints it (counts by finding code, first rejected rows, timings).
	Summary json.RawMessage `json:"summary,omitempty"`
}

// ImportFilter selects imports, newest first.
type ImportFilter struct {
	// Source keeps the imports of one source; "" keeps all.
	Source string
	// Before keeps imports with an id below it, to page on; 0 starts with
	// the newest.
	Before int64
	// Limit caps the number returned; 0 means no limit.
	Limit int
}

// ImportStore keeps the history of imports.
type ImportStore interface {
	// RecordImport stores im as a new import and sets im.ID.
	RecordImport(ctx context.Context, im *ImportRecord) error
	// Import returns one import by id, or ENOTFOUND.
	Import(ctx context.Context, id int64) (*ImportRecord, error)
	// Imports returns the imports matching f, newest first.
	Imports(ctx context.Context, f ImportFilter) ([]*ImportRecord, error)
}

// Check returns EINVALID unless im is an import a store keeps, so that
// every backend refuses the same ones.
func (im *ImportRecord) Check() error {
	switch {
	case im.Source == "":
		return Errorf(EINVALID, "An import needs its source.")
	case im.Status != ImportCommitted && im.Status != ImportFailed:
		return Errorf(EINVALID, "An import is committed or failed, not %q.", im.Status)
	case im.StartedAt.IsZero() || im.FinishedAt.Before(im.StartedAt):
		return Errorf(EINVALID, "An import needs its start, and an end not before it.")
	case len(im.Summary) > 0 && !json.Valid(im.Summary):
		return Errorf(EINVALID, "An import's summary is JSON.")
	}
	return nil
}
