package dedupe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"unsafe"

	"github.com/steward-crm/steward"
)

// trainedIndex returns an index of the first n of records with a model
// trained on them.
func trainedIndex(t testing.TB, records []steward.Record, cfg Config) *Index {
	t.Helper()
	ctx := context.Background()
	ix, err := NewIndex(ctx, records, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ix.Train(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.SetModel(m); err != nil {
		t.Fatal(err)
	}
	return ix
}

// roundTrip writes ix and reads it back with the same settings and model.
func roundTrip(t testing.TB, ix *Index) *Index {
	t.Helper()
	var buf bytes.Buffer
	n, err := ix.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	got, err := ReadIndex(&buf, ix.cfg, ix.model)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// sameIndex fails unless two indexes hold the same records, blocks, term
// frequencies and removed records.
func sameIndex(t testing.TB, want, got *Index) {
	t.Helper()
	if !slices.Equal(ids(want), ids(got)) {
		t.Fatal("ids differ")
	}
	for i := range want.recs {
		if w, g := recOf(want, i), recOf(got, i); !reflect.DeepEqual(w, g) {
			t.Fatalf("record %d: %+v, want %+v", i, g, w)
		}
	}
	if len(want.recs) != len(got.recs) || !reflect.DeepEqual(want.sortKeys, got.sortKeys) {
		t.Fatalf("%d records, want %d, or their sort keys differ", len(got.recs), len(want.recs))
	}
	want.positions()
	got.positions()
	if !reflect.DeepEqual(want.blocks, got.blocks) {
		t.Fatal("blocks differ")
	}
	if want.tfTotal != got.tfTotal || want.tfSquares != got.tfSquares || !reflect.DeepEqual(want.tfCount, got.tfCount) {
		t.Fatal("term frequencies differ")
	}
	if !reflect.DeepEqual(want.removed, got.removed) {
		t.Fatal("removed records differ")
	}
	if !reflect.DeepEqual(want.placeholders, got.placeholders) {
		t.Fatal("placeholders differ")
	}
}

// sameMatches fails unless both indexes answer every query alike.
func sameMatches(t testing.TB, want, got *Index, queries []steward.Record) {
	t.Helper()
	found := 0
	for q := range queries {
		a, err := want.Match(&queries[q])
		if err != nil {
			t.Fatal(err)
		}
		b, err := got.Match(&queries[q])
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("query %d (%s): got %+v, want %+v", q, queries[q].SourceID, b, a)
		}
		found += len(a)
	}
	if found == 0 {
		t.Fatal("no query found a candidate: the comparison proves nothing")
	}
}

func TestIndexRoundTrip(t *testing.T) {
	d := generated(t, 12_000, 21)
	base, added, queries := d.records[:5000], d.records[5000:10_000], d.records[10_000:]
	ix := trainedIndex(t, base, DefaultConfig())

	got := roundTrip(t, ix)
	sameIndex(t, ix, got)
	sameMatches(t, ix, got, queries)

	// Records added before writing are pending in their blocks.
	for i := range added[:300] {
		ix.Add(&added[i])
	}
	got = roundTrip(t, ix)
	sameIndex(t, ix, got)
	sameMatches(t, ix, got, queries)

	// Records added after reading, enough to re-sort the blocks.
	for i := range added[300:] {
		ix.Add(&added[300+i])
		got.Add(&added[300+i])
	}
	sameIndex(t, ix, got)
	sameMatches(t, ix, got, queries)
	sameIndex(t, ix, roundTrip(t, ix))
}

func TestReadIndexSettings(t *testing.T) {
	d := generated(t, 500, 23)
	ix, err := NewIndex(context.Background(), d.records, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	tests := []struct {
		name     string
		cfg      func(*Config)
		mismatch bool
	}{
		{"same", func(*Config) {}, false},
		{"matching settings only", func(c *Config) { c.MaxBlock, c.Window, c.ReviewThreshold = 50, 3, 0.1 }, false},
		{"fewer blocking keys", func(c *Config) { c.Blocking = c.Blocking[1:] }, true},
		{"blocking keys reordered", func(c *Config) { c.Blocking[0], c.Blocking[1] = c.Blocking[1], c.Blocking[0] }, true},
		{"another blocking key", func(c *Config) { c.Blocking = append(c.Blocking[:len(c.Blocking)-1:len(c.Blocking)-1], c.Blocking[0]) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.cfg(&cfg)
			got, err := ReadIndex(bytes.NewReader(file), cfg, nil)
			if tt.mismatch {
				if !errors.Is(err, ErrIndexMismatch) {
					t.Fatalf("ReadIndex = %v, want ErrIndexMismatch", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sameIndex(t, ix, got)
		})
	}

	other := bytes.Clone(file)
	other[len(indexMagic)]++ // the format version
	if _, err := ReadIndex(bytes.NewReader(other), DefaultConfig(), nil); !errors.Is(err, ErrIndexMismatch) {
		t.Fatalf("another format version: %v, want ErrIndexMismatch", err)
	}
}

// TestReadIndexDamaged flips bytes and cuts the file: every change is an
// error, never a panic or an index.
func TestReadIndexDamaged(t *testing.T) {
	d := generated(t, 300, 29)
	ix, err := NewIndex(context.Background(), d.records[:250], DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.records[250:] {
		ix.Add(&d.records[250+i])
	}
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	// Every byte of the header, then ever sparser samples of the body.
	var at []int
	for i := 0; i < len(file); i += max(1, (i-300)/50+1) {
		at = append(at, i)
	}
	at = append(at, len(file)-1)
	damaged := make([]byte, len(file))
	for _, i := range at {
		for _, x := range []byte{0x01, 0x80} {
			copy(damaged, file)
			damaged[i] ^= x
			if _, err := ReadIndex(bytes.NewReader(damaged), DefaultConfig(), nil); err == nil {
				t.Fatalf("byte %d of %d xor %#x: no error", i, len(file), x)
			}
		}
		if _, err := ReadIndex(bytes.NewReader(file[:i]), DefaultConfig(), nil); err == nil || errors.Is(err, ErrIndexMismatch) {
			t.Fatalf("cut at %d of %d: %v, want a damaged file", i, len(file), err)
		}
	}
	if _, err := ReadIndex(bytes.NewReader(append(bytes.Clone(file), 0)), DefaultConfig(), nil); err != nil {
		t.Fatalf("a byte after the index: %v", err)
	}
}

// TestBlockEntryLayout: WriteTo and ReadIndex copy block entries as
// memory on little-endian machines, which holds only while an entry is
// twelve bytes: the hash's low and high halves, then the index.
func TestBlockEntryLayout(t *testing.T) {
	if size := unsafe.Sizeof(blockEntry{}); size != 12 {
		t.Fatalf("blockEntry takes %d bytes, want 12", size)
	}
	es := []blockEntry{entryOf(0x0102030405060708, 0x090a0b0c)}
	if littleEndian() && !bytes.Equal(entryBytes(es), []byte{8, 7, 6, 5, 4, 3, 2, 1, 0x0c, 0x0b, 0x0a, 0x09}) {
		t.Fatalf("entry memory % x", entryBytes(es))
	}
}

// FuzzReadIndex: no input makes ReadIndex panic, and what it accepts
// writes back to the same bytes.
func FuzzReadIndex(f *testing.F) {
	recs := []steward.Record{
		{SourceID: "1", FirstName: "Robert", LastName: "Smith", BirthDate: "1971-06-24", Email: "bob@example.com", AddressLine1: "12 Main St", City: "Springfield", PostalCode: "12345"},
		{SourceID: "2", FirstName: "Bob", LastName: "Smith", BirthDate: "1971-06-24", Phone: "+1 718 368 4934"},
		{SourceID: "3", FirstName: "محمد", LastName: "رضایی", Email: "rezaei@example.ir", Company: "Acme"},
	}
	ix, err := NewIndex(context.Background(), recs[:2], DefaultConfig(), nil)
	if err != nil {
		f.Fatal(err)
	}
	ix.Add(&recs[2])
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(indexMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, file []byte) {
		got, err := ReadIndex(bytes.NewReader(file), DefaultConfig(), nil)
		if err != nil {
			return
		}
		var back bytes.Buffer
		if _, err := got.WriteTo(&back); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(file, back.Bytes()) {
			t.Fatal("an accepted file does not write back to itself")
		}
	})
}

// BenchmarkWriteIndex and BenchmarkReadIndex measure the index cache of
// the import gate on n generated customers; they report the file's size.
func BenchmarkWriteIndex(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ix := benchIndex(b, n)
			b.ReportAllocs()
			var size int64
			for b.Loop() {
				var err error
				if size, err = ix.WriteTo(discard{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size), "file-bytes")
		})
	}
}

func BenchmarkReadIndex(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ix := benchIndex(b, n)
			var buf bytes.Buffer
			if _, err := ix.WriteTo(&buf); err != nil {
				b.Fatal(err)
			}
			ix = nil
			b.ReportAllocs()
			b.ReportMetric(float64(buf.Len()), "file-bytes")
			for b.Loop() {
				if _, err := ReadIndex(bytes.NewReader(buf.Bytes()), DefaultConfig(), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchIndex returns an index of n generated customers, 1% of them added
// after building so that blocks hold pending records too.
func benchIndex(b *testing.B, n int) *Index {
	d := generated(b, n, 31)
	k := n - n/100
	ix, err := NewIndex(context.Background(), d.records[:k], DefaultConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range d.records[k:] {
		ix.Add(&d.records[k+i])
	}
	return ix
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestCityCountsRoundTrip checks that an index file keeps the city counts,
// and that the counts follow Add and Remove as a fresh index's would.
func TestCityCountsRoundTrip(t *testing.T) {
	ctx := context.Background()
	recs := townRecords(50, 10)
	ix, err := NewIndex(ctx, recs[:40], DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs[40:] {
		ix.Add(&recs[40+i])
	}
	ix.Remove(3)
	k := cityTF(t)
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadIndex(&buf, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := NewIndex(ctx, slices.Delete(slices.Clone(recs), 3, 4), DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		ix   *Index
	}{{"written", ix}, {"read", got}, {"fresh", fresh}} {
		if n := len(tt.ix.tfCount[k]); n != 11 {
			t.Errorf("%s: %d cities counted, want 11", tt.name, n)
		}
		if tt.ix.tfTotal[k] != 69 {
			t.Errorf("%s: %d records with a city, want 69", tt.name, tt.ix.tfTotal[k])
		}
		if want := int64(49*49 + 10*4); tt.ix.tfSquares[k] != want {
			t.Errorf("%s: squares %d, want %d", tt.name, tt.ix.tfSquares[k], want)
		}
	}
	var a prepared
	ix.rec(0, &a)
	if n := got.tfOf(&a)[k]; n != 49 {
		t.Errorf("read index: London counted %d times, want 49", n)
	}
}
