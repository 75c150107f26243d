package progress

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestBarTerminalDrawsRateAndPercent(t *testing.T) {
	var buf bytes.Buffer
	b := New("import", 200, &buf, true, nil)
	clock := b.start
	b.now = func() time.Time { return clock }
	clock = clock.Add(time.Second)
	b.Add(100)
	if got := buf.String(); !strings.Contains(got, "100/200") || !strings.Contains(got, " 50%") || !strings.Contains(got, "100/s") {
		t.Fatalf("bar after half: %q", got)
	}
	clock = clock.Add(time.Second)
	b.Add(100)
	b.Done()
	if got := buf.String(); !strings.HasSuffix(got, "\n") || !strings.Contains(got, "200/200") {
		t.Fatalf("final bar: %q", got)
	}
}

func TestBarLogsCountsWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	b := New("dedupe", 0, nil, false, logger)
	clock := b.start
	b.now = func() time.Time { return clock }
	b.Add(10) // within the interval: nothing logged
	if buf.Len() != 0 {
		t.Fatalf("logged too early: %q", buf.String())
	}
	clock = clock.Add(6 * time.Second)
	b.Add(20)
	b.Done()
	out := buf.String()
	if !strings.Contains(out, "msg=dedupe done=30") || !strings.Contains(out, `msg="dedupe finished" done=30`) {
		t.Fatalf("log: %q", out)
	}
}

func TestNilBarIsSafe(t *testing.T) {
	var b *Bar
	b.Add(1)
	b.SetTotal(3)
	b.Done()
}
