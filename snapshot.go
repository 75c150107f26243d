package steward

import (
	"context"
	"time"
)

// Quality dimensions: what a metric measures.
const (
	// DimCompleteness: customers with the field filled, of all active.
	DimCompleteness = "completeness"
	// DimValidity: filled values that pass their check (email by its
	// last verification, phone for its country, postal code for its
	// country, national id checksum), of those filled.
	DimValidity = "validity"
	// DimStandardization: filled values already in standard form (what
	// "run standardize" would leave as it is), of those filled.
	DimStandardization = "standardization"
	// DimUniqueness: customers not in a pending merge suggestion, of all
	// active; field "estimated_duplicates" counts the customers the
	// pending suggestions would merge away.
	DimUniqueness = "uniqueness"
	// DimTimeliness: customers updated within a year ("updated"), and
	// addresses verified within the verification window ("verified").
	DimTimeliness = "timeliness"
	// DimConsent: customers one may write to ("sendable": a valid-looking
	// address, no opt-out), and the opt-outs by attribute.
	DimConsent = "consent"
	// DimBacklog: pending suggestions by age ("pending", "older_than_7d",
	// "older_than_30d"), of all pending.
	DimBacklog = "backlog"
)

// Metric is one measured share of the customer database: Numerator of
// Denominator, for a dimension, a field ("" for the whole record) and a
// source system ("" for all sources).
type Metric struct {
	Dimension   string `json:"dimension"`
	Field       string `json:"field,omitempty"`
	Source      string `json:"source,omitempty"`
	Numerator   int64  `json:"numerator"`
	Denominator int64  `json:"denominator"`
}

// Share returns Numerator / Denominator, and 1 when there is nothing to
// measure (no value can be wrong).
func (m Metric) Share() float64 {
	if m.Denominator == 0 {
		return 1
	}
	return float64(m.Numerator) / float64(m.Denominator)
}

// Key names the metric: dimension, field and source.
func (m Metric) Key() MetricKey { return MetricKey{m.Dimension, m.Field, m.Source} }

// MetricKey identifies a metric across snapshots.
type MetricKey struct {
	Dimension, Field, Source string
}

// Snapshot is the state of the customer database at one time: every
// metric, per field and per source. The nightly snapshot job (or "steward
// report snapshot") takes one; reports compare them.
type Snapshot struct {
	ID      int64     `json:"id"`
	TakenAt time.Time `json:"taken_at"`
	// RunID is the job run that took it; 0 from the command line.
	RunID int64 `json:"run_id,omitempty"`
	// Customers counts the active customers measured.
	Customers int64    `json:"customers"`
	Metrics   []Metric `json:"metrics"`
}

// Metric returns the snapshot's metric with key k, and whether it has one.
func (s *Snapshot) Metric(k MetricKey) (Metric, bool) {
	for _, m := range s.Metrics {
		if m.Key() == k {
			return m, true
		}
	}
	return Metric{}, false
}

// SnapshotStore keeps quality snapshots.
type SnapshotStore interface {
	// SaveSnapshot stores s with its metrics and sets s.ID (EINVALID for a
	// metric whose numerator is negative or above its denominator).
	SaveSnapshot(ctx context.Context, s *Snapshot) error
	// Snapshots returns the snapshots taken at or after since, oldest
	// first, with their metrics; at most limit (0: all), the newest ones.
	Snapshots(ctx context.Context, since time.Time, limit int) ([]*Snapshot, error)
}

// CheckSnapshot checks what every store refuses in a snapshot, so that
// every backend refuses the same things.
func CheckSnapshot(s *Snapshot) error {
	if s.TakenAt.IsZero() {
		return Errorf(EINVALID, "A quality snapshot needs the time it was taken.")
	}
	for _, m := range s.Metrics {
		if m.Dimension == "" || m.Numerator < 0 || m.Denominator < 0 || m.Numerator > m.Denominator {
			return Errorf(EINVALID, "Quality metric %s/%s/%s is %d of %d: want a dimension and 0 ≤ numerator ≤ denominator.",
				m.Dimension, m.Field, m.Source, m.Numerator, m.Denominator)
		}
	}
	s.TakenAt = s.TakenAt.UTC().Truncate(time.Microsecond)
	return nil
}
