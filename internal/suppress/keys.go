package suppress

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
)

// Keys are the secrets of suppressions: the key of the addresses' hashes,
// which never changes (a suppression is found by its hash, also after
// the customer was erased), and the keys that sign unsubscribe tokens,
// the first signing new tokens and every one verifying, so that a key can
// be rotated: add a new one in front, and drop the old one when its
// tokens may expire.
type Keys struct {
	HashKey   []byte   `json:"hash_key"`
	TokenKeys [][]byte `json:"token_keys"`
}

// minKey is the shortest key accepted, in bytes.
const minKey = 16

// Check reports what is wrong with the keys.
func (k *Keys) Check() error {
	if len(k.HashKey) < minKey {
		return fmt.Errorf("the address hash key has %d bytes, want at least %d", len(k.HashKey), minKey)
	}
	if len(k.TokenKeys) == 0 {
		return errors.New("no token key")
	}
	for i, t := range k.TokenKeys {
		if len(t) < minKey {
			return fmt.Errorf("token key %d has %d bytes, want at least %d", i+1, len(t), minKey)
		}
	}
	return nil
}

// ParseKeys reads keys as configuration gives them: the hash key, and the
// token keys separated by commas (newest first), each in hex or base64.
func ParseKeys(hashKey, tokenKeys string) (*Keys, error) {
	k := &Keys{}
	var err error
	if k.HashKey, err = decodeKey(hashKey); err != nil {
		return nil, fmt.Errorf("address hash key: %w", err)
	}
	for i, s := range strings.Split(tokenKeys, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		t, err := decodeKey(s)
		if err != nil {
			return nil, fmt.Errorf("token key %d: %w", i+1, err)
		}
		k.TokenKeys = append(k.TokenKeys, t)
	}
	return k, k.Check()
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not hex or base64")
}

// NewKeys returns fresh random keys.
func NewKeys() *Keys {
	k := &Keys{HashKey: make([]byte, 32), TokenKeys: [][]byte{make([]byte, 32)}}
	rand.Read(k.HashKey)
	rand.Read(k.TokenKeys[0])
	return k
}

// LoadOrCreateKeyFile reads keys from a JSON file, or creates the file
// with fresh keys, readable by its owner only, when it does not exist.
// It is the default of a single-machine database; a shared one names its
// keys in the configuration instead.
func LoadOrCreateKeyFile(path string) (*Keys, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k := NewKeys()
		out, _ := json.Marshal(k)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateKeyFile(path) // another process made it first
		}
		if err != nil {
			return nil, false, fmt.Errorf("create key file: %w", err)
		}
		if _, err := f.Write(out); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("write key file: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, false, fmt.Errorf("write key file: %w", err)
		}
		return k, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read key file: %w", err)
	}
	var k Keys
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, false, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := k.Check(); err != nil {
		return nil, false, fmt.Errorf("key file %s: %w", path, err)
	}
	return &k, false, nil
}

// Normalize returns the address as suppressions know it: an email
// address's mailbox (lower case, a provider's tags and dots as its own
// mail servers read them: cleanse.EmailKey), a phone number in E.164. ""
// when it is not an address of the channel.
func Normalize(ch steward.Channel, addr, defaultRegion string) string {
	switch ch {
	case steward.ChannelEmail:
		return cleanse.EmailKey(addr)
	case steward.ChannelSMS:
		if e164, _, _ := cleanse.Phone(addr, defaultRegion); strings.HasPrefix(e164, "+") {
			return e164
		}
	}
	return ""
}

// Hash returns the keyed hash of a normalized address of a channel, as
// suppressions keep it: HMAC-SHA256, hex.
func (k *Keys) Hash(ch steward.Channel, normalized string) string {
	m := hmac.New(sha256.New, k.HashKey)
	m.Write([]byte(ch))
	m.Write([]byte{0})
	m.Write([]byte(normalized))
	return hex.EncodeToString(m.Sum(nil))
}
