package dedupe

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

// ids returns the ids of ix's records.
func ids(ix *Index) []string {
	out := make([]string, ix.Len())
	for i := range out {
		out[i] = ix.id(int32(i))
	}
	return out
}

// recOf returns record i of ix.
func recOf(ix *Index, i int) prepared {
	var p prepared
	ix.rec(int32(i), &p)
	return p
}

// recsOf returns the records of ix.
func recsOf(ix *Index) []prepared {
	out := make([]prepared, ix.Len())
	for i := range out {
		out[i] = recOf(ix, i)
	}
	return out
}

// pointerFields lists the parts of typ that hold a pointer.
func pointerFields(typ reflect.Type, path string) []string {
	switch typ.Kind() {
	case reflect.Struct:
		var out []string
		for f := range typ.Fields() {
			out = append(out, pointerFields(f.Type, path+"."+f.Name)...)
		}
		return out
	case reflect.Array:
		return pointerFields(typ.Elem(), path+"[]")
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return nil
	}
	return []string{path + " (" + typ.Kind().String() + ")"}
}

// TestStoredHoldsNoPointer: the index's records must give the garbage
// collector nothing to scan.
func TestStoredHoldsNoPointer(t *testing.T) {
	if got := pointerFields(reflect.TypeFor[stored](), "stored"); len(got) > 0 {
		t.Fatalf("stored holds pointers: %v", got)
	}
	probe := struct {
		n  int
		ss [2]string
		m  map[int]int
	}{}
	if got := pointerFields(reflect.TypeOf(probe), "probe"); len(got) != 2 {
		t.Fatalf("pointerFields finds %v in a struct with a string array and a map", got)
	}
}

// TestStoredLayout: index files hold a stored record's memory on
// little-endian machines, which holds only while it is appendStored's
// layout: 64 bytes, the padding byte last.
func TestStoredLayout(t *testing.T) {
	if storedSize != 64 {
		t.Fatalf("stored takes %d bytes, want 64", storedSize)
	}
	s := stored{chunk: 0x01020304, off: 0x05060708, idLen: 0x090a0b0c, firstFormal: [maxFormal]uint32{0x0d0e0f10, 0x11121314, 0x15161718, 0x191a1b1c},
		dob: date{y: 0x1d1e, m: 0x1f, d: 0x20}, emailAt1: 0x2122, flags: 0x23}
	for k := range s.lens {
		s.lens[k] = uint16(0x2400 + k)
	}
	file := appendStored(nil, &s)
	if len(file) != storedSize || file[storedSize-1] != 0 {
		t.Fatalf("file layout of %d bytes, last %#x", len(file), file[len(file)-1])
	}
	if back, ok := decodeStored(file); !ok || back != s {
		t.Fatalf("decodeStored gives %+v, %v; want %+v", back, ok, s)
	}
	if mem := storedBytes([]stored{s}); littleEndian() && !bytes.Equal(mem, file) {
		t.Fatalf("memory % x\nfile   % x", mem, file)
	}
}

// TestStoredRecordsArePrepared: every way of filling an index keeps each
// record's match keys and id as prepare and the record give them.
func TestStoredRecordsArePrepared(t *testing.T) {
	d := generated(t, 3000, 67)
	recs := d.records
	ix, err := NewIndex(context.Background(), recs[:2000], DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs[2000:2500] {
		ix.Add(&recs[2000+i])
	}
	var more []*steward.Record
	for i := range recs[2500:] {
		more = append(more, &recs[2500+i])
	}
	if _, err := ix.AddAll(context.Background(), more); err != nil {
		t.Fatal(err)
	}
	check := func(ix *Index) {
		t.Helper()
		for i := range recs {
			if got, want := recOf(ix, i), ix.prepareQuery(&recs[i]); !reflect.DeepEqual(got, want) {
				t.Fatalf("record %d: %+v, want %+v", i, got, want)
			}
			if got := ix.id(int32(i)); got != recs[i].SourceID {
				t.Fatalf("record %d: id %q, want %q", i, got, recs[i].SourceID)
			}
			r := recOf(ix, i)
			for o, want := range sortKeysOf(&r) {
				if got := ix.sortKeys[o][i]; got != want {
					t.Fatalf("record %d: sort key %d %x, want %x", i, o, got, want)
				}
			}
		}
	}
	check(ix)
	check(roundTrip(t, ix))
}

// TestTextChunks: an index file's text is read into chunks of at most the
// limit, the records' chunks and offsets as the writer placed them; a
// reader that would place them otherwise finds the file damaged.
func TestTextChunks(t *testing.T) {
	d := generated(t, 2000, 71)
	ix := trainedIndex(t, d.records[:1500], DefaultConfig())
	for i := range d.records[1500:1600] {
		ix.Add(&d.records[1500+i])
	}
	const limit = 4000
	var buf bytes.Buffer
	if _, err := ix.writeIndex(&buf, limit); err != nil {
		t.Fatal(err)
	}
	got, err := readIndex(bytes.NewReader(buf.Bytes()), &ix.cfg, limit)
	if err != nil {
		t.Fatal(err)
	}
	got.model = ix.model
	if len(got.text) < 20 {
		t.Fatalf("%d chunks of at most %d bytes", len(got.text), limit)
	}
	for c, chunk := range got.text {
		if len(chunk) > limit {
			t.Fatalf("chunk %d of %d bytes, limit %d", c, len(chunk), limit)
		}
	}
	sameIndex(t, ix, got)
	sameMatches(t, ix, got, d.records[1600:])
	if _, err := readIndex(bytes.NewReader(buf.Bytes()), &ix.cfg, 2*limit); err == nil {
		t.Fatal("a file read with another chunk limit gives no error")
	}
}

// TestLongMatchKeys: match keys are cut to maxKeyLen bytes, before a
// character that would not fit whole, so two records whose names differ
// only past the cut match as if their names were the same, in an index
// added to and read back.
func TestLongMatchKeys(t *testing.T) {
	long := strings.Repeat("и", 40_000) // two bytes each
	a := steward.Record{SourceID: "long-1", FirstName: "Robert", LastName: long + "a", BirthDate: "1971-06-24", Email: "bob@example.com", City: "Springfield"}
	b := a
	b.SourceID, b.LastName = "long-2", long+"b"
	p := prepare(&a)
	if len(p.last) != maxKeyLen-1 || !strings.HasPrefix(long, p.last) {
		t.Fatalf("last name key of %d bytes, want the first %d bytes of the name", len(p.last), maxKeyLen-1)
	}
	ix := trainedIndex(t, generated(t, 2000, 73).records, DefaultConfig())
	i := ix.Add(&a)
	for _, ix := range []*Index{ix, roundTrip(t, ix)} {
		if !reflect.DeepEqual(recOf(ix, i), p) {
			t.Fatal("the stored record differs from the prepared one")
		}
		got, err := ix.Match(&b)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[0].Index != i || got[0].ID != a.SourceID {
			t.Fatalf("Match gives %+v, want record %d first", got, i)
		}
		level := ""
		for _, f := range got[0].Explanation {
			if f.Field == "last_name" {
				level = f.Level
			}
		}
		if level != LevelExact {
			t.Fatalf("last names compare as %q, want %q", level, LevelExact)
		}
	}
}
