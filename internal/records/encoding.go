package records

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/steward-crm/steward"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding names a character encoding ReadFile reads.
type Encoding string

// Encodings ReadFile reads. UTF-16 files need a byte order mark unless the
// encoding is named.
const (
	UTF8        Encoding = "utf-8"
	UTF16LE     Encoding = "utf-16le"
	UTF16BE     Encoding = "utf-16be"
	Windows1256 Encoding = "windows-1256"
	Windows1252 Encoding = "windows-1252"
)

// ParseEncoding returns the encoding a user named: utf-8 (utf8), utf-16
// (little-endian unless a byte order mark says otherwise), utf-16le,
// utf-16be, windows-1256 (cp1256, arabic) or windows-1252 (cp1252, latin1,
// iso-8859-1). Names are case-insensitive; "" means detect.
func ParseEncoding(name string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "":
		return "", nil
	case "utf-8", "utf8":
		return UTF8, nil
	case "utf-16", "utf16", "utf-16le", "utf16le":
		return UTF16LE, nil
	case "utf-16be", "utf16be":
		return UTF16BE, nil
	case "windows-1256", "cp1256", "arabic":
		return Windows1256, nil
	case "windows-1252", "cp1252", "latin1", "iso-8859-1":
		return Windows1252, nil
	}
	return "", steward.Errorf(steward.EINVALID, "unknown encoding %q: want utf-8, utf-16, utf-16le, utf-16be, windows-1256 or windows-1252", name)
}

// sniffSize is how much of the input encoding detection looks at.
const sniffSize = 4 << 20

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// decode returns a reader of br's text as UTF-8 (without a byte order mark)
// and the encoding it was read in: named, or detected as DetectEncoding
// does on the first sniffSize bytes, with the reason for it.
func decode(br *bufio.Reader, named Encoding) (io.Reader, Encoding, string, error) {
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, "", "", fmt.Errorf("read input: %w", err)
	}
	enc, why := named, "named"
	if enc == "" {
		enc, why = detectEncoding(head, len(head) < sniffSize)
	}
	switch enc {
	case UTF8:
		if bytes.HasPrefix(head, bomUTF8) {
			_, _ = br.Discard(len(bomUTF8))
		}
		return br, enc, why, nil
	case UTF16LE, UTF16BE:
		order := xunicode.LittleEndian
		if enc == UTF16BE {
			order = xunicode.BigEndian
		}
		// ExpectBOM would refuse a named encoding without one; UseBOM
		// honours a mark and strips it.
		dec := xunicode.UTF16(order, xunicode.UseBOM).NewDecoder()
		return transform.NewReader(&utf16Check{r: br}, dec), enc, why, nil
	case Windows1256:
		return singleByte(br, charmap.Windows1256), enc, why, nil
	case Windows1252:
		return singleByte(br, charmap.Windows1252), enc, why, nil
	}
	return nil, "", "", steward.Errorf(steward.EINVALID, "unknown encoding %q", enc)
}

func singleByte(r io.Reader, cm *charmap.Charmap) io.Reader {
	var e encoding.Encoding = cm
	return transform.NewReader(r, e.NewDecoder())
}

// DetectEncoding guesses the encoding of a file from its first bytes; whole
// says head is the whole file. The rules, in order:
//
//  1. A byte order mark decides: EF BB BF is UTF-8, FF FE UTF-16LE, FE FF
//     UTF-16BE. Without one, zero bytes in every other position mean
//     UTF-16 (see utf16WithoutBOM).
//  2. Text that is valid UTF-8 is UTF-8 (ignoring a character cut off at
//     the end of head when head is not the whole file). Plain ASCII is
//     UTF-8 too. So is text whose non-ASCII characters are nearly all
//     valid UTF-8: at most one invalid byte sequence for every twenty
//     valid multi-byte characters. A legacy code page almost never forms
//     valid UTF-8 sequences, while a UTF-8 file with a few damaged bytes
//     (a bad copy, one row pasted from elsewhere) must not be read whole
//     as mojibake; its damaged rows are rejected instead.
//  3. Otherwise the file is in a single-byte Windows code page, and the
//     question is Windows-1256 (Persian and Arabic Excel exports) or
//     Windows-1252 (Western European). Each word (a run of bytes between
//     ASCII spaces, punctuation and delimiters) that contains bytes of
//     0x80 and above votes: a word made only of such bytes, at least two
//     of them, that Windows-1256 decodes to Arabic-script letters votes
//     for 1256 (Persian words are written entirely in those bytes); a word
//     that mixes them with ASCII letters votes for 1252 (é in "café",
//     ü in "Müller": accented letters sit inside Latin words). Windows-1256
//     wins when it has more votes. Bytes that Windows-1252 leaves
//     undefined (81, 8D, 8F, 90, 9D: Persian پ چ ژ گ in 1256) add a
//     1256 vote each.
func DetectEncoding(head []byte, whole bool) Encoding {
	enc, _ := detectEncoding(head, whole)
	return enc
}

