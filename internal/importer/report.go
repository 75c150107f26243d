package importer

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/records"
)

// rejectsReport writes the rows that were not stored (rejected or blocked)
// as CSV: the row's columns as read, then row (1 = first data row), field,
// code and message; a row with several findings gets one line for each.
// A row that could not be split into columns has them empty and quotes its
// text in the message.
func rejectsReport(w io.Writer, t *table, raw bool) error {
	cw := csv.NewWriter(w)
	header := append(append([]string(nil), t.Header...), "row", "field", "code", "message")
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write rejects: %w", err)
	}
	line := make([]string, len(header))
	for _, r := range t.rows {
		if r.outcome != steward.OutcomeRejected && r.outcome != steward.OutcomeBlocked {
			continue
		}
		fillRaw(line[:len(t.Header)], r.Raw)
		for _, f := range r.Findings {
			n := len(t.Header)
			line[n], line[n+1], line[n+2], line[n+3] = fmt.Sprint(r.Num), f.Field, f.Code, f.Message
			if err := cw.Write(safeLine(line, raw)); err != nil {
				return fmt.Errorf("write rejects: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write rejects: %w", err)
	}
	return nil
}

// annotatedReport writes every row of the input as CSV with four columns
// added: status (the outcome), code and message (the findings, joined by
// "; " and " "), and matched_id (the customer the row looked like).
func annotatedReport(w io.Writer, t *table, raw bool) error {
	cw := csv.NewWriter(w)
	header := append(append([]string(nil), t.Header...), "status", "code", "message", "matched_id")
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write annotated copy: %w", err)
	}
	line := make([]string, len(header))
	for _, r := range t.rows {
		fillRaw(line[:len(t.Header)], r.Raw)
		codes := make([]string, 0, len(r.Findings))
		msgs := make([]string, 0, len(r.Findings))
		for _, f := range r.Findings {
			codes = append(codes, f.Code)
			msgs = append(msgs, f.Message)
		}
		if r.match != nil && r.outcome != steward.OutcomeBlocked {
			codes = append(codes, gate.CodeDuplicate)
			msgs = append(msgs, fmt.Sprintf("Looks like customer %s with probability %.2f.", gate.Describe(r.match), r.probability))
		}
		n := len(t.Header)
		line[n], line[n+1], line[n+2], line[n+3] = string(r.outcome), strings.Join(codes, "; "), strings.Join(msgs, " "), ""
		if r.match != nil && r.match.ID != 0 {
			line[n+3] = fmt.Sprint(r.match.ID)
		}
		if err := cw.Write(safeLine(line, raw)); err != nil {
			return fmt.Errorf("write annotated copy: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write annotated copy: %w", err)
	}
	return nil
}

// fillRaw copies a row's fields as read into dst, empty where it has none.
func fillRaw(dst, raw []string) {
	for i := range dst {
		dst[i] = ""
		if i < len(raw) {
			dst[i] = raw[i]
		}
	}
}

// safeLine makes a report line's values records.SpreadsheetSafe, in place,
// unless raw.
func safeLine(line []string, raw bool) []string {
	if !raw {
		for i, v := range line {
			line[i] = records.SpreadsheetSafe(v)
		}
	}
	return line
}
