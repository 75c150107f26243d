// Package progress shows the progress of long work: a redrawn bar with rate
// and ETA on a terminal, and periodic counts in the log otherwise.
package progress

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
)

// Bar reports progress of one piece of work. It is safe for concurrent use.
// A nil *Bar does nothing, so callers need not check.
type Bar struct {
	mu       sync.Mutex
	label    string
	total    int64 // 0 when unknown
	done     int64
	start    time.Time
	last     time.Time
	w        io.Writer    // terminal, or nil
	logger   *slog.Logger // used when w is nil
	every    time.Duration
	now      func() time.Time
	finished bool
	how      string // "finished" or "stopped", once finished
	bytes    bool   // the units are bytes
	note     string // what the stage is busy with besides its count
}

// New starts a progress report for label with total units (0 if unknown).
// When terminal is true the bar is drawn on w; otherwise counts are logged
// to logger every few seconds (logger may be nil to stay silent).
func New(label string, total int64, w io.Writer, terminal bool, logger *slog.Logger) *Bar {
	b := &Bar{label: label, total: total, logger: logger, now: time.Now}
	if terminal {
		b.w = w
		b.every = 100 * time.Millisecond
	} else {
		b.every = 5 * time.Second
	}
	b.start = b.now()
	b.last = b.start
	return b
}

// Add records n more units done.
func (b *Bar) Add(n int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	b.redraw()
}

// redraw renders the report if it was last rendered long enough ago;
// b.mu is held.
func (b *Bar) redraw() {
	if t := b.now(); t.Sub(b.last) >= b.every {
		b.last = t
		b.render(t, false)
	}
}

// Note says what the stage is busy with while its count stands still
// (work the count does not measure, such as building an index before the
// first row can be written); "" clears it. It is shown after the count on
// a terminal and as "note" in the log, at most as often as counts are.
func (b *Bar) Note(note string) { b.setNote(note, false) }

// Phase is Note for a change of what the stage is busy with, rare enough
// to be shown at once (in the log too) rather than at the next redraw.
func (b *Bar) Phase(note string) { b.setNote(note, true) }

func (b *Bar) setNote(note string, now bool) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.note = note
	if now {
		b.last = time.Time{} // long enough ago
	}
	b.redraw()
}

// Stage moves the report on to the next stage of the work: label and
// total (0 if unknown) replace the old ones, the count starts from zero
// and the clock again, so the rate and the ETA shown are the new stage's
// own. On a terminal the last line of the stage before stays; in the log
// it is the stage's final line.
func (b *Bar) Stage(label string, total int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.now()
	if b.done > 0 || b.total > 0 {
		b.how = "finished"
		b.render(t, true)
	}
	b.label, b.total, b.done, b.bytes, b.note = label, total, 0, false, ""
	b.start, b.last = t, t
	b.render(t, false)
}

// SetTotal changes the expected total, for work whose size is learnt late.
func (b *Bar) SetTotal(total int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.total = total
	b.mu.Unlock()
}

// Done finishes the report of work that is done: the final line on a
// terminal, a final log line otherwise. Calling it (or Abort) again is
// harmless.
func (b *Bar) Done() { b.end("finished") }

// Abort finishes the report of work that failed or was interrupted, saying
// so ("stopped") instead of "finished".
func (b *Bar) Abort() { b.end("stopped") }

func (b *Bar) end(how string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	b.how = how
	b.render(b.now(), true)
}

func (b *Bar) render(t time.Time, final bool) {
	elapsed := t.Sub(b.start)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(b.done) / s
	}
	if b.w == nil {
		if b.logger != nil {
			args := []any{"done", b.done, "per_second", int64(rate), "elapsed", elapsed.Round(time.Millisecond).String()}
			if b.total > 0 {
				args = append(args, "total", b.total)
			}
			if b.note != "" && !final {
				args = append(args, "note", b.note)
			}
			msg := b.label
			if final {
				msg += " " + b.how
			}
			b.logger.Info(msg, args...)
		}
		return
	}
	var line string
	if b.total > 0 {
		frac := float64(b.done) / float64(b.total)
		if frac > 1 {
			frac = 1
		}
		const width = 30
		filled := int(frac * width)
		eta := "--"
		if rate > 0 && b.done < b.total {
			eta = time.Duration(float64(b.total-b.done) / rate * float64(time.Second)).Round(time.Second).String()
		} else if b.done >= b.total {
			eta = "0s"
		}
		line = fmt.Sprintf("\r%s [%s%s] %s/%s %3.0f%% %s/s ETA %s", b.label,
			strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
			b.amount(b.done), b.amount(b.total), frac*100, b.amount(int64(rate)), eta)
	} else {
		line = fmt.Sprintf("\r%s %s done %s/s %s", b.label, b.amount(b.done), b.amount(int64(rate)), elapsed.Round(time.Second))
	}
	if b.note != "" && !final {
		line += " (" + b.note + ")"
	}
	fmt.Fprint(b.w, line+"\x1b[K")
	if final {
		if b.how != "finished" {
			fmt.Fprint(b.w, " "+b.how)
		}
		fmt.Fprintln(b.w)
	}
}

// InBytes says that the units of the current stage are bytes, shown as
// "12 MiB"; it returns b.
func (b *Bar) InBytes() *Bar {
	if b != nil {
		b.mu.Lock()
		b.bytes = true
		b.mu.Unlock()
	}
	return b
}

// amount formats n units for the bar.
func (b *Bar) amount(n int64) string {
	if b.bytes {
		return humanize.IBytes(uint64(max(n, 0)))
	}
	return strconv.FormatInt(n, 10)
}

// Count returns the units done so far.
func (b *Bar) Count() int64 {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.done
}