// detectEncoding is DetectEncoding, and says why in words for the
// import's summary.
func detectEncoding(head []byte, whole bool) (Encoding, string) {
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		return UTF8, "UTF-8 byte order mark"
	case bytes.HasPrefix(head, bomUTF16LE):
		return UTF16LE, "UTF-16 byte order mark"
	case bytes.HasPrefix(head, bomUTF16BE):
		return UTF16BE, "UTF-16 byte order mark"
	}
	if enc, ok := utf16WithoutBOM(head); ok {
		return enc, "zero bytes at every other offset, as in UTF-16 text"
	}
	if validUTF8Prefix(head, whole) {
		if isASCII(head) {
			return UTF8, "plain ASCII"
		}
		return UTF8, "valid UTF-8"
	}
	if multi, bad := utf8Counts(head, whole); multi > 0 && bad*20 <= multi {
		return UTF8, fmt.Sprintf("UTF-8: %d valid multi-byte characters and %d invalid byte sequences in the first %d bytes; rows with invalid bytes are rejected", multi, bad, len(head))
	}
	arabic, latin := 0, 0
	for i := 0; i < len(head); {
		if isWordBreak(head[i]) {
			i++
			continue
		}
		j := i
		high, asciiLetters := 0, 0
		for j < len(head) && !isWordBreak(head[j]) {
			c := head[j]
			switch {
			case c >= 0x80:
				high++
				switch c {
				case 0x81, 0x8D, 0x8F, 0x90, 0x9D:
					arabic++
				}
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
				asciiLetters++
			}
			j++
		}
		switch {
		case high == 0:
		case asciiLetters > 0:
			latin++
		case high >= 2 && arabicWord(head[i:j]):
			arabic++
		}
		i = j
	}
	if arabic > latin {
		return Windows1256, fmt.Sprintf("not UTF-8; %d words read as Persian or Arabic in Windows-1256 against %d Latin words with accents", arabic, latin)
	}
	return Windows1252, fmt.Sprintf("not UTF-8; %d Latin words with accents against %d Persian or Arabic ones", latin, arabic)
}

// utf8Counts counts, in b, the valid multi-byte UTF-8 characters and the
// byte sequences that are not UTF-8 (a character cut off at the end of b
// does not count when b is only the beginning of the text).
func utf8Counts(b []byte, whole bool) (multi, bad int) {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r != utf8.RuneError || size > 1:
			multi++
		case !whole && !utf8.FullRune(b[i:]):
			return multi, bad
		default:
			bad++
		}
		i += size
	}
	return multi, bad
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// utf16WithoutBOM recognizes UTF-16 text without a byte order mark by its
// zero bytes: every ASCII character (Latin letters, digits, delimiters,
// line ends) has a zero high byte, so when at least a third of the bytes
// are zero and nearly all of them sit at odd (little-endian) or even
// (big-endian) offsets, the text is UTF-16. Text in the other encodings
// has no zero bytes. A file mostly in Persian script has too few zeros to
// be recognized; it needs its byte order mark or --encoding.
func utf16WithoutBOM(head []byte) (Encoding, bool) {
	var even, odd int
	for i, c := range head {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	switch {
	case len(head) < 4 || (even+odd)*3 < len(head):
		return "", false
	case odd >= 9*(even+odd)/10:
		return UTF16LE, true
	case even >= 9*(even+odd)/10:
		return UTF16BE, true
	}
	return "", false
}

// isWordBreak reports whether c ends a word for DetectEncoding: ASCII
// white space, digits, punctuation and delimiters.
func isWordBreak(c byte) bool {
	if c >= 0x80 {
		return false
	}
	return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z')
}

// arabicWord reports whether most of word's bytes decode in Windows-1256
// to Arabic-script letters.
func arabicWord(word []byte) bool {
	n, letters := 0, 0
	for _, c := range word {
		if c < 0x80 {
			continue
		}
		n++
		if r := charmap.Windows1256.DecodeByte(c); unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) {
			letters++
		}
	}
	return n > 0 && letters*4 >= n*3
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a character
// cut off at its end when b is only the beginning of the text.
func validUTF8Prefix(b []byte, whole bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if whole {
		return false
	}
	for cut := 1; cut <= 3 && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) && !utf8.FullRune(b[len(b)-cut:]) {
			return true
		}
	}
	return false
}

// errTruncatedUTF16 is the error for a UTF-16 file with an odd number of
// bytes: it ends in the middle of a character.
var errTruncatedUTF16 = errors.New("the file ends in the middle of a UTF-16 character: it is truncated or not UTF-16")

// utf16Check passes bytes through and fails at the end of an input with an
// odd number of bytes, which the UTF-16 decoder would silently turn into a
// replacement character.
type utf16Check struct {
	r io.Reader
	n int64
}

func (c *utf16Check) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err == io.EOF && c.n%2 == 1 {
		return n, errTruncatedUTF16
	}
	return n, err
}
