package schedule

import (
	"time"

	"github.com/robfig/cron/v3"
)

// DaylightSaving wraps a cron schedule so that, in a zone with
// daylight-saving time, a schedule at fixed times runs once on every day
// (as Vixie cron does), where robfig/cron alone skips a time the clocks
// jump over and runs twice a time they repeat:
//
//   - a time that does not exist because the clocks go forward (02:30 when
//     02:00 becomes 03:00) runs at the moment of the jump;
//   - a time that happens twice because the clocks go back (01:30 when
//     02:00 becomes 01:00) runs at its first occurrence only, when the
//     schedule names its hours; one that runs every hour runs in both.
//
// Other schedules (@every, UTC, zones without daylight saving) are
// returned as they are.
func DaylightSaving(s cron.Schedule) cron.Schedule {
	spec, ok := s.(*cron.SpecSchedule)
	if !ok || spec.Location == nil || spec.Location == time.UTC {
		return s
	}
	return &dstSchedule{spec: spec}
}

type dstSchedule struct {
	spec *cron.SpecSchedule
}

// starBit is robfig/cron's mark of a field written as "*".
const starBit = 1 << 63

// Next implements cron.Schedule.
func (d *dstSchedule) Next(t time.Time) time.Time {
	loc := d.spec.Location
	n := d.spec.Next(t)
	if n.IsZero() {
		return n
	}
	_, before := t.In(loc).Zone()
	_, after := n.In(loc).Zone()
	if after > before {
		// The clocks went forward between t and n: would a time in the
		// hour they skipped have fired?
		jump := transition(t, n, loc)
		gap := time.Duration(after-before) * time.Second
		fixed := *d.spec
		fixed.Location = time.FixedZone("", before)
		if v := fixed.Next(jump.Add(-time.Nanosecond)); !v.IsZero() && v.Before(jump.Add(gap)) && jump.Before(n) {
			return jump
		}
	}
	if d.spec.Hour&starBit == 0 {
		// A fixed-hour time in the hour the clocks repeat runs once: skip
		// its second occurrence.
		for i := 0; i < 2; i++ {
			_, off := n.In(loc).Zone()
			_, offEarlier := n.Add(-time.Hour).In(loc).Zone()
			if offEarlier <= off {
				break
			}
			first := n.Add(-time.Duration(offEarlier-off) * time.Second)
			if first.In(loc).Format("15:04:05") != n.In(loc).Format("15:04:05") {
				break
			}
			n = d.spec.Next(n)
		}
	}
	return n
}

// transition returns the first instant in (a, b] whose offset in loc
// differs from a's.
func transition(a, b time.Time, loc *time.Location) time.Time {
	_, off := a.In(loc).Zone()
	lo, hi := a, b
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if _, o := mid.In(loc).Zone(); o == off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi.Truncate(time.Second)
}
