package records

import (
	"fmt"
	"strings"
	"time"

	"github.com/steward-crm/steward/internal/lib/fold"
)

// Transform names a mapping's value transform (the "transform" key of a
// column in a mapping file).
type Transform string

// Value transforms. A value a transform cannot read is passed on as it is,
// so that validation reports it (and the rules' on_invalid decides).
const (
	// TransformBool reads yes/no, y/n, true/false, t/f, 1/0, on/off, x and
	// the Persian بله/خیر as "true" or "false".
	TransformBool Transform = "bool"
	// TransformNot is TransformBool negated: "Accepts Email Marketing: no"
	// becomes email_opt_out "true".
	TransformNot Transform = "not"
	// TransformDate reads a date in the column's layout and writes it as
	// ISO 8601 (YYYY-MM-DD).
	TransformDate Transform = "date"
)

// Transforms lists the names a mapping file's transform key takes (a date
// is given with the date key instead).
func Transforms() []Transform { return []Transform{TransformBool, TransformNot} }

// valueTransform rewrites one mapped value.
type valueTransform struct {
	kind Transform
	// layout is the date layout as the mapping file writes it; goLayout
	// is it in Go's reference-time form.
	layout, goLayout string
}

// apply returns v transformed, or v itself when it cannot be read.
func (t valueTransform) apply(v string) string {
	if v == "" {
		return v
	}
	switch t.kind {
	case TransformBool, TransformNot:
		b, ok := ParseBool(v)
		if !ok {
			return v
		}
		if t.kind == TransformNot {
			b = !b
		}
		if b {
			return "true"
		}
		return "false"
	case TransformDate:
		d, err := time.Parse(t.goLayout, fold.Digits(v))
		if err != nil {
			return v
		}
		// A two-digit year is read as the most recent such year not
		// after this one: 05/01/93 is 1993, never 2093.
		if twoDigitYear(t.goLayout) && d.Year() > time.Now().Year() {
			d = d.AddDate(-100, 0, 0)
		}
		return d.Format(time.DateOnly)
	}
	return v
}

// boolWords are the values TransformBool reads, lower case.
var boolWords = map[string]bool{
	"yes": true, "y": true, "true": true, "t": true, "1": true, "on": true, "x": true, "✓": true,
	"no": false, "n": false, "false": false, "f": false, "0": false, "off": false,
	"بله": true, "آری": true, "بلی": true, "درست": true,
	"خیر": false, "نه": false, "نادرست": false,
}

// ParseBool reads a yes/no value as TransformBool does; ok is false for a
// value that is neither.
func ParseBool(v string) (b, ok bool) {
	b, ok = boolWords[strings.ToLower(strings.TrimSpace(fold.Digits(v)))]
	return b, ok
}

// strftime maps the %-codes a date layout may use to Go's layout
// elements. Day and month read one or two digits.
var strftime = map[byte]string{
	'd': "2", 'e': "2", 'm': "1", 'Y': "2006", 'y': "06",
	'b': "Jan", 'B': "January", 'H': "15", 'M': "04", 'S': "05", '%': "%",
}

// dateTransform checks a date layout, written with %-codes (%d/%m/%Y) or
// as a Go layout (2/1/2006), and returns its transform. A layout must
// name a year, a month and a day.
func dateTransform(layout string) (valueTransform, error) {
	goLayout := layout
	if strings.Contains(layout, "%") {
		var b strings.Builder
		for i := 0; i < len(layout); i++ {
			if layout[i] != '%' {
				b.WriteByte(layout[i])
				continue
			}
			if i+1 == len(layout) {
				return valueTransform{}, fmt.Errorf("date layout %q ends with a lone %%", layout)
			}
			i++
			g, ok := strftime[layout[i]]
			if !ok {
				return valueTransform{}, fmt.Errorf("date layout %q: %%%c is not one of %%d %%m %%Y %%y %%b %%B %%H %%M %%S", layout, layout[i])
			}
			b.WriteString(g)
		}
		goLayout = b.String()
	}
	// The layout must write and read back a day that cannot be a month,
	// in a month and year of its own: then it names all three.
	ref := time.Date(1993, time.November, 25, 0, 0, 0, 0, time.UTC)
	back, err := time.Parse(goLayout, ref.Format(goLayout))
	if err != nil || back.Year()%100 != 93 || back.Month() != time.November || back.Day() != 25 {
		return valueTransform{}, fmt.Errorf("date layout %q does not name a day, a month and a year (write it like %%d/%%m/%%Y or 2/1/2006)", layout)
	}
	return valueTransform{kind: TransformDate, layout: layout, goLayout: goLayout}, nil
}

// twoDigitYear reports whether a Go layout writes the year with two digits.
func twoDigitYear(goLayout string) bool {
	return !strings.Contains(goLayout, "2006") && strings.Contains(goLayout, "06")
}
