package storetest

import (
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// CheckTimesOnce checks the runs of a schedule that fires every step, as
// several instances sharing a database left them (latest first, as
// ScheduleRuns lists them): each time recorded once, none missing between
// the first and the last, and each run succeeded or skipped (or failed
// when failedOK: stopped by the end of the test while it ran). It returns
// how many succeeded and the runs per instance.
func CheckTimesOnce(t testing.TB, runs []*steward.ScheduleRun, step time.Duration, failedOK bool) (succeeded int, by map[string]int) {
	t.Helper()
	seen := map[time.Time]bool{}
	by = map[string]int{}
	for _, r := range runs {
		if seen[r.ScheduledAt] {
			t.Errorf("time %s recorded twice", r.ScheduledAt)
		}
		seen[r.ScheduledAt] = true
		by[r.Instance]++
		switch {
		case r.Status == steward.ScheduleSucceeded:
			succeeded++
		case r.Status == steward.ScheduleSkipped, r.Status == steward.ScheduleFailed && failedOK:
		default:
			t.Errorf("run at %s: %s %s", r.ScheduledAt, r.Status, r.Error)
		}
	}
	if len(runs) == 0 {
		return succeeded, by
	}
	first, last := runs[len(runs)-1].ScheduledAt, runs[0].ScheduledAt
	for at := first; !at.After(last); at = at.Add(step) {
		if !seen[at] {
			t.Errorf("time %s has no run", at)
		}
	}
	return succeeded, by
}
