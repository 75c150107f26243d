// Package quality measures the state of the customer database, keeps the
// measures as snapshots, and reports on them.
//
// A Measurer streams the active customers through the store, page by page,
// and counts per field and per source system: completeness (fields
// filled), validity (values that pass the rules file's checks, and email
// addresses by their last verification), standardization (values that
// standardizing would leave as they are), uniqueness (customers not
// awaiting a merge, duplicates the pending suggestions would merge away),
// timeliness (customers updated within a year, addresses verified within
// the window), consent (customers one may write to, opt-outs) and the
// review backlog (pending suggestions by age). Each is a numerator of a
// denominator (steward.Metric), so that sources and days compare.
//
// Crossed checks a snapshot against the rules file's thresholds; Post
// sends the alerts to a webhook. A Report compares the latest snapshot
// with the one before it and shows the trend, as text, CSV, JSON or one
// self-contained HTML page with inline SVG charts.
package quality
