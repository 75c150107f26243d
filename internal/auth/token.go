package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// secretPrefix starts every token's secret, so that one pasted where it
// does not belong (a log, a repository) is recognized as steward's.
const secretPrefix = "stw_"

// NewSecret returns a new token secret (256 random bits) and its hash,
// which is what the store keeps.
func NewSecret() (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("token secret: %w", err)
	}
	secret = secretPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret returns the hash the store keeps of a token's secret: its
// SHA-256, hex. A secret of 256 random bits needs no slow hash: nobody
// can guess it, and a leaked table of hashes gives none of them back.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
