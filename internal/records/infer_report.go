package records

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Report writes what Infer made of the columns, for a person to check
// before anything is imported, each line starting with indent: every
// matched column with its target, how it was matched and why (and its
// confidence when below 0.8), then the columns kept as attributes, the
// hints for them ("did you mean phone for "Tel"?") and the notes.
func (inf *Inference) Report(w io.Writer, indent string) error {
	width, twidth := 0, 0
	for _, c := range inf.Columns {
		if c.By != MatchKept && c.By != MatchIgnored {
			width = max(width, utf8.RuneCountInString(c.Column))
			twidth = max(twidth, len(targetText(c)))
		}
	}
	var b strings.Builder
	var kept, ignored []string
	var hints []string
	for _, c := range inf.Columns {
		switch c.By {
		case MatchKept:
			kept = append(kept, c.Target)
			if c.Hint != "" {
				hints = append(hints, c.Hint)
			}
			continue
		case MatchIgnored:
			ignored = append(ignored, c.Column)
			continue
		}
		how := "by " + string(c.By)
		if c.By == MatchCanonical {
			how = "canonical name"
		}
		fmt.Fprintf(&b, "%s%s%s → %-*s  %s", indent, c.Column, strings.Repeat(" ", width-utf8.RuneCountInString(c.Column)), twidth, targetText(c), how)
		if c.Why != "" && c.By != MatchCanonical {
			fmt.Fprintf(&b, ": %s", c.Why)
		}
		if c.Confidence < 0.8 {
			fmt.Fprintf(&b, " (confidence %.2f)", c.Confidence)
		}
		b.WriteByte('\n')
	}
	if len(kept) > 0 {
		fmt.Fprintf(&b, "%skept as attributes: %s\n", indent, strings.Join(kept, ", "))
	}
	if len(ignored) > 0 {
		fmt.Fprintf(&b, "%signored (steward's own report columns): %s\n", indent, strings.Join(ignored, ", "))
	}
	for _, h := range hints {
		fmt.Fprintf(&b, "%s%s\n", indent, h)
	}
	for _, n := range inf.Notes {
		fmt.Fprintf(&b, "%snote: %s\n", indent, n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// targetText is a match's target as the report shows it.
func targetText(c ColumnMatch) string {
	if c.Attribute {
		return c.Target + " (attribute)"
	}
	return c.Target
}
