package importer

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/suppress"
)

// reporter writes the reports and counts the summary row by row, in
// file order, as the writer decides the rows, so that no report needs
// the whole file in memory:
//
//   - rejects: the rows that were not stored (rejected or blocked) as CSV,
//     one line per row, so that the file can be fixed in a spreadsheet and
//     imported again as it is: the row's columns exactly as read, then
//     steward_line (the line of the input where the row starts, the header
//     being line 1, as a spreadsheet numbers it) and steward_errors (each
//     finding as "code: message", one per line of the cell). Reading
//     ignores columns named steward_… (records.ReportPrefix). A row that
//     could not be split into columns has them empty and quotes its text
//     in its errors.
//   - annotated: every row of the input as CSV with four columns added:
//     steward_status (the outcome), steward_code and steward_message (the
//     findings, joined by "; " and " "), and steward_matched_id (the
//     customer the row looked like). Reading ignores them, like the
//     rejects file's.
//   - findings: every finding of every row, stored or not, as CSV with one
//     line per finding: line (of the input, the header being line 1), row
//     (1 = the first data row), id, outcome, field, code, severity and
//     message.
type reporter struct {
	opts   *Options
	header []string
	sum    *Summary
	// rejects, annotated and findings write the reports asked for.
	rejects, annotated, findings *csv.Writer
	line                         []string
	// suppressed looks up the accepted rows' addresses in batches
	// (Options.SuppressionKeys).
	suppressed steward.SuppressionStore
	hashes     []string
	rowsOf     map[string]int
}

func newReporter(t *table, opts *Options, sum *Summary, tx steward.SuppressionStore) (*reporter, error) {
	p := &reporter{opts: opts, header: t.Header, sum: sum, rowsOf: make(map[string]int)}
	if opts.SuppressionKeys != nil {
		p.suppressed = tx
	}
	if opts.Rejects != nil {
		p.rejects = csv.NewWriter(opts.Rejects)
		header := append(append([]string(nil), t.Header...), records.ReportPrefix+"line", records.ReportPrefix+"errors")
		if err := p.rejects.Write(header); err != nil {
			return nil, reportError("write rejects", err)
		}
	}
	if opts.Annotated != nil {
		p.annotated = csv.NewWriter(opts.Annotated)
		header := append(append([]string(nil), t.Header...), records.ReportPrefix+"status", records.ReportPrefix+"code", records.ReportPrefix+"message", records.ReportPrefix+"matched_id")
		if err := p.annotated.Write(header); err != nil {
			return nil, reportError("write annotated copy", err)
		}
	}
	if opts.Findings != nil {
		p.findings = csv.NewWriter(opts.Findings)
		if err := p.findings.Write([]string{"line", "row", "id", "outcome", "field", "code", "severity", "message"}); err != nil {
			return nil, reportError("write findings", err)
		}
	}
	p.line = make([]string, len(t.Header)+4)
	return p, nil
}

// reportError says that a report could not be written, so nothing was
// imported.
func reportError(what string, err error) error {
	return fmt.Errorf("%s: %w; nothing was imported", what, err)
}

// row reports row r, decided, with its customer's id and its match's
// known.
func (p *reporter) row(ctx context.Context, r *live) error {
	count(p.sum, r)
	outcome := r.outcome()
	raw := p.opts.RawReports
	n := len(p.header)
	if p.rejects != nil && (outcome == steward.OutcomeRejected || outcome == steward.OutcomeBlocked) {
		line := p.line[:n+2]
		fillRaw(line[:n], r.Raw)
		var errs []string
		for _, f := range r.Findings {
			if f.IsError() || outcome == steward.OutcomeBlocked {
				errs = append(errs, f.Code+": "+f.Message)
			}
		}
		line[n], line[n+1] = fmt.Sprint(r.Line), strings.Join(errs, "\n")
		if err := p.rejects.Write(safeLine(line, raw)); err != nil {
			return reportError("write rejects", err)
		}
	}
	if p.annotated != nil {
		line := p.line[:n+4]
		fillRaw(line[:n], r.Raw)
		codes := make([]string, 0, len(r.Findings))
		msgs := make([]string, 0, len(r.Findings))
		for _, f := range r.Findings {
			codes = append(codes, f.Code)
			msgs = append(msgs, f.Message)
		}
		if r.match != nil && outcome != steward.OutcomeBlocked {
			codes = append(codes, gate.CodeDuplicate)
			msgs = append(msgs, fmt.Sprintf("Looks like customer %s with probability %.2f.", gate.Describe(r.match), r.probability))
		}
		line[n], line[n+1], line[n+2], line[n+3] = string(outcome), strings.Join(codes, "; "), strings.Join(msgs, " "), ""
		if r.match != nil && r.match.ID != 0 {
			line[n+3] = fmt.Sprint(r.match.ID)
		}
		if err := p.annotated.Write(safeLine(line, raw)); err != nil {
			return reportError("write annotated copy", err)
		}
	}
	if p.findings != nil {
		for _, f := range r.Findings {
			line := []string{fmt.Sprint(r.Line), fmt.Sprint(r.Num), r.Record.SourceID, string(outcome), f.Field, f.Code, string(f.Severity), f.Message}
			if err := p.findings.Write(safeLine(line, raw)); err != nil {
				return reportError("write findings", err)
			}
		}
	}
	if p.suppressed != nil && outcome.Accepted() {
		if e := suppress.Normalize(steward.ChannelEmail, r.Record.Email, ""); e != "" {
			h := p.opts.SuppressionKeys.Hash(steward.ChannelEmail, e)
			if p.rowsOf[h] == 0 {
				p.hashes = append(p.hashes, h)
			}
			p.rowsOf[h]++
			if len(p.hashes) == 1000 {
				return p.lookUpSuppressed(ctx)
			}
		}
	}
	return nil
}

// lookUpSuppressed counts the rows whose addresses, hashed since the last
// look-up, are suppressed for every message.
func (p *reporter) lookUpSuppressed(ctx context.Context) error {
	if len(p.hashes) == 0 {
		return nil
	}
	got, err := p.suppressed.Suppressed(ctx, p.hashes, "")
	if err != nil {
		return reportError("look up suppressions", err)
	}
	for h := range got {
		p.sum.Suppressed += p.rowsOf[h]
	}
	p.hashes, p.rowsOf = p.hashes[:0], make(map[string]int)
	return nil
}

// finish completes the reports and makes them durable.
func (p *reporter) finish(ctx context.Context) error {
	if p.suppressed != nil {
		if err := p.lookUpSuppressed(ctx); err != nil {
			return err
		}
	}
	for _, w := range []struct {
		cw   *csv.Writer
		what string
	}{{p.rejects, "write rejects"}, {p.annotated, "write annotated copy"}, {p.findings, "write findings"}} {
		if w.cw == nil {
			continue
		}
		w.cw.Flush()
		if err := w.cw.Error(); err != nil {
			return reportError(w.what, err)
		}
	}
	if p.opts.ReportsWritten != nil {
		if err := p.opts.ReportsWritten(); err != nil {
			return fmt.Errorf("%w; nothing was imported", err)
		}
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
