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
// as CSV, one line per row, so that the file can be fixed in a spreadsheet
// and imported again as it is: the row's columns exactly as read, then
// steward_line (the line of the input where the row starts, the header
// being line 1, as a spreadsheet numbers it) and steward_errors (each
// finding as "code: message", one per line of the cell). Reading ignores
// columns named steward_… (records.ReportPrefix). A row that could not be
// split into columns has them empty and quotes its text in its errors.
func rejectsReport(w io.Writer, t *table, raw bool) error {
	cw := csv.NewWriter(w)
	header := append(append([]string(nil), t.Header...), records.ReportPrefix+"line", records.ReportPrefix+"errors")
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write rejects: %w", err)
	}
	line := make([]string, len(header))
	var errs []string
	for _, r := range t.rows {
		if r.outcome != steward.OutcomeRejected && r.outcome != steward.OutcomeBlocked {
			continue
		}
		fillRaw(line[:len(t.Header)], r.Raw)
		errs = errs[:0]
		for _, f := range r.Findings {
			if f.IsError() || r.outcome == steward.OutcomeBlocked {
				errs = append(errs, f.Code+": "+f.Message)
			}
		}
		n := len(t.Header)
		line[n], line[n+1] = fmt.Sprint(r.Line), strings.Join(errs, "\n")
		if err := cw.Write(safeLine(line, raw)); err != nil {
			return fmt.Errorf("write rejects: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write rejects: %w", err)
	}
	return nil
}

// findingsReport writes every finding of every row, stored or not, as CSV
// with one line per finding: line (of the input, the header being line
// 1), row (1 = the first data row), id, outcome, field, code, severity and
// message.
func findingsReport(w io.Writer, t *table, raw bool) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"line", "row", "id", "outcome", "field", "code", "severity", "message"}); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	for _, r := range t.rows {
		for _, f := range r.Findings {
			line := []string{fmt.Sprint(r.Line), fmt.Sprint(r.Num), r.Record.SourceID, string(r.outcome), f.Field, f.Code, string(f.Severity), f.Message}
			if err := cw.Write(safeLine(line, raw)); err != nil {
				return fmt.Errorf("write findings: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	return nil
}

// annotatedReport writes every row of the input as CSV with four columns
// added: steward_status (the outcome), steward_code and steward_message
// (the findings, joined by "; " and " "), and steward_matched_id (the
// customer the row looked like). Reading ignores them, like the rejects
// file's.
func annotatedReport(w io.Writer, t *table, raw bool) error {
	cw := csv.NewWriter(w)
	header := append(append([]string(nil), t.Header...), records.ReportPrefix+"status", records.ReportPrefix+"code", records.ReportPrefix+"message", records.ReportPrefix+"matched_id")
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
