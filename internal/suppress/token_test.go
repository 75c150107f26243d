package suppress

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
)

func TestTokens(t *testing.T) {
	k := NewKeys()
	ann := k.Hash(steward.ChannelEmail, Normalize(steward.ChannelEmail, "Ann.Lee@Example.org", ""))
	bob := k.Hash(steward.ChannelEmail, Normalize(steward.ChannelEmail, "bob@example.org", ""))
	tok, err := k.Mint(Token{CustomerID: 42, List: "newsletter", AddressHash: ann})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tok, "ann") || len(tok) > 80 {
		t.Errorf("token %q: want short and revealing nothing", tok)
	}
	got, err := k.Verify(tok)
	if err != nil || got.CustomerID != 42 || got.List != "newsletter" || !got.MatchesHash(ann) || got.MatchesHash(bob) {
		t.Fatalf("Verify = %+v, %v; want customer 42, newsletter, Ann's address only", got, err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	altered := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	other := NewKeys()
	forged, _ := other.Mint(Token{CustomerID: 42, List: "newsletter", AddressHash: ann})
	tests := []struct{ name, token string }{
		{"altered customer", altered(6)},
		{"altered list", altered(8)},
		{"altered mac", altered(len(raw) - 1)},
		{"cut", tok[:len(tok)-4]},
		{"empty", ""},
		{"not base64", "!!!"},
		{"forged with another key", forged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := k.Verify(tt.token); !errors.Is(err, ErrBadToken) {
				t.Errorf("Verify(%q) = %v, want ErrBadToken", tt.token, err)
			}
		})
	}
	// A rotated key: new tokens are signed with the new key, old ones
	// still verify until the old key is dropped.
	rotated := &Keys{HashKey: k.HashKey, TokenKeys: [][]byte{NewKeys().TokenKeys[0], k.TokenKeys[0]}}
	if _, err := rotated.Verify(tok); err != nil {
		t.Errorf("an old token after rotation: %v", err)
	}
	fresh, _ := rotated.Mint(Token{CustomerID: 7, AddressHash: bob})
	if _, err := k.Verify(fresh); !errors.Is(err, ErrBadToken) {
		t.Errorf("a new token verified with only the old key: %v", err)
	}
	dropped := &Keys{HashKey: k.HashKey, TokenKeys: rotated.TokenKeys[:1]}
	if _, err := dropped.Verify(tok); !errors.Is(err, ErrBadToken) {
		t.Errorf("an old token after its key was dropped: %v", err)
	}
}

func TestNormalizeAndHash(t *testing.T) {
	k := NewKeys()
	h := func(addr string) string {
		return k.Hash(steward.ChannelEmail, Normalize(steward.ChannelEmail, addr, ""))
	}
	if h("A.nn+news@Gmail.com") != h("ann@gmail.com") {
		t.Error("the same Gmail mailbox hashes differently")
	}
	if h("ann@example.org") == h("bob@example.org") {
		t.Error("two addresses hash alike")
	}
	if other := NewKeys(); other.Hash(steward.ChannelEmail, "ann@example.org") == k.Hash(steward.ChannelEmail, "ann@example.org") {
		t.Error("the hash does not depend on the key")
	}
	if Normalize(steward.ChannelSMS, "0912 123 4567", "IR") != "+989121234567" || Normalize(steward.ChannelSMS, "12", "IR") != "" {
		t.Error("phone numbers are not normalized to E.164")
	}
}

func FuzzVerify(f *testing.F) {
	k := NewKeys()
	tok, _ := k.Mint(Token{CustomerID: 1, AddressHash: k.Hash(steward.ChannelEmail, "a@b.c")})
	f.Add(tok)
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := k.Verify(s)
		if err == nil && s != tok && got.CustomerID != 1 {
			t.Fatalf("Verify accepted %q as %+v", s, got)
		}
	})
}

// TestTokenAddress: a token finds the address it was minted for on its
// customer now, in the customer's history after the address changed, and
// on the survivor the customer was merged into; never another address.
func TestTokenAddress(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	k := NewKeys()
	m := steward.Meta{Actor: "test", Cause: "test"}
	a := &steward.Customer{Record: steward.Record{FirstName: "Ann", Email: "Ann.Lee@Example.org"}}
	b := &steward.Customer{Record: steward.Record{FirstName: "Bob", Email: "bob@example.org"}}
	if err := st.CreateCustomers(ctx, []*steward.Customer{a, b}, m); err != nil {
		t.Fatal(err)
	}
	mint := func(id int64, addr string) Token {
		t.Helper()
		s, err := k.Mint(Token{CustomerID: id, AddressHash: k.Hash(steward.ChannelEmail, Normalize(steward.ChannelEmail, addr, ""))})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := k.Verify(s)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	want := func(tok Token, addr string) {
		t.Helper()
		got, err := k.TokenAddress(ctx, st, tok)
		if err != nil || got != addr {
			t.Errorf("TokenAddress = %q, %v; want %q", got, err, addr)
		}
	}
	annTok := mint(a.ID, "ann.lee@example.org")
	want(annTok, "ann.lee@example.org")
	want(mint(a.ID, "bob@example.org"), "") // another address: none
	want(mint(999, "ann.lee@example.org"), "")

	a.Record.Email = "ann@new.example"
	if err := st.UpdateCustomer(ctx, a, m); err != nil {
		t.Fatal(err)
	}
	want(annTok, "ann.lee@example.org") // from the history

	bobTok := mint(b.ID, "bob@example.org")
	b.Status, b.MergedInto = steward.StatusMerged, a.ID
	b.Record.Email = ""
	if err := st.UpdateCustomer(ctx, b, m); err != nil {
		t.Fatal(err)
	}
	want(bobTok, "bob@example.org") // the merged member's history
}
