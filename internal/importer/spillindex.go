package importer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"

	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/progress"
)

// externalSortMemory is the memory each of the external index's sorts
// holds (dedupe.NewExternalIndex).
const externalSortMemory = 64 << 20

// externalIndex builds the external duplicate index of the rows matched
// against the file (queries, their indexes in rows, by position: the new
// rows, indexed, and the updates) from the rows as they wait in the
// spill, its temporary files beside the spill's.
func externalIndex(ctx context.Context, sp *spill, rows *rowTable, queries []int32, db *dedupe.Index, opts *Options) (*dedupe.ExternalIndex, error) {
	rd := &spillReaders{sp: sp, rows: rows, at: queries, cursors: make(map[int]*spillCursor)}
	note := indexingNote(opts.Progress, len(queries), "sorting similar rows together on disk (can take minutes)")
	defer opts.Progress.Note("")
	x, err := dedupe.NewExternalIndex(ctx, len(queries), opts.Matching, opts.Model, db, opts.SpillDir, externalSortMemory, func(i int) (dedupe.Prepared, bool) {
		note()
		return rd.prepared(i), rows.at(queries[i]).fpos >= 0
	})
	if err == nil && rd.err != nil {
		x.Close()
		err = rd.err
	}
	if err != nil {
		return nil, externalIndexError(opts.SpillDir, err)
	}
	return x, nil
}

// externalIndexError says what an admin can do about a file error of the
// file's index on disk (its records, sorted blocks and pairs take several
// times the file's size); other errors (an interruption) pass unchanged.
func externalIndexError(dir string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	if dir == "" {
		dir = os.TempDir()
	}
	return fmt.Errorf("keep the file's duplicate index on disk in %s: %w (a file of more than a million rows needs several times its own size free there: free some space, or point TMPDIR elsewhere); nothing was imported", dir, err)
}

// spilledIndex builds the duplicate index of the file's new rows (news,
// their indexes in rows, by position) from the rows as they wait in the spill, preparing each one's
// match keys again as the index takes it: the keys of a large file never
// all stay in memory at once, only the index built from them does. It is
// the index dedupe.NewIndexPrepared builds from the keys the checker
// computed (the same records, in the same order).
func spilledIndex(ctx context.Context, sp *spill, rows *rowTable, news []int32, opts *Options) (*dedupe.Index, error) {
	rd := &spillReaders{sp: sp, rows: rows, at: news, cursors: make(map[int]*spillCursor)}
	note := indexingNote(opts.Progress, len(news), "grouping similar rows (can take minutes)")
	defer opts.Progress.Note("")
	ix, err := dedupe.NewIndexFunc(ctx, len(news), opts.Matching, opts.Model, func(i int) dedupe.Prepared {
		note()
		return rd.prepared(i)
	})
	if err == nil {
		err = rd.err
	}
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// indexingNote returns a function the index calls once per row it reads
// back from the spill (on several goroutines), which tells the progress
// report how far the file's index has come: the import's count of rows
// written stands still until the index is built, minutes at ten million
// rows. Once every row is read the note says what the index does next
// (then), at once.
func indexingNote(bar *progress.Bar, n int, then string) func() {
	var read atomic.Int64
	return func() {
		k := read.Add(1)
		switch {
		case k == int64(n):
			bar.Phase("finding duplicates within the file: " + then)
		case k%65536 == 0:
			bar.Note(fmt.Sprintf("finding duplicates within the file: %d of %d rows prepared", k, n))
		}
	}
}

// spillReaders read the new rows back from the spill for the index, which
// asks for them in runs of consecutive positions on several goroutines:
// each run reads on with the cursor the previous position left.
type spillReaders struct {
	sp   *spill
	rows *rowTable
	// at are the indexes in rows of the rows asked for, by position.
	at []int32
	mu sync.Mutex
	// cursors holds the idle cursors by the position each would read
	// next.
	cursors map[int]*spillCursor
	err     error
}

// spillIndexBuffer is the read buffer of one cursor of spillReaders.
const spillIndexBuffer = 64 << 10

// prepared returns the match keys of new row i; after a read error, empty
// keys, the error kept for spilledIndex.
func (rd *spillReaders) prepared(i int) dedupe.Prepared {
	off := rd.rows.at(rd.at[i]).off
	rd.mu.Lock()
	c := rd.cursors[i]
	delete(rd.cursors, i)
	failed := rd.err != nil
	rd.mu.Unlock()
	if failed {
		return dedupe.Prepared{}
	}
	if c == nil {
		c = rd.sp.cursorAt(off, spillIndexBuffer)
	}
	rr, _, err := c.read(off)
	rd.mu.Lock()
	if err != nil {
		if rd.err == nil {
			rd.err = err
		}
		rd.mu.Unlock()
		return dedupe.Prepared{}
	}
	if i+1 < len(rd.at) {
		rd.cursors[i+1] = c
	}
	// A cursor left where no run starts (the next run began on another
	// goroutine first) is never asked for again: let it go.
	for k := range rd.cursors {
		if k < i-4096 {
			delete(rd.cursors, k)
		}
	}
	rd.mu.Unlock()
	return dedupe.Prepare(&rr.Record)
}
