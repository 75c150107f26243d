package quality

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

//go:embed templates/report.html
var templateFS embed.FS

// reportTemplate is parsed once; a broken template is a build defect the
// tests catch.
var reportTemplate = template.Must(template.ParseFS(templateFS, "templates/report.html"))

// headline are the metrics the trend chart draws, with their colours.
var headline = []struct {
	key   steward.MetricKey
	name  string
	color string
}{
	{steward.MetricKey{Dimension: steward.DimValidity, Field: steward.FieldEmail}, "valid email", "#3b6fb6"},
	{steward.MetricKey{Dimension: steward.DimValidity, Field: steward.FieldPhone}, "valid phone", "#7b4fb0"},
	{steward.MetricKey{Dimension: steward.DimUniqueness}, "not awaiting a merge", "#2e8b57"},
	{steward.MetricKey{Dimension: steward.DimConsent, Field: "sendable"}, "sendable", "#d4821a"},
	{steward.MetricKey{Dimension: steward.DimTimeliness, Field: "verified"}, "email verified recently", "#b3261e"},
}

// htmlRow is one table row of the HTML report.
type htmlRow struct {
	Name, Share, Change, ChangeClass, Count string
	Width                                   int
	Spark                                   template.HTML
	// Href lists the customers the row does not count as good, and
	// Good those it does (live page only).
	Href, Good string
}

// PageOptions make the report the live page of steward serve.
type PageOptions struct {
	// Link returns where the customers behind a metric are listed: those
	// it does not count as good, or with passing those it does; "" for
	// none.
	Link func(k steward.MetricKey, passing bool) string
	// Running are the jobs running now, with what they have done so far.
	Running []*steward.JobRun
	// Refresh, when positive, reloads the page every so many seconds.
	Refresh int
	// Required are the fields the rules file requires: the worst fields
	// include the least complete of them.
	Required []string
}

// worstRow is a field or a source among the worst of the latest snapshot.
type worstRow struct {
	Name, Share, Count, Href string
}

// WriteHTML writes the report as one self-contained HTML file: inline
// styles and SVG charts drawn here, no script and nothing fetched from
// anywhere, so that it can be mailed or opened offline.
func (r *Report) WriteHTML(w io.Writer) error { return r.WritePage(w, PageOptions{}) }

// WritePage writes the report as WriteHTML does, and with opts as the
// live page: every count a link to the customers behind it, the worst
// fields and sources, and the jobs running now.
func (r *Report) WritePage(w io.Writer, opts PageOptions) error {
	latest := r.Latest()
	type runningJob struct {
		Job, Started, Counts string
	}
	data := struct {
		Title, Taken, Previous, Written string
		Customers                       int64
		Report                          *Report
		Chart                           template.HTML
		Lines                           []struct{ Name, Color string }
		Sections                        []struct {
			Dimension string
			Rows      []htmlRow
		}
		Live                   bool
		Refresh                int
		WorstFields, WorstSrcs []worstRow
		Running                []runningJob
	}{Report: r, Written: time.Now().Format("2006-01-02 15:04"), Live: opts.Link != nil, Refresh: opts.Refresh}
	link := func(k steward.MetricKey, passing bool) string {
		if opts.Link == nil || !PerCustomer(k) {
			return ""
		}
		return opts.Link(k, passing)
	}
	for _, run := range opts.Running {
		var counts []string
		for _, k := range slices.Sorted(maps.Keys(run.Counts)) {
			counts = append(counts, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), run.Counts[k]))
		}
		data.Running = append(data.Running, runningJob{Job: run.Job, Started: run.StartedAt.Local().Format("15:04:05"), Counts: strings.Join(counts, ", ")})
	}
	if latest != nil && data.Live {
		for _, row := range r.Worst(steward.DimValidity, 3) {
			if row.Numerator < row.Denominator {
				data.WorstFields = append(data.WorstFields, worstOf(row.Metric, "validity of "+row.Field, link))
			}
		}
		n := 0
		for _, row := range r.Worst(steward.DimCompleteness, len(r.Rows)) {
			if n < 3 && slices.Contains(opts.Required, row.Field) && row.Numerator < row.Denominator {
				data.WorstFields = append(data.WorstFields, worstOf(row.Metric, "completeness of "+row.Field, link))
				n++
			}
		}
		for _, m := range worstSources(latest, 5) {
			data.WorstSrcs = append(data.WorstSrcs, worstOf(m, m.Source+": "+m.Dimension+" of "+m.Field, link))
		}
	}
	if latest == nil {
		data.Title, data.Taken = "no snapshot yet", "—"
	} else {
		data.Title = latest.TakenAt.Local().Format("2006-01-02")
		data.Taken = latest.TakenAt.Local().Format("2006-01-02 15:04")
		data.Customers = latest.Customers
		if len(r.Snapshots) > 1 {
			data.Previous = r.Snapshots[len(r.Snapshots)-2].TakenAt.Local().Format("2006-01-02")
		}
	}
	var series [][]float64
	for _, h := range headline {
		k := h.key
		k.Source = r.Source
		var s []float64
		for _, snap := range r.Snapshots {
			v := -1.0
			if m, ok := snap.Metric(k); ok && m.Denominator > 0 {
				v = m.Share()
			}
			s = append(s, v)
		}
		series = append(series, s)
		data.Lines = append(data.Lines, struct{ Name, Color string }{h.name, h.color})
	}
	data.Chart = lineChart(series, r.Snapshots)
	for _, row := range r.Rows {
		n := len(data.Sections)
		if n == 0 || data.Sections[n-1].Dimension != row.Dimension {
			data.Sections = append(data.Sections, struct {
				Dimension string
				Rows      []htmlRow
			}{Dimension: row.Dimension})
			n++
		}
		name := strings.ReplaceAll(row.Field, "_", " ")
		if r.Field != "" {
			name = row.Source
			if name == "" {
				name = "all sources"
			}
		}
		if name == "" {
			name = "customers"
		}
		hr := htmlRow{Name: name, Share: fmt.Sprintf("%.1f%%", 100*row.Share), Width: int(120 * row.Share),
			Count: fmt.Sprintf("%d of %d", row.Numerator, row.Denominator), Spark: sparkSVG(row.Trend)}
		if row.Numerator > 0 {
			hr.Good = link(row.Key(), true)
		}
		if row.Numerator < row.Denominator {
			hr.Href = link(row.Key(), false)
		}
		if row.HasPrevious {
			hr.Change = fmt.Sprintf("%+.1f", 100*row.Change())
			switch {
			case row.Change() > 0.0005:
				hr.ChangeClass = "up"
			case row.Change() < -0.0005:
				hr.ChangeClass = "down"
			}
		}
		data.Sections[n-1].Rows = append(data.Sections[n-1].Rows, hr)
	}
	return reportTemplate.Execute(w, data)
}

