package suppress

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Mail is one message read from a file, an mbox or a Maildir.
type Mail struct {
	// Origin names where it was read: the file, "FILE#N" for the N-th
	// message of an mbox (from 1), the Maildir file.
	Origin string
	Raw    []byte
	// MaildirFile is the message's file when it was read from a Maildir,
	// which Maildir.MarkSeen and moving aside change; "" otherwise.
	MaildirFile string
	// TooLarge is true when the message was longer than steward reads:
	// Raw holds its beginning, and the message is kept aside.
	TooLarge bool
}

// maxMessage bounds one message read; a larger one is kept aside unread
// in full (bounces quote at most the original's header or a part of it).
const maxMessage = 32 << 20

// ErrTooLarge is a message over the size steward reads.
var ErrTooLarge = fmt.Errorf("message larger than %d MiB", maxMessage>>20)

// ReadMail calls fn with every message under path, in a stable order: a
// Maildir (a folder with new/ and cur/: the messages in new/ and those in
// cur/ not marked seen), a folder of files (each an .eml message or an
// mbox, read recursively; hidden files skipped), or one file (an mbox when
// it starts with "From ", else one message). An error of fn stops the
// walk and is returned.
func ReadMail(ctx context.Context, path string, fn func(Mail) error) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return readFile(ctx, path, fn)
	}
	if IsMaildir(path) {
		return readMaildir(ctx, path, fn)
	}
	return filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() && p != path && IsMaildir(p) {
			if err := readMaildir(ctx, p, fn); err != nil {
				return err
			}
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return readFile(ctx, p, fn)
	})
}

// IsMaildir reports whether dir is a Maildir: it has cur/ and new/.
func IsMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

func readFile(ctx context.Context, path string, fn func(Mail) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(5)
	if string(head) == "From " {
		return ReadMbox(ctx, br, path, fn)
	}
	raw, err := readLimited(br)
	if err != nil && !errors.Is(err, ErrTooLarge) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return fn(Mail{Origin: path, Raw: raw, TooLarge: err != nil})
}

// readLimited reads r to its end, or maxMessage bytes and ErrTooLarge.
func readLimited(r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxMessage+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxMessage {
		return raw[:maxMessage], ErrTooLarge
	}
	return raw, nil
}

// ReadMbox calls fn with each message of an mbox: messages start at lines
// "From " at the start or after an empty line; quoted lines ">From ",
// ">>From " … lose one '>' (mboxrd, which also reads mboxo files as well
// as they can be read). origin names the file in each Mail's Origin.
func ReadMbox(ctx context.Context, r io.Reader, origin string, fn func(Mail) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var msg []byte
	n := 0
	started, prevEmpty := false, true
	flush := func() error {
		if !started {
			return nil
		}
		n++
		// The empty line before the next "From " line belongs to the mbox.
		body := msg
		switch {
		case bytes.HasSuffix(body, []byte("\r\n\r\n")):
			body = body[:len(body)-2]
		case bytes.HasSuffix(body, []byte("\n\n")):
			body = body[:len(body)-1]
		}
		m := Mail{Origin: fmt.Sprintf("%s#%d", origin, n), Raw: slices.Clone(body), TooLarge: len(body) > maxMessage}
		if m.TooLarge {
			m.Raw = m.Raw[:maxMessage]
		}
		msg = msg[:0]
		return fn(m)
	}
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A very long line: take it whole.
			rest, err2 := br.ReadBytes('\n')
			line, err = append(slices.Clone(line), rest...), err2
		}
		if len(line) > 0 {
			switch {
			case prevEmpty && bytes.HasPrefix(line, []byte("From ")):
				if err := flush(); err != nil {
					return err
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				started = true
			case started:
				if q := bytes.TrimLeft(line, ">"); len(q) < len(line) && bytes.HasPrefix(q, []byte("From ")) {
					line = line[1:]
				}
				if len(msg) <= maxMessage {
					msg = append(msg, line...)
				}
			}
			prevEmpty = len(bytes.TrimRight(line, "\r\n")) == 0
		}
		if err == io.EOF {
			return flush()
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", origin, err)
		}
	}
}

// readMaildir reads new/ and the messages of cur/ not flagged seen (S),
// in name order.
func readMaildir(ctx context.Context, dir string, fn func(Mail) error) error {
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if sub == "cur" && seen(e.Name()) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			p := filepath.Join(dir, sub, e.Name())
			f, err := os.Open(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue // taken by another reader meanwhile
			} else if err != nil {
				return err
			}
			raw, err := readLimited(f)
			f.Close()
			if err != nil && !errors.Is(err, ErrTooLarge) {
				return fmt.Errorf("read %s: %w", p, err)
			}
			if err := fn(Mail{Origin: p, Raw: raw, MaildirFile: p, TooLarge: err != nil}); err != nil {
				return err
			}
		}
	}
	return nil
}

// seen reports whether a Maildir file name carries the seen flag (":2,…S…").
func seen(name string) bool {
	_, info, ok := strings.Cut(name, ":2,")
	return ok && strings.Contains(info, "S")
}

// MarkSeen moves a Maildir message to cur/ with the seen flag, as a mail
// client does with a message it has read: the next ingest skips it.
func MarkSeen(file string) error {
	dir, name := filepath.Split(file)
	maildir := filepath.Dir(filepath.Clean(dir))
	base, info, ok := strings.Cut(name, ":2,")
	if !ok {
		info = ""
	}
	if strings.Contains(info, "S") && filepath.Base(filepath.Clean(dir)) == "cur" {
		return nil
	}
	flags := []byte(info + "S")
	slices.Sort(flags)
	return os.Rename(file, filepath.Join(maildir, "cur", base+":2,"+string(flags)))
}
