// Package jobs runs steward's scheduled work (standardize, verify-emails,
// dedupe) as recorded job runs: each run is stored with its start, end,
// status, counts and error; a job never runs twice at once (the store
// enforces it across processes); progress is checkpointed so that a run
// stopped by a crash, a kill or a cancellation resumes where it stopped.
package jobs
