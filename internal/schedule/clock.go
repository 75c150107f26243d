package schedule

import "time"

// Clock is the engine's time: the real one in steward serve, a fake one in
// tests.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Wake returns a channel that receives when the clock may have reached
	// t: the engine looks at Now again then, so a clock may wake early
	// (the real one wakes at least every minute, which also notices a
	// machine that slept or a wall clock set forward).
	Wake(t time.Time) <-chan time.Time
}

// RealClock is the system clock.
type RealClock struct{}

// maxSleep is the longest the real clock sleeps before the engine looks at
// the wall clock again.
const maxSleep = time.Minute

// Now implements Clock.
func (RealClock) Now() time.Time { return time.Now() }

// Wake implements Clock.
func (RealClock) Wake(t time.Time) <-chan time.Time {
	return time.After(min(time.Until(t), maxSleep))
}
