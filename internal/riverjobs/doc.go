// Package riverjobs runs the rules file's schedules on a PostgreSQL
// database through River (github.com/riverqueue/river), so that any number
// of "steward serve" instances share them: River elects one leader, which
// enqueues each schedule's times as periodic jobs (unique per schedule and
// scheduled second); a worker on any instance takes a job (SELECT … FOR
// UPDATE SKIP LOCKED) and runs it through schedule.Engine.RunAt, whose
// run row keyed by (schedule, scheduled time) makes "each time exactly
// once" checkable; a job whose instance died is rescued by River and taken
// over from the dead run's last heartbeat.
//
// River's periodic jobs start from the time a leader is elected, so the
// times missed while no instance was up are handled by Engine.CatchUp as
// each instance starts (the run rows decide which instance runs them).
//
// The embedded SQLite default has one instance and runs the same engine
// in process (schedule.Engine.Serve).
package riverjobs
