package dedupe

import (
	"fmt"
	"unsafe"
)

// maxKeyLen is the longest match key an index keeps, in bytes: a stored
// record holds each key's length in 16 bits. prepare cuts a longer key at
// a character boundary, so that an incoming record and an indexed one are
// cut alike and compare on their first 65,535 bytes; no name, address or
// email comes near it.
const maxKeyLen = 1<<16 - 1

// maxIDLen is the longest record id an index holds, in bytes, so that a
// record's text always fits the 32-bit offsets of its chunk.
const maxIDLen = 1 << 31

// maxChunk is the size from which the records' text goes on in a new
// chunk; only a record larger than it has a chunk larger than it.
const maxChunk = 1 << 30

// Positions of the string match keys in keyFields and stored.lens: the
// keys comparePerson reads first, so that a pair it rules out reads the
// start of the record's text only.
const (
	keyFirst = iota
	keyLast
	keyFirstPhonetic
	keyLastPhonetic
	keyEmail
	keyNationalID
	keyPhone
	keyStreet
	keyHouse
	keyCity
	keyPostal
	keyRegion
	keyCountry
	keyCompany
	numKeys
)

// stored is one indexed record as the index keeps it: where its text
// starts, the lengths of its match keys and id, and its fixed fields. It
// holds no pointer, so that the garbage collector has nothing to scan in
// the records (as prepared values, a million of them held fourteen
// million string pointers), and it takes 64 bytes, one cache line, the
// line Match reads for each candidate besides its text. Index files hold
// its memory (persist.go).
type stored struct {
	// chunk and off locate the record's text in Index.text: its match
	// keys in keyFields order, then its id.
	chunk, off  uint32
	idLen       uint32
	firstFormal [maxFormal]uint32
	lens        [numKeys]uint16
	dob         date
	// emailAt1 is prepared.emailAt + 1, so that 0 means no '@'.
	emailAt1 uint16
	flags    uint8
	_        uint8
}

// Bits of prepared.flags and stored.flags.
const (
	// flagEmailByName: the email's local part spells the first or last
	// name, so that its agreement follows from the names'.
	flagEmailByName = 1 << iota
	// flagFirstArabic, flagLastArabic: the name was written in Arabic
	// script (Persian or Arabic), before its key spelled it in Latin.
	flagFirstArabic
	flagLastArabic
	// flagDatePlaceholder: the birth date is a value far more records
	// hold than any real date would (1900-01-01); flagDayPlaceholder: its
	// day and month are (1 January where a third of the dates are), so
	// only its year says something. See placeholders.
	flagDatePlaceholder
	flagDayPlaceholder
	// flagEmailPlaceholder, flagPhonePlaceholder: an address or number
	// shared by many records (a role mailbox, an office switchboard).
	flagEmailPlaceholder
	flagPhonePlaceholder
	// flagsKnown covers every flag an index file may hold.
	flagsKnown = 1<<iota - 1
)

// Placeholder flags, which the index sets from its records' frequencies.
const flagsPlaceholder = flagDatePlaceholder | flagDayPlaceholder | flagEmailPlaceholder | flagPhonePlaceholder

// keyFields returns pointers to p's string match keys, in the order of a
// stored record's text.
func keyFields(p *prepared) [numKeys]*string {
	return [numKeys]*string{keyFirst: &p.first, keyLast: &p.last, keyFirstPhonetic: &p.firstPhonetic,
		keyLastPhonetic: &p.lastPhonetic, keyEmail: &p.email, keyNationalID: &p.nationalID, keyPhone: &p.phone,
		keyStreet: &p.street, keyHouse: &p.house, keyCity: &p.city, keyPostal: &p.postal, keyRegion: &p.region,
		keyCountry: &p.country, keyCompany: &p.company}
}

// textLen returns the length of the text of a record with p's keys and id.
func textLen(p *prepared, id string) int {
	n := len(id)
	for _, f := range keyFields(p) {
		n += len(*f)
	}
	return n
}

// appendText appends p's keys and id, a stored record's text, to b.
func appendText(b []byte, p *prepared, id string) []byte {
	for _, f := range keyFields(p) {
		b = append(b, *f...)
	}
	return append(b, id...)
}

