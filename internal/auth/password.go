package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/steward-crm/steward"
	"golang.org/x/crypto/argon2"
)

// Params are argon2id's costs.
type Params struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32
	Threads   uint8
	KeyLen    uint32
	SaltLen   int
}

// DefaultParams are OWASP's recommended minimum for argon2id (19 MiB, two
// passes, one thread): about 30 ms a hash on the reference machine, which
// is also what each guess costs an attacker.
func DefaultParams() Params {
	return Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}
}

// MinPasswordLength is the fewest characters a password may have.
const MinPasswordLength = 10

// HashPassword returns password's argon2id hash with a random salt, as a
// PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash) that names its own
// parameters, so that they can change without invalidating stored hashes.
// A password shorter than MinPasswordLength, or not UTF-8, is EINVALID.
func HashPassword(password string, p Params) (string, error) {
	if !utf8.ValidString(password) {
		return "", steward.FieldErrorf(steward.EINVALID, "password", "A password must be text (UTF-8).")
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return "", steward.FieldErrorf(steward.EINVALID, "password", "A password needs at least %d characters, not %d.", MinPasswordLength, n)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password hashes to encoded (a PHC string
// HashPassword made), in constant time; an error when encoded is not one.
func CheckPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("password hash: not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("password hash: argon2 version %q", parts[2])
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("password hash: parameters %q: %w", parts[3], err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("password hash: salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, fmt.Errorf("password hash: key: %v", err)
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
