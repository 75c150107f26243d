package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/steward-crm/steward"
)

// Problem is one thing wrong with a rules file, at a position in it.
type Problem struct {
	File string `json:"file"`
	// Line and Column are 1-based; 0 when the problem has no position in
	// the file (it comes from a default the file did not change).
	Line   int `json:"line"`
	Column int `json:"column"`
	// Path names the setting, such as "matching.review_threshold" or
	// "matching.blocking.keys[2].on[0]".
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// String formats the problem as "file:line:col: path: message".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Column)
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in a rules file, in file order. It is the
// error Parse and Load return for a file that is not valid; it unwraps to
// an *steward.Error with code EINVALID listing them all.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Unwrap makes a Problems error an EINVALID *steward.Error for errors.As.
func (ps Problems) Unwrap() error {
	return steward.Errorf(steward.EINVALID, "%s", ps.Error())
}

func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if (a.Line == 0) != (b.Line == 0) {
			return b.Line == 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}
