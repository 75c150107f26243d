package importer

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/internal/progress"
)

// TestIndexingNoteSaysHowFar: while the file's index reads its rows back
// from the spill (minutes at ten million rows, with the count of rows
// written standing still), the progress report says how far it has come
// and, once every row is read, what it does next.
func TestIndexingNoteSaysHowFar(t *testing.T) {
	var term bytes.Buffer
	bar := progress.New("import", 200000, &term, true, nil)
	note := indexingNote(bar, 200000, "sorting similar rows together on disk (can take minutes)")
	for range 65535 {
		note()
	}
	time.Sleep(150 * time.Millisecond) // the bar redraws at most every 100 ms
	note()
	if got := term.String(); !strings.Contains(got, "(finding duplicates within the file: 65536 of 200000 rows prepared)") {
		t.Fatalf("after 65,536 of 200,000 rows: %q", got)
	}
	for range 200000 - 65536 - 1 {
		note()
	}
	time.Sleep(150 * time.Millisecond)
	note()
	if got := term.String(); !strings.Contains(got, "(finding duplicates within the file: sorting similar rows together on disk (can take minutes))") {
		t.Fatalf("after every row: %q", got)
	}
}
