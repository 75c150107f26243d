package suppress

import (
	"errors"
	"strings"
)

// VERP returns a return path that carries a token for t
// (local+TOKEN@domain): sent with it, a message's bounces and complaints
// name the customer, list and address it went to even when a report hides
// the recipient, as complaint feedback loops do.
func (k *Keys) VERP(t Token, local, domain string) (string, error) {
	if local == "" || domain == "" || strings.ContainsAny(local+domain, "@+ <>") {
		return "", errors.New("verp: want a plain local part and domain")
	}
	tok, err := k.Mint(t)
	if err != nil {
		return "", err
	}
	return local + "+" + tok + "@" + domain, nil
}

// minTokenLen is the length of the shortest token Mint makes (a customer
// id of one byte, no list), in base64.
const minTokenLen = (1 + 4 + 1 + 1 + 16 + macSize) * 4 / 3

// FindToken returns the first token in s that verifies: in an address
// (VERP), a URL's path or query (List-Unsubscribe), any header value.
// Tokens are cut out at every character that base64url does not use, and
// also after a '-' or '_', which it does use, so that "bounce-TOKEN" is
// found too.
func (k *Keys) FindToken(s string) (Token, bool) {
	if k == nil || len(k.TokenKeys) == 0 {
		return Token{}, false
	}
	for _, piece := range strings.FieldsFunc(s, func(r rune) bool { return !isTokenRune(r) }) {
		for start := 0; len(piece)-start >= minTokenLen; {
			if t, err := k.Verify(piece[start:]); err == nil {
				return t, true
			}
			next := strings.IndexAny(piece[start:], "-_")
			if next < 0 {
				break
			}
			start += next + 1
		}
	}
	return Token{}, false
}

func isTokenRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}
