package records

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/lib/didyoumean"
)

// op fills one column of a record from the trimmed values of a row.
type op struct {
	target    string // canonical column or attribute name
	cols      []int
	separator string
	constant  string
	isConst   bool
	transform valueTransform
}

func (o *op) value(vals []string) string {
	switch {
	case o.isConst:
		return o.constant
	case len(o.cols) == 1:
		if o.transform.kind != "" {
			return o.transform.apply(vals[o.cols[0]])
		}
		return vals[o.cols[0]]
	}
	var b strings.Builder
	for _, c := range o.cols {
		if vals[c] == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(o.separator)
		}
		b.WriteString(vals[c])
	}
	return b.String()
}

// plan binds a header (and an optional mapping) to the operations that turn
// a row into a record, and lists the attribute columns in header order.
func plan(header []string, m *Mapping) ([]op, []string, error) {
	var problems []string
	index := make(map[string]int, len(header))
	names := make([]string, len(header))
	for i, h := range header {
		name := normalizeName(h)
		names[i] = name
		if name == "" {
			problems = append(problems, fmt.Sprintf("header: column %d has no name", i+1))
			continue
		}
		if j, dup := index[name]; dup {
			problems = append(problems, fmt.Sprintf("header: column %q appears twice (columns %d and %d)", name, j+1, i+1))
			continue
		}
		index[name] = i
	}

	var ops []op
	assigned := make(map[string]bool)
	used := make(map[string]bool)
	// attrs are the attributes records may hold, each with the position
	// of its first column (a constant: after the last).
	type attr struct {
		name string
		pos  int
	}
	var attrs []attr
	if m != nil {
		missing := func(c columnRef) {
			problems = append(problems, fmt.Sprintf("%s:%d:%d: column %q is not in the header%s",
				m.file, c.line, c.col, c.name, didyoumean.Hint(c.name, names)))
		}
		for _, t := range m.targets {
			o := op{target: t.target, separator: t.separator, constant: t.constant, isConst: t.isConst, transform: t.transform}
			for _, c := range t.columns {
				i, ok := index[c.name]
				if !ok {
					missing(c)
					continue
				}
				used[c.name] = true
				o.cols = append(o.cols, i)
			}
			assigned[t.target] = true
			ops = append(ops, o)
			if t.attribute {
				a := attr{t.target, len(header)}
				if len(o.cols) > 0 {
					a.pos = o.cols[0]
				}
				attrs = append(attrs, a)
			}
		}
		for _, c := range m.ignore {
			if _, ok := index[c.name]; !ok {
				missing(c)
				continue
			}
			used[c.name] = true
		}
	}

	canonical := steward.CanonicalColumns()
	for i, name := range names {
		if name == "" || used[name] || index[name] != i || IsReportColumn(name) {
			continue
		}
		if slices.Contains(canonical, name) {
			if assigned[name] {
				problems = append(problems, fmt.Sprintf("header: column %q is not mapped, and its name is a canonical column the mapping fills from elsewhere: map it or ignore it", name))
				continue
			}
			assigned[name] = true
			ops = append(ops, op{target: name, cols: []int{i}})
			continue
		}
		if assigned[name] {
			problems = append(problems, fmt.Sprintf("header: column %q is not mapped, and its name is an attribute the mapping fills from elsewhere: map it or ignore it", name))
			continue
		}
		attrs = append(attrs, attr{name, i})
		ops = append(ops, op{target: name, cols: []int{i}})
	}
	if len(problems) > 0 {
		return nil, nil, steward.Errorf(steward.EINVALID, "%s", strings.Join(problems, "\n"))
	}
	slices.SortStableFunc(attrs, func(a, b attr) int { return a.pos - b.pos })
	var attrNames []string
	for _, a := range attrs {
		attrNames = append(attrNames, a.name)
	}
	return ops, attrNames, nil
}

// ReportPrefix starts the names of the columns steward adds to the files
// it writes about an input (rejects, annotated copies): "steward_line",
// "steward_errors" … Reading a file ignores such columns, so a rejects
// file, fixed, can be imported again as it is.
const ReportPrefix = "steward_"

// IsReportColumn reports whether a (normalized) column name is one steward
// adds to its reports.
func IsReportColumn(name string) bool { return strings.HasPrefix(name, ReportPrefix) }
