package suppress

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/steward-crm/steward"
)

// Token is what an unsubscribe link carries: the customer, the list ("" for
// every message), and the keyed hash of the address it was minted for, so
// that it unsubscribes that address and nothing else, even after the
// customer's address changed.
type Token struct {
	CustomerID int64
	List       string
	// AddressHash is Keys.Hash of the channel and normalized address.
	AddressHash string
}

// tokenVersion starts every token, so that the layout can change.
const tokenVersion = 1

// macSize is how many bytes of the HMAC a token keeps: 128 bits, beyond
// guessing.
const macSize = 16

// maxList bounds a list name in a token.
const maxList = 64

// ErrBadToken is every token that does not verify: forged, altered, cut,
// signed with a key no longer configured. It says nothing more, so that a
// forger learns nothing.
var ErrBadToken = errors.New("not a valid unsubscribe token")

// Mint returns an unguessable, URL-safe token for t, signed with the
// newest token key. The address hash is not the address: the token
// reveals nothing to whoever reads the link.
func (k *Keys) Mint(t Token) (string, error) {
	if len(t.List) > maxList {
		return "", errors.New("list name too long for a token")
	}
	hash, err := hex.DecodeString(t.AddressHash)
	if err != nil || len(hash) != sha256.Size {
		return "", errors.New("token: not an address hash")
	}
	b := []byte{tokenVersion}
	b = append(b, keyID(k.TokenKeys[0])...)
	b = binary.AppendVarint(b, t.CustomerID)
	b = append(b, byte(len(t.List)))
	b = append(b, t.List...)
	b = append(b, hash[:16]...) // enough to tell addresses apart; the MAC binds it
	b = append(b, mac(k.TokenKeys[0], b)...)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Verify checks a token against every configured token key and returns
// what it carries; ErrBadToken otherwise. The address hash it returns is
// the first 16 bytes of the address's hash, hex: compare it with
// MatchesHash.
func (k *Keys) Verify(s string) (Token, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 1+4+1+1+16+macSize || b[0] != tokenVersion {
		return Token{}, ErrBadToken
	}
	body, sum := b[:len(b)-macSize], b[len(b)-macSize:]
	var key []byte
	for _, tk := range k.TokenKeys {
		if hmac.Equal(keyID(tk), body[1:5]) && hmac.Equal(mac(tk, body), sum) {
			key = tk
			break
		}
	}
	if key == nil {
		return Token{}, ErrBadToken
	}
	rest := body[5:]
	id, n := binary.Varint(rest)
	if n <= 0 {
		return Token{}, ErrBadToken
	}
	rest = rest[n:]
	if len(rest) < 1 || len(rest) != 1+int(rest[0])+16 {
		return Token{}, ErrBadToken
	}
	list := string(rest[1 : 1+rest[0]])
	return Token{CustomerID: id, List: list, AddressHash: hex.EncodeToString(rest[1+rest[0]:])}, nil
}

// MatchesHash reports whether a verified token's address hash is the
// given full address hash.
func (t Token) MatchesHash(hash string) bool {
	return len(hash) >= len(t.AddressHash) && hmac.Equal([]byte(hash[:len(t.AddressHash)]), []byte(t.AddressHash))
}

// keyID names a token key in a token without revealing it.
func keyID(key []byte) []byte {
	s := sha256.Sum256(append([]byte("steward token key id\x00"), key...))
	return s[:4]
}

func mac(key, b []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(b)
	return m.Sum(nil)[:macSize]
}

// TokenStore is what TokenAddress reads.
type TokenStore interface {
	Customer(ctx context.Context, id int64) (*steward.Customer, error)
	Changes(ctx context.Context, customerID int64) ([]steward.Change, error)
}

// TokenAddress returns the normalized email address a verified token was
// minted for: its customer's address now, or one the customer had before
// (its history), or, for a customer merged since, its survivor's; "" when
// none of them is the token's (the customer's record no longer holds it,
// or it was erased).
func (k *Keys) TokenAddress(ctx context.Context, st TokenStore, t Token) (string, error) {
	id := t.CustomerID
	for range 64 { // a merge chain, as merge.Resolve follows it
		if id <= 0 {
			return "", nil
		}
		c, err := st.Customer(ctx, id)
		if steward.ErrorCode(err) == steward.ENOTFOUND {
			return "", nil
		} else if err != nil {
			return "", fmt.Errorf("customer of token: %w", err)
		}
		candidates := []string{c.Record.Email}
		changes, err := st.Changes(ctx, c.ID)
		if err != nil {
			return "", fmt.Errorf("customer of token: %w", err)
		}
		for i := len(changes) - 1; i >= 0; i-- {
			if changes[i].Field == steward.FieldEmail {
				candidates = append(candidates, changes[i].Before, changes[i].After)
			}
		}
		for _, a := range candidates {
			if n := Normalize(steward.ChannelEmail, a, ""); n != "" && t.MatchesHash(k.Hash(steward.ChannelEmail, n)) {
				return n, nil
			}
		}
		if c.Status != steward.StatusMerged {
			return "", nil
		}
		id = c.MergedInto
	}
	return "", nil
}
