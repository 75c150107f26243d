// Package schedule runs the rules file's schedules: it works out when each
// one fires (robfig/cron/v3 schedules, CRON_TZ zones, descriptors), claims
// every fire time in the store so that it runs once however many
// instances share the database, catches up a run missed while no instance
// was up when it is still within the schedule's catch-up window (and
// records older ones as missed), and records a fire that comes while the
// schedule's previous run is still running as skipped, never running two
// at once.
//
// The Engine runs in "steward serve"; "steward jobs" and the JSON API use
// Start for manual runs and Statuses for the list.
package schedule
