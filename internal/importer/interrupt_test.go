package importer

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// endlessRows serves a CSV file of ever more rows; once it has served
// cancelAt bytes it cancels the import's context, and then counts what it
// serves (up to most, after which the file ends).
type endlessRows struct {
	buf              []byte
	n, served, after int
	cancelAt, most   int
	cancel           context.CancelFunc
}

func (e *endlessRows) Read(p []byte) (int, error) {
	if e.served >= e.cancelAt && e.cancel != nil {
		e.cancel()
		e.cancel = nil
	}
	if e.cancel == nil && e.after >= e.most {
		return 0, errEndOfTest
	}
	for len(e.buf) < len(p) {
		e.n++
		i := strconv.Itoa(e.n)
		e.buf = append(e.buf, "r"+i+",Person"+i+",Family"+i+",p"+i+"@example.com\n"...)
	}
	k := copy(p, e.buf)
	e.buf = e.buf[:copy(e.buf, e.buf[k:])]
	e.served += k
	if e.cancel == nil {
		e.after += k
	}
	return k, nil
}

var errEndOfTest = errors.New("the test's file ends here")

// TestInterruptStopsReading: an import interrupted while it reads a large
// file stops reading it (within the reader's buffers) and reports the
// interruption, instead of parsing the rest of the file first.
func TestInterruptStopsReading(t *testing.T) {
	st := storetest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := &endlessRows{buf: []byte("id,first_name,last_name,email\n"), cancelAt: 5 << 20, most: 256 << 20, cancel: cancel}
	_, err := Import(ctx, st, in, Options{FileOptions: records.FileOptions{Name: "endless.csv"}, Source: "shop"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("import of an interrupted file: %v, want the interruption", err)
	}
	if in.after > 16<<20 {
		t.Errorf("read %d MiB of the file after the interruption", in.after>>20)
	}
}
