package schedule

import (
	"fmt"
	"testing"
	"time"
)

// TestDaylightSavingOncePerDay: in zones with and without daylight saving,
// a daily schedule at any time of the night fires exactly once on every
// local day of a year.
func TestDaylightSavingOncePerDay(t *testing.T) {
	for _, zone := range []string{"America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Tehran", "Europe/London"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Skipf("no time zone data: %v", err)
		}
		for _, at := range []string{"0 0", "30 0", "0 1", "30 1", "0 2", "30 2", "59 2", "0 3", "30 3"} {
			expr := fmt.Sprintf("CRON_TZ=%s %s * * *", zone, at)
			s := DaylightSaving(spec(t, expr))
			from := time.Date(2026, 1, 1, 12, 0, 0, 0, loc)
			to := time.Date(2027, 1, 1, 12, 0, 0, 0, loc)
			days := map[string]int{}
			for _, x := range Times(s, from, to, 1000) {
				days[x.In(loc).Format(time.DateOnly)]++
			}
			for d := from.AddDate(0, 0, 1); d.Before(to); d = d.AddDate(0, 0, 1) {
				if n := days[d.Format(time.DateOnly)]; n != 1 {
					t.Errorf("%s: %d runs on %s, want 1", expr, n, d.Format(time.DateOnly))
				}
			}
		}
	}
}
