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
	if got := buf.String(); !strings.Contains(got, "100/200") || !strings.Contains(got, " 50%") || !strings.Contains(got, "100/s") || !strings.Contains(got, "ETA 1s") {
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

// TestAbortSaysStopped: work that failed is reported as stopped, never as
// finished, on a terminal and in the log.
func TestAbortSaysStopped(t *testing.T) {
	var term, log bytes.Buffer
	New("import", 10, &term, true, nil).Abort()
	b := New("import", 10, nil, false, slog.New(slog.NewTextHandler(&log, nil)))
	b.Abort()
	b.Done() // after Abort: nothing more
	if !strings.Contains(term.String(), "stopped") || !strings.Contains(log.String(), `msg="import stopped"`) || strings.Contains(log.String(), "finished") {
		t.Errorf("terminal %q, log %q: want stopped, not finished", term.String(), log.String())
	}
}

// TestStagesAndBytes: each stage has its own count, rate and ETA; bytes
// read in human units.
func TestStagesAndBytes(t *testing.T) {
	var buf bytes.Buffer
	b := New("read", 4<<20, &buf, true, nil).InBytes()
	clock := b.start
	b.now = func() time.Time { return clock }
	clock = clock.Add(time.Second)
	b.Add(1 << 20)
	if got := buf.String(); !strings.Contains(got, "1.0 MiB/4.0 MiB") || !strings.Contains(got, "ETA 3s") {
		t.Fatalf("bytes stage: %q", got)
	}
	clock = clock.Add(time.Second)
	b.Stage("import", 1000)
	clock = clock.Add(2 * time.Second)
	b.Add(500)
	if got := buf.String(); !strings.Contains(got, "\n") || !strings.Contains(got, "import [") || !strings.Contains(got, "500/1000") || !strings.Contains(got, "250/s ETA 2s") {
		t.Fatalf("second stage: %q", got)
	}
}

// TestNoteShowsWhileCountStandsStill: a stage busy with work its count
// does not measure says so, on a terminal and in the log, and the note
// goes with the stage; a phase shows at once, between redraws.
func TestNoteShowsWhileCountStandsStill(t *testing.T) {
	var term, log bytes.Buffer
	tb := New("import", 100, &term, true, nil)
	lb := New("import", 100, nil, false, slog.New(slog.NewTextHandler(&log, nil)))
	for _, b := range []*Bar{tb, lb} {
		clock := b.start
		b.now = func() time.Time { return clock }
		clock = clock.Add(10 * time.Second)
		b.Note("indexing the file: 40/100 rows")
		clock = clock.Add(time.Millisecond)
		b.Phase("indexing the file: sorting")
		clock = clock.Add(10 * time.Second)
		b.Note("")
		clock = clock.Add(10 * time.Second)
		b.Add(1)
	}
	if got := term.String(); !strings.Contains(got, "0/100") || !strings.Contains(got, "(indexing the file: 40/100 rows)") {
		t.Errorf("terminal: %q, want the note after the count", got)
	}
	if got := log.String(); !strings.Contains(got, `note="indexing the file: 40/100 rows"`) || !strings.Contains(got, `note="indexing the file: sorting"`) {
		t.Errorf("log: %q, want the note", got)
	}
	if last := term.String()[strings.LastIndex(term.String(), "\r"):]; strings.Contains(last, "indexing") {
		t.Errorf("terminal's last line %q: the cleared note still shows", last)
	}
	if lines := strings.Split(strings.TrimSpace(log.String()), "\n"); strings.Contains(lines[len(lines)-1], "note=") {
		t.Errorf("log's last line %q: the cleared note still shows", lines[len(lines)-1])
	}
}
