package suppress

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// AsideDir keeps the messages that cannot be classified, so that none is
// lost: a Maildir (any mail client opens it) whose new/ receives each
// message unchanged, and reasons.jsonl beside new/ with one line per
// message: its file, where it came from, why, and when. A message is named
// by a hash of its bytes, so the same message is kept once however often
// it is read.
type AsideDir struct {
	Dir string
	// Mode is the files' mode (0 is 0600).
	Mode fs.FileMode

	mu sync.Mutex
}

// AsideRecord is one line of reasons.jsonl.
type AsideRecord struct {
	File   string    `json:"file"`
	Origin string    `json:"origin"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Keep stores raw with its reason and returns the file it is kept in;
// known is true when the same message was kept before (nothing is
// written again).
func (d *AsideDir) Keep(raw []byte, origin, reason string, at time.Time) (file string, known bool, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	mode := d.Mode
	if mode == 0 {
		mode = 0o600
	}
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(d.Dir, sub), 0o700); err != nil {
			return "", false, fmt.Errorf("aside folder: %w", err)
		}
	}
	sum := sha256.Sum256(raw)
	name := hex.EncodeToString(sum[:16]) + ".steward"
	file = filepath.Join(d.Dir, "new", name)
	if _, err := os.Stat(file); err == nil {
		return file, true, nil
	}
	if m, _ := filepath.Glob(filepath.Join(d.Dir, "cur", name+"*")); len(m) > 0 {
		return m[0], true, nil
	}
	tmp := filepath.Join(d.Dir, "tmp", name)
	if err := os.WriteFile(tmp, raw, mode); err != nil {
		return "", false, fmt.Errorf("keep message aside: %w", err)
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return "", false, fmt.Errorf("keep message aside: %w", err)
	}
	if err := os.Rename(tmp, file); err != nil {
		return "", false, fmt.Errorf("keep message aside: %w", err)
	}
	line, _ := json.Marshal(AsideRecord{File: filepath.Join("new", name), Origin: origin, Reason: reason, At: at.UTC()})
	f, err := os.OpenFile(filepath.Join(d.Dir, "reasons.jsonl"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, mode)
	if err != nil {
		return file, false, fmt.Errorf("record why a message was kept aside: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	return file, false, errors.Join(err, f.Close())
}
