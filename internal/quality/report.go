package quality

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

// Report compares the latest snapshot with the one before it and shows the
// trend over all of them, filtered to a source and a field when asked.
type Report struct {
	// Snapshots are the snapshots reported on, oldest first.
	Snapshots []*steward.Snapshot `json:"snapshots"`
	// Rows are the latest snapshot's metrics, with the previous value and
	// the trend, in a stable order (dimension, then field, then source).
	Rows []Row `json:"rows"`
	// Alerts are the thresholds the latest snapshot crosses.
	Alerts []Alert `json:"alerts,omitempty"`
	// Source and Field are the filters ("": all).
	Source string `json:"source,omitempty"`
	Field  string `json:"field,omitempty"`
}

// Row is one metric of the latest snapshot against the previous one.
type Row struct {
	steward.Metric
	Share float64 `json:"share"`
	// Previous is the previous snapshot's share, and HasPrevious whether
	// it had the metric.
	Previous    float64 `json:"previous,omitempty"`
	HasPrevious bool    `json:"has_previous"`
	// Trend is the share in every snapshot, oldest first (-1 where a
	// snapshot lacks the metric).
	Trend []float64 `json:"trend"`
}

// Change returns the change of the share since the previous snapshot.
func (r Row) Change() float64 {
	if !r.HasPrevious {
		return 0
	}
	return r.Share - r.Previous
}

// NewReport builds the report of snaps (oldest first) for a source and a
// field ("" for all), with the alerts of the latest against thresholds.
func NewReport(snaps []*steward.Snapshot, source, field string, thresholds []Threshold) *Report {
	r := &Report{Snapshots: snaps, Rows: []Row{}, Source: source, Field: field}
	if len(snaps) == 0 {
		return r
	}
	latest := snaps[len(snaps)-1]
	for _, m := range latest.Metrics {
		if (source != "" && m.Source != source) || (source == "" && m.Source != "" && field == "") || (field != "" && m.Field != field) {
			continue
		}
		row := Row{Metric: m, Share: m.Share()}
		if len(snaps) > 1 {
			if p, ok := snaps[len(snaps)-2].Metric(m.Key()); ok {
				row.Previous, row.HasPrevious = p.Share(), true
			}
		}
		for _, s := range snaps {
			v := -1.0
			if p, ok := s.Metric(m.Key()); ok {
				v = p.Share()
			}
			row.Trend = append(row.Trend, v)
		}
		r.Rows = append(r.Rows, row)
	}
	slices.SortFunc(r.Rows, func(a, b Row) int {
		if c := cmp.Compare(dimensionOrder(a.Dimension), dimensionOrder(b.Dimension)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Field, b.Field); c != 0 {
			return c
		}
		return strings.Compare(a.Source, b.Source)
	})
	r.Alerts = Crossed(latest, thresholds)
	return r
}

// dimensionOrder is the order dimensions are reported in.
func dimensionOrder(d string) int {
	for i, x := range []string{steward.DimCompleteness, steward.DimValidity, steward.DimStandardization, steward.DimUniqueness,
		steward.DimTimeliness, steward.DimConsent, steward.DimBacklog} {
		if x == d {
			return i
		}
	}
	return 99
}

// Latest returns the latest snapshot, nil when there is none.
func (r *Report) Latest() *steward.Snapshot {
	if len(r.Snapshots) == 0 {
		return nil
	}
	return r.Snapshots[len(r.Snapshots)-1]
}

// Worst returns the n rows of dimension with the lowest share, among
// those with something to measure.
func (r *Report) Worst(dimension string, n int) []Row {
	var rows []Row
	for _, row := range r.Rows {
		if row.Dimension == dimension && row.Denominator > 0 && row.Field != "" {
			rows = append(rows, row)
		}
	}
	slices.SortStableFunc(rows, func(a, b Row) int { return cmp.Compare(a.Share, b.Share) })
	return rows[:min(n, len(rows))]
}

// sparks are the bars of a sparkline, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws shares (0..1; -1 missing) as one bar per snapshot.
func sparkline(shares []float64) string {
	var b strings.Builder
	for _, v := range shares {
		if v < 0 {
			b.WriteRune(' ')
			continue
		}
		b.WriteRune(sparks[min(len(sparks)-1, int(v*float64(len(sparks))))])
	}
	return b.String()
}

// WriteText writes the report for a terminal: the latest snapshot against
// the previous one, the trend as a sparkline, the alerts and the worst
// fields.
func (r *Report) WriteText(w io.Writer) error {
	latest := r.Latest()
	if latest == nil {
		_, err := fmt.Fprintln(w, "No quality snapshot yet: take one with 'steward report snapshot' (the nightly run takes one too).")
		return err
	}
	ew := &errWriter{w: w}
	ew.printf("Quality of %d customers on %s", latest.Customers, latest.TakenAt.Local().Format("2006-01-02 15:04"))
	if len(r.Snapshots) > 1 {
		prev := r.Snapshots[len(r.Snapshots)-2]
		ew.printf(", against %s; trend over %d snapshots", prev.TakenAt.Local().Format("2006-01-02"), len(r.Snapshots))
	}
	if r.Source != "" {
		ew.printf("; source %s", r.Source)
	}
	ew.printf("\n")
	for _, a := range r.Alerts {
		ew.printf("  ! %s\n", a.Message)
	}
	dim := ""
	for _, row := range r.Rows {
		if row.Dimension != dim {
			dim = row.Dimension
			ew.printf("\n%s\n", dim)
		}
		name := row.Field
		if name == "" {
			name = "(customers)"
		}
		if row.Source != "" && r.Source == "" {
			name += " [" + row.Source + "]"
		}
		change := ""
		if row.HasPrevious {
			change = fmt.Sprintf("%+6.1f", 100*row.Change())
		}
		ew.printf("  %-28s %6.1f%% %6s  %9d of %-9d %s\n", name, 100*row.Share, change, row.Numerator, row.Denominator, sparkline(row.Trend))
	}
	if worst := r.Worst(steward.DimValidity, 3); len(worst) > 0 {
		ew.printf("\nleast valid:")
		for _, row := range worst {
			ew.printf(" %s %.1f%%;", row.Field, 100*row.Share)
		}
		ew.printf("\n")
	}
	return ew.err
}

// WriteCSV writes every metric of every snapshot as CSV: taken_at,
// snapshot, dimension, field, source, numerator, denominator, share.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"taken_at", "snapshot", "dimension", "field", "source", "numerator", "denominator", "share"}); err != nil {
		return err
	}
	for _, s := range r.Snapshots {
		for _, m := range s.Metrics {
			if (r.Source != "" && m.Source != r.Source) || (r.Field != "" && m.Field != r.Field) {
				continue
			}
			if err := cw.Write([]string{s.TakenAt.UTC().Format(time.RFC3339), strconv.FormatInt(s.ID, 10), m.Dimension, m.Field, m.Source,
				strconv.FormatInt(m.Numerator, 10), strconv.FormatInt(m.Denominator, 10), strconv.FormatFloat(m.Share(), 'f', 4, 64)}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// errWriter keeps the first error of a run of writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
