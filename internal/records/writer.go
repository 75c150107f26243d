package records

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"

	"github.com/steward-crm/steward"
)

// Writer writes records as canonical CSV: a header of the canonical columns
// followed by the attribute columns it was given, then one row per record.
// Attributes of a record that are not among those columns are not written;
// callers choose the columns (Reader.AttributeColumns gives a file's).
type Writer struct {
	csv         *csv.Writer
	columns     []string
	wroteHeader bool
	err         error
	row         []string
	// Raw writes values exactly as they are; by default a value a
	// spreadsheet would run as a formula is written SpreadsheetSafe.
	Raw bool
}

// NewWriter returns a Writer to w with the given attribute columns after
// the canonical ones. Attribute names are lower-cased and trimmed; a name
// that is empty, repeated or a canonical column makes Write and Flush fail.
func NewWriter(w io.Writer, attributeColumns []string) *Writer {
	columns := steward.CanonicalColumns()
	canonical := len(columns)
	var err error
	for _, a := range attributeColumns {
		name := normalizeName(a)
		switch {
		case name == "":
			err = steward.Errorf(steward.EINVALID, "attribute column with an empty name")
		case slices.Contains(columns[:canonical], name):
			err = steward.Errorf(steward.EINVALID, "attribute column %q is a canonical column", name)
		case slices.Contains(columns[canonical:], name):
			err = steward.Errorf(steward.EINVALID, "attribute column %q is named twice", name)
		}
		columns = append(columns, name)
	}
	return &Writer{csv: csv.NewWriter(w), columns: columns, err: err, row: make([]string, len(columns))}
}

// Write writes one record, after the header when it is the first.
func (w *Writer) Write(r *steward.Record) error {
	if err := w.header(); err != nil {
		return err
	}
	for i, c := range w.columns {
		w.row[i] = r.Get(c)
		if !w.Raw {
			w.row[i] = SpreadsheetSafe(w.row[i])
		}
	}
	if err := w.csv.Write(w.row); err != nil {
		w.err = fmt.Errorf("write record: %w", err)
	}
	return w.err
}

// Flush writes the header if no record was written, and any buffered data
// to the underlying writer.
func (w *Writer) Flush() error {
	if err := w.header(); err != nil {
		return err
	}
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		w.err = fmt.Errorf("write records: %w", err)
	}
	return w.err
}

func (w *Writer) header() error {
	if w.err != nil || w.wroteHeader {
		return w.err
	}
	w.wroteHeader = true
	if err := w.csv.Write(w.columns); err != nil {
		w.err = fmt.Errorf("write header: %w", err)
	}
	return w.err
}
