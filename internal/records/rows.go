package records

import (
	"encoding/csv"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/steward-crm/steward"
)

// Columns applies a header and an optional mapping to rows that do not come
// from a delimited text file (a spreadsheet, JSON Lines), so that they
// become records exactly as a Reader's rows do: values are trimmed, mapped
// columns are renamed, joined or set constant, other columns kept as
// attributes.
type Columns struct {
	header []string
	ops    []op
	attrs  []string
	vals   []string
}

// NewColumns binds header to m (nil: the header names canonical columns).
// A header that does not fit the mapping, has more than maxFields columns
// (0: no limit), or has empty or repeated names is an *steward.Error with
// code EINVALID.
func NewColumns(header []string, m *Mapping, maxFields int) (*Columns, error) {
	if maxFields > 0 && len(header) > maxFields {
		return nil, steward.Errorf(steward.EINVALID, "the header has %d columns, more than the limit of %d", len(header), maxFields)
	}
	header = trimAll(header)
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, steward.Errorf(steward.EINVALID, "header: column %d: %v", i+1, ErrInvalidUTF8)
		}
		if strings.ContainsRune(h, 0) {
			return nil, steward.Errorf(steward.EINVALID, "header: column %d holds a NUL byte (0x00); the file is damaged or binary", i+1)
		}
	}
	ops, attrs, err := plan(header, m)
	if err != nil {
		return nil, err
	}
	return &Columns{header: header, ops: ops, attrs: attrs, vals: make([]string, len(header))}, nil
}

// Header returns the header (trimmed).
func (c *Columns) Header() []string { return c.header }

// Maps reports whether the columns give the canonical field a value: a
// column of that name, or a mapping's column or constant for it.
func (c *Columns) Maps(field string) bool {
	for _, o := range c.ops {
		if o.target == field {
			return true
		}
	}
	return false
}

// AttributeColumns returns the lower-cased names of the columns kept as
// attributes, in header order.
func (c *Columns) AttributeColumns() []string { return c.attrs }

// Record turns one row, its values in header order, into a record. A row
// shorter than the header is padded with empty values; a longer one, or one
// with a value that is not valid UTF-8, is an error naming the column.
func (c *Columns) Record(row []string) (steward.Record, error) {
	if len(row) > len(c.header) {
		return steward.Record{}, fmt.Errorf("%w: %d, the header has %d", csv.ErrFieldCount, len(row), len(c.header))
	}
	for i := range c.vals {
		c.vals[i] = ""
	}
	for i, v := range row {
		if !utf8.ValidString(v) {
			return steward.Record{}, fmt.Errorf("column %q: %w", c.header[i], ErrInvalidUTF8)
		}
		c.vals[i] = strings.TrimSpace(v)
	}
	var rec steward.Record
	for i := range c.ops {
		if v := c.ops[i].value(c.vals); v != "" {
			rec.Set(c.ops[i].target, v)
		}
	}
	return rec, nil
}
