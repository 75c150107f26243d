package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle slows down guessing: each key (a user name, a client address)
// may fail Burst times at once, then once every Every; a key over its
// budget is refused without checking anything until it has earned an
// attempt back. Successes cost nothing. It is safe for concurrent use.
type Throttle struct {
	// Every is how often a key earns back one attempt; Burst how many it
	// can hold.
	Every time.Duration
	Burst int
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

// NewThrottle returns a Throttle of burst attempts, one more each every.
func NewThrottle(burst int, every time.Duration) *Throttle {
	return &Throttle{Every: every, Burst: burst}
}

func (t *Throttle) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// limiter returns key's limiter, making it when needed; t.mu is held.
func (t *Throttle) limiter(key string, now time.Time) *rate.Limiter {
	if t.keys == nil {
		t.keys = make(map[string]*rate.Limiter)
	}
	l, ok := t.keys[key]
	if !ok {
		// Keys that earned all their attempts back say nothing any more:
		// dropping them keeps the map as small as the keys under attack.
		if len(t.keys) >= 4096 {
			for k, o := range t.keys {
				if o.TokensAt(now) >= float64(t.Burst) {
					delete(t.keys, k)
				}
			}
		}
		l = rate.NewLimiter(rate.Every(t.Every), t.Burst)
		t.keys[key] = l
	}
	return l
}

// Wait returns how long the keys must wait before their next attempt: 0
// when every one of them may try now.
func (t *Throttle) Wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range keys {
		l, ok := t.keys[k]
		if !ok {
			continue
		}
		if tokens := l.TokensAt(now); tokens < 1 {
			wait = max(wait, time.Duration((1-tokens)*float64(t.Every)))
		}
	}
	return wait
}

// Fail spends one attempt of every key.
func (t *Throttle) Fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, k := range keys {
		t.limiter(k, now).AllowN(now, 1)
	}
}
