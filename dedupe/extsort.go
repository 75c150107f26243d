package dedupe

import (
	"bufio"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"unsafe"
)

// extSorter sorts more fixed-size values than memory should hold: it
// sorts them a buffer at a time into runs in a temporary file, removed as
// soon as it is created, and merges the runs as they are read back. T
// must hold no pointer: its memory is written to the file as it is.
type extSorter[T any] struct {
	f    *os.File
	buf  []T
	cmp  func(a, b T) int
	runs []int64 // where each run starts, in values; then the end
}

// newExtSorter returns a sorter whose temporary file is in dir ("" for
// the system's) and whose buffer holds mem bytes of values.
func newExtSorter[T any](dir string, mem int, cmp func(a, b T) int) (*extSorter[T], error) {
	f, err := unlinkedTemp(dir, "steward-sort-*", "sort file")
	if err != nil {
		return nil, err
	}
	var zero T
	n := max(1024, mem/int(unsafe.Sizeof(zero)))
	return &extSorter[T]{f: f, buf: make([]T, 0, n), cmp: cmp, runs: []int64{0}}, nil
}

// bytesOf returns the memory of vs.
func bytesOf[T any](vs []T) []byte {
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(vs))), len(vs)*int(unsafe.Sizeof(zero)))
}

// add adds vs to the values to sort.
func (s *extSorter[T]) add(vs ...T) error {
	for len(vs) > 0 {
		n := min(len(vs), cap(s.buf)-len(s.buf))
		s.buf = append(s.buf, vs[:n]...)
		vs = vs[n:]
		if len(s.buf) == cap(s.buf) {
			if err := s.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush sorts the buffer and writes it as a run.
func (s *extSorter[T]) flush() error {
	if len(s.buf) == 0 {
		return nil
	}
	slices.SortFunc(s.buf, s.cmp)
	end := s.runs[len(s.runs)-1]
	var zero T
	if _, err := s.f.WriteAt(bytesOf(s.buf), end*int64(unsafe.Sizeof(zero))); err != nil {
		return fmt.Errorf("write sort run: %w", err)
	}
	s.runs = append(s.runs, end+int64(len(s.buf)))
	s.buf = s.buf[:0]
	return nil
}

// merge returns the values in order. The sorter takes no more values; its
// buffer is let go.
func (s *extSorter[T]) merge() (*extMerge[T], error) {
	if err := s.flush(); err != nil {
		return nil, err
	}
	s.buf = nil
	var zero T
	size := int64(unsafe.Sizeof(zero))
	m := &extMerge[T]{cmp: s.cmp}
	for k := range len(s.runs) - 1 {
		r := &extRun[T]{rd: bufio.NewReaderSize(io.NewSectionReader(s.f, s.runs[k]*size, (s.runs[k+1]-s.runs[k])*size), extRunBuffer)}
		ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if ok {
			m.h = append(m.h, r)
		}
	}
	heap.Init(m)
	return m, nil
}

// close closes the sorter's file.
func (s *extSorter[T]) close() error { return s.f.Close() }

// extRunBuffer is the read buffer of each run as runs are merged.
const extRunBuffer = 128 << 10

// extRun reads one sorted run; head is its next value.
type extRun[T any] struct {
	rd   *bufio.Reader
	head T
}

// next reads the run's next value into head, false at its end.
func (r *extRun[T]) next() (bool, error) {
	b := bytesOf(unsafe.Slice(&r.head, 1))
	if _, err := io.ReadFull(r.rd, b); err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, fmt.Errorf("read sort run: %w", err)
	}
	return true, nil
}

// extMerge merges sorted runs: a heap of the runs by their next value.
type extMerge[T any] struct {
	h   []*extRun[T]
	cmp func(a, b T) int
}

func (m *extMerge[T]) Len() int           { return len(m.h) }
func (m *extMerge[T]) Less(i, j int) bool { return m.cmp(m.h[i].head, m.h[j].head) < 0 }
func (m *extMerge[T]) Swap(i, j int)      { m.h[i], m.h[j] = m.h[j], m.h[i] }
func (m *extMerge[T]) Push(x any)         { m.h = append(m.h, x.(*extRun[T])) }
func (m *extMerge[T]) Pop() any {
	r := m.h[len(m.h)-1]
	m.h = m.h[:len(m.h)-1]
	return r
}

// peek returns the next value without taking it; false at the end.
func (m *extMerge[T]) peek() (T, bool) {
	if len(m.h) == 0 {
		var zero T
		return zero, false
	}
	return m.h[0].head, true
}

// next takes the next value; false at the end.
func (m *extMerge[T]) next() (T, bool, error) {
	if len(m.h) == 0 {
		var zero T
		return zero, false, nil
	}
	r := m.h[0]
	v := r.head
	ok, err := r.next()
	if err != nil {
		return v, false, err
	}
	if ok {
		heap.Fix(m, 0)
	} else {
		heap.Pop(m)
	}
	return v, true, nil
}

// unlinkedTemp creates a temporary file in dir ("" for the system's) and
// removes its name at once: the open file stays usable, and nothing is
// left behind whatever happens to the process. what names the file in
// errors.
func unlinkedTemp(dir, pattern, what string) (*os.File, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return f, nil
}
