package importer

import (
	"bytes"
	"context"
	"testing"

	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// TestMatchersWaitForWriter: the matchers match no further than
// matchAhead chunks past the row the writer came to, so that the
// candidates of a large file never all wait in memory for a slow writer;
// each row the writer reaches lets them go on.
func TestMatchersWaitForWriter(t *testing.T) {
	const chunks = matchAhead + 4
	n := chunks * matchChunk
	rd, err := records.NewReader(bytes.NewReader(generatedCSV(t, n, 5, "shop", "s")), records.Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := records.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Source: "shop"}
	if err := opts.setDefaults(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	snap, err := loadSnapshot(ctx, storetest.SQLite(t), &opts)
	if err != nil {
		t.Fatal(err)
	}
	tb := &table{}
	for i := range recs {
		_, m := tb.rows.add(i + 1)
		m.fpos = int32(i)
		tb.keys = append(tb.keys, dedupe.Prepare(&recs[i]))
	}
	m := startMatching(ctx, tb, snap, nil, &opts)
	defer m.stop()
	<-m.done[matchAhead-1]
	taken := func() int {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.next
	}
	if got := taken(); got != matchAhead {
		t.Fatalf("matchers took %d chunks before the writer came to any row, want %d", got, matchAhead)
	}
	// The writer comes to the first row of the third chunk.
	m.reach(tb.rows.at(2 * matchChunk))
	<-m.done[matchAhead+2]
	if got := taken(); got != matchAhead+3 {
		t.Fatalf("matchers took %d chunks with the writer in chunk 2, want %d", got, matchAhead+3)
	}
	if m.help() {
		t.Error("the writer's help took a chunk past the limit")
	}
}
