// Package metrics exposes steward's figures in the Prometheus format at
// /metrics: the job and schedule runs this instance made (counters and
// durations, by job and status), and figures of the whole database read
// when scraped (pending suggestions, imports and rejected rows, each
// job's last success), which every instance reports alike. No metric
// carries personal data: labels are job, schedule, status and count
// names only.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/schedule"
)

// Metrics holds steward's metrics in a registry of its own.
type Metrics struct {
	reg          *prometheus.Registry
	jobRuns      *prometheus.CounterVec
	jobDuration  *prometheus.HistogramVec
	jobRows      *prometheus.CounterVec
	scheduleRuns *prometheus.CounterVec
	scheduleTook *prometheus.HistogramVec
}

// durationBuckets span a job of a second to one of several hours.
var durationBuckets = []float64{1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400}

// Statuses returns the schedules' statuses at a scrape (see
// schedule.Statuses).
type Statuses func(ctx context.Context) ([]schedule.Status, error)

// New makes the metrics; st is read at every scrape for the database's
// figures (a failed read is logged and reported as steward_database_up 0),
// and so is schedules, when not nil, for each schedule's overdue and
// paused state.
func New(st steward.StatsStore, schedules Statuses, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "steward_job_runs_total", Help: "Job runs this instance finished, by job and status (succeeded, warning, failed).",
		}, []string{"job", "status"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "steward_job_run_duration_seconds", Help: "How long the job runs this instance finished took, by job.", Buckets: durationBuckets,
		}, []string{"job"}),
		jobRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "steward_job_rows_total", Help: "What the job runs this instance finished counted, by job and count (customers examined, changed, checked, invalid...).",
		}, []string{"job", "count"}),
		scheduleRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "steward_schedule_runs_total", Help: "Schedule times this instance recorded, by schedule, trigger and status (succeeded, failed, skipped, missed).",
		}, []string{"schedule", "trigger", "status"}),
		scheduleTook: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "steward_schedule_run_duration_seconds", Help: "How long the schedule runs this instance finished took, by schedule.", Buckets: durationBuckets,
		}, []string{"schedule"}),
	}
	m.reg.MustRegister(m.jobRuns, m.jobDuration, m.jobRows, m.scheduleRuns, m.scheduleTook,
		&statsCollector{st: st, schedules: schedules, log: log},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// JobRun counts a finished job run.
func (m *Metrics) JobRun(r *steward.JobRun) {
	m.jobRuns.WithLabelValues(r.Job, string(r.Status)).Inc()
	if !r.FinishedAt.IsZero() {
		m.jobDuration.WithLabelValues(r.Job).Observe(r.FinishedAt.Sub(r.StartedAt).Seconds())
	}
	for k, n := range r.Counts {
		// Ids (model_id, snapshot_id) are not counts.
		if strings.HasSuffix(k, "_id") || n < 0 {
			continue
		}
		m.jobRows.WithLabelValues(r.Job, k).Add(float64(n))
	}
}

// ScheduleRun counts a schedule run that ended (finished, skipped or
// missed).
func (m *Metrics) ScheduleRun(r *steward.ScheduleRun) {
	m.scheduleRuns.WithLabelValues(r.Schedule, string(r.Trigger), string(r.Status)).Inc()
	if !r.StartedAt.IsZero() && !r.FinishedAt.IsZero() {
		m.scheduleTook.WithLabelValues(r.Schedule).Observe(r.FinishedAt.Sub(r.StartedAt).Seconds())
	}
}

// statsCollector reads the database's figures at every scrape.
type statsCollector struct {
	st        steward.StatsStore
	schedules Statuses
	log       *slog.Logger
}

var (
	upDesc          = prometheus.NewDesc("steward_database_up", "1 when the database answered this scrape's questions, 0 when not.", nil, nil)
	pendingDesc     = prometheus.NewDesc("steward_suggestions_pending", "Merge suggestions waiting for a steward.", nil, nil)
	importsDesc     = prometheus.NewDesc("steward_imports_total", "Recorded imports, by status (committed, failed).", []string{"status"}, nil)
	importRowsDesc  = prometheus.NewDesc("steward_import_rows_total", "Rows read by the recorded imports.", nil, nil)
	rejectedDesc    = prometheus.NewDesc("steward_import_rejected_rows_total", "Rows the recorded imports rejected.", nil, nil)
	overdueDesc     = prometheus.NewDesc("steward_schedule_overdue", "1 when the schedule has not succeeded for longer than its period plus a margin.", []string{"schedule"}, nil)
	pausedDesc      = prometheus.NewDesc("steward_schedule_paused", "1 when the schedule is paused.", []string{"schedule"}, nil)
	lastSuccessDesc = prometheus.NewDesc("steward_job_last_success_timestamp_seconds", "When each job last finished a run that succeeded (Unix time), on any instance.", []string{"job"}, nil)
)

// Describe implements prometheus.Collector.
func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{upDesc, pendingDesc, importsDesc, importRowsDesc, rejectedDesc, lastSuccessDesc, overdueDesc, pausedDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.st.Stats(ctx)
	if err != nil {
		if c.log != nil {
			c.log.Error("metrics: read the database's figures", "error", err)
		}
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(st.PendingSuggestions))
	for _, status := range []steward.ImportStatus{steward.ImportCommitted, steward.ImportFailed} {
		ch <- prometheus.MustNewConstMetric(importsDesc, prometheus.CounterValue, float64(st.Imports[string(status)]), string(status))
	}
	ch <- prometheus.MustNewConstMetric(importRowsDesc, prometheus.CounterValue, float64(st.ImportRows))
	ch <- prometheus.MustNewConstMetric(rejectedDesc, prometheus.CounterValue, float64(st.ImportRejected))
	for job, at := range st.LastSuccess {
		ch <- prometheus.MustNewConstMetric(lastSuccessDesc, prometheus.GaugeValue, float64(at.UnixNano())/1e9, job)
	}
	if c.schedules == nil {
		return
	}
	list, err := c.schedules(ctx)
	if err != nil {
		if c.log != nil {
			c.log.Error("metrics: read the schedules", "error", err)
		}
		return
	}
	for _, s := range list {
		ch <- prometheus.MustNewConstMetric(overdueDesc, prometheus.GaugeValue, boolValue(s.Overdue), s.Name)
		ch <- prometheus.MustNewConstMetric(pausedDesc, prometheus.GaugeValue, boolValue(s.Paused != nil), s.Name)
	}
}

// Threshold is one of the rules file's quality thresholds as the latest
// snapshot stands against it.
type Threshold struct {
	// Metric ("validity.email"), Source ("" for all) and Bound
	// (share_below, share_above, count_above) name the threshold.
	Metric, Source, Bound string
	// Value is the latest snapshot's share (or count, for count_above) of
	// the metric, and Crossed whether it crosses the bound.
	Value   float64
	Crossed bool
}

// Thresholds returns the quality thresholds against the latest snapshot
// at a scrape; none before the first snapshot.
type Thresholds func(ctx context.Context) ([]Threshold, error)

var (
	crossedDesc = prometheus.NewDesc("steward_quality_threshold_crossed", "1 when the latest quality snapshot crosses the rules file's threshold, 0 when not.", []string{"metric", "source", "bound"}, nil)
	valueDesc   = prometheus.NewDesc("steward_quality_threshold_value", "The latest quality snapshot's share (count, for count_above) of a metric the rules file bounds.", []string{"metric", "source", "bound"}, nil)
)

// WatchQuality reports, at every scrape, each quality threshold and the
// latest snapshot's value against it, so that an alert can fire on
// steward_quality_threshold_crossed.
func (m *Metrics) WatchQuality(fn Thresholds, log *slog.Logger) {
	m.reg.MustRegister(&qualityCollector{fn: fn, log: log})
}

type qualityCollector struct {
	fn  Thresholds
	log *slog.Logger
}

// Describe implements prometheus.Collector.
func (c *qualityCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- crossedDesc
	ch <- valueDesc
}

// Collect implements prometheus.Collector.
func (c *qualityCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := c.fn(ctx)
	if err != nil {
		if c.log != nil {
			c.log.Error("metrics: read the latest quality snapshot", "error", err)
		}
		return
	}
	for _, t := range list {
		ch <- prometheus.MustNewConstMetric(crossedDesc, prometheus.GaugeValue, boolValue(t.Crossed), t.Metric, t.Source, t.Bound)
		ch <- prometheus.MustNewConstMetric(valueDesc, prometheus.GaugeValue, t.Value, t.Metric, t.Source, t.Bound)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