// storedOf returns the stored record of p and id, its text at off in
// chunk. p's keys are at most maxKeyLen bytes, as prepare makes them.
func storedOf(p *prepared, id string, chunk, off uint32) stored {
	s := stored{chunk: chunk, off: off, idLen: uint32(len(id)), firstFormal: p.firstFormal, dob: p.dob,
		emailAt1: uint16(p.emailAt + 1), flags: p.flags}
	for k, f := range keyFields(p) {
		s.lens[k] = uint16(len(*f))
	}
	return s
}

// checkID returns an error for an id too long for an index.
func checkID(id string) error {
	if len(id) > maxIDLen {
		return fmt.Errorf("dedupe: record id of %d bytes: longer than %d", len(id), maxIDLen)
	}
	return nil
}

// keysLen returns the length of s's match keys in its text.
func (s *stored) keysLen() uint32 {
	n := uint32(0)
	for _, l := range s.lens {
		n += uint32(l)
	}
	return n
}

// textAt returns a pointer to byte off of chunk c of the index's text.
// Every chunk has room for a byte past its text, so the pointer stays
// inside the chunk's memory even at the end of the text.
func (ix *Index) textAt(c, off uint32) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(ix.text[c])), off)
}

// rec fills p with record i's match keys, its strings pointing into the
// index's text, without copying or allocating: the comparisons read a
// record's one line of fixed fields and its text, adjacent bytes.
func (ix *Index) rec(i int32, p *prepared) {
	s := &ix.recs[i]
	s.decode(ix.textAt(s.chunk, s.off), p)
}

// decode fills p with the match keys of s, whose text is at at.
func (s *stored) decode(at unsafe.Pointer, p *prepared) {
	next := func(k int) string {
		str := unsafe.String((*byte)(at), s.lens[k])
		at = unsafe.Add(at, s.lens[k])
		return str
	}
	p.first = next(keyFirst)
	p.last = next(keyLast)
	p.firstPhonetic = next(keyFirstPhonetic)
	p.lastPhonetic = next(keyLastPhonetic)
	p.email = next(keyEmail)
	p.nationalID = next(keyNationalID)
	p.phone = next(keyPhone)
	p.street = next(keyStreet)
	p.house = next(keyHouse)
	p.city = next(keyCity)
	p.postal = next(keyPostal)
	p.region = next(keyRegion)
	p.country = next(keyCountry)
	p.company = next(keyCompany)
	p.firstFormal = s.firstFormal
	p.dob = s.dob
	p.emailAt = int32(s.emailAt1) - 1
	p.flags = s.flags
}

// id returns record i's source id, which points into the index's text.
func (ix *Index) id(i int32) string {
	s := &ix.recs[i]
	return unsafe.String((*byte)(ix.textAt(s.chunk, s.off+s.keysLen())), s.idLen)
}

// recText returns record i's whole text: its keys, then its id.
func (ix *Index) recText(i int32) string {
	s := &ix.recs[i]
	return unsafe.String((*byte)(ix.textAt(s.chunk, s.off)), s.keysLen()+s.idLen)
}

// newChunk returns an empty chunk of the index's text with room for n
// bytes and the byte past them (textAt).
func newChunk(n int) []byte { return make([]byte, 0, n+1) }

// addText stores p's keys and id at the end of the index's text, in the
// last chunk while it has room, and returns the stored record. A new
// chunk for Add is twice the size of the last, up to a megabyte, so that
// adding records one by one allocates rarely and leaves little unused.
func (ix *Index) addText(p *prepared, id string) stored {
	n := textLen(p, id)
	if k := len(ix.text) - 1; k >= 0 {
		if c := ix.text[k]; cap(c)-len(c) > n && len(c)+n <= maxChunk {
			s := storedOf(p, id, uint32(k), uint32(len(c)))
			ix.text[k] = appendText(c, p, id)
			return s
		}
	}
	size := 4 << 10
	if k := len(ix.text) - 1; k >= 0 {
		size = min(max(size, 2*cap(ix.text[k])), 1<<20)
	}
	c := newChunk(max(size, n))
	ix.text = append(ix.text, appendText(c, p, id))
	return storedOf(p, id, uint32(len(ix.text)-1), 0)
}