// worstOf is one of the worst rows, linked to the customers it does not
// count as good.
func worstOf(m steward.Metric, name string, link func(steward.MetricKey, bool) string) worstRow {
	return worstRow{Name: strings.ReplaceAll(name, "_", " "), Share: fmt.Sprintf("%.1f%%", 100*m.Share()),
		Count: fmt.Sprintf("%d of %d", m.Denominator-m.Numerator, m.Denominator), Href: link(m.Key(), false)}
}

// worstSources returns the n per-source validity metrics of snap with the
// lowest share: the source systems that send what is not valid, where to
// act first.
func worstSources(snap *steward.Snapshot, n int) []steward.Metric {
	var ms []steward.Metric
	for _, m := range snap.Metrics {
		if m.Source != "" && m.Field != "" && m.Denominator > 0 && m.Numerator < m.Denominator && m.Dimension == steward.DimValidity {
			ms = append(ms, m)
		}
	}
	slices.SortStableFunc(ms, func(a, b steward.Metric) int { return cmp.Compare(a.Share(), b.Share()) })
	return ms[:min(n, len(ms))]
}

// lineChart draws series of shares (0..1; -1 missing), one value per
// snapshot, as an SVG line chart from 0 to 100%, dated below.
func lineChart(series [][]float64, snaps []*steward.Snapshot) template.HTML {
	const w, h, left, bottom, top, right = 640, 220, 44, 24, 10, 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="trend of the headline metrics">`, w, h, w, h)
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	for _, p := range []float64{0, 0.25, 0.5, 0.75, 1} {
		y := float64(top) + plotH*(1-p)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eef1f4"/>`, left, y, w-right, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" fill="#8593a3" text-anchor="end">%.0f%%</text>`, left-6, y+4, 100*p)
	}
	n := len(snaps)
	x := func(i int) float64 {
		if n <= 1 {
			return float64(left) + plotW/2
		}
		return float64(left) + plotW*float64(i)/float64(n-1)
	}
	layout := "01-02"
	if n > 1 && snaps[n-1].TakenAt.Sub(snaps[0].TakenAt) < 48*time.Hour {
		layout = "01-02 15:04"
	}
	for i, s := range snaps {
		if n <= 6 || i == 0 || i == n-1 || i%(n/5+1) == 0 {
			anchor := "middle"
			if i == n-1 && n > 1 {
				anchor = "end"
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" fill="#8593a3" text-anchor="%s">%s</text>`, x(i), h-6, anchor, s.TakenAt.Local().Format(layout))
		}
	}
	for k, s := range series {
		var pts []string
		for i, v := range s {
			if v < 0 {
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), float64(top)+plotH*(1-v)))
		}
		if len(pts) == 0 {
			continue
		}
		color := headline[k].color
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, color, strings.Join(pts, " "))
		for _, p := range pts {
			xy := strings.Split(p, ",")
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`, xy[0], xy[1], color)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built here from numbers only
}

// sparkSVG draws a row's trend (shares 0..1, -1 missing) as a small SVG.
func sparkSVG(trend []float64) template.HTML {
	const w, h = 120, 24
	var pts []string
	for i, v := range trend {
		if v < 0 {
			continue
		}
		x := w / 2.0
		if len(trend) > 1 {
			x = 2 + float64(w-4)*float64(i)/float64(len(trend)-1)
		}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, 2+float64(h-4)*(1-v)))
	}
	if len(pts) == 0 {
		return ""
	}
	shape := fmt.Sprintf(`<polyline fill="none" stroke="#3b6fb6" stroke-width="1.5" points="%s"/>`, strings.Join(pts, " "))
	if len(pts) == 1 {
		xy := strings.Split(pts[0], ",")
		shape = fmt.Sprintf(`<circle cx="%s" cy="%s" r="2" fill="#3b6fb6"/>`, xy[0], xy[1])
	}
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" aria-hidden="true">%s</svg>`, w, h, w, h, shape))
}
