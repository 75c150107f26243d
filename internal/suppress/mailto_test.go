package suppress

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/dnstest"
	"github.com/steward-crm/steward/validate"
)

// dkimKey is the test signing key, made once: its public key is served
// by the test DNS server under several domains.
var dkimKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

// dkimRecord is the TXT record of the test key at name, split into
// strings of 200 characters as zone files split long keys.
func dkimRecord(name string) string {
	der, _ := x509.MarshalPKIXPublicKey(&dkimKey.PublicKey)
	v := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	var parts []string
	for len(v) > 200 {
		parts = append(parts, `"`+v[:200]+`"`)
		v = v[200:]
	}
	parts = append(parts, `"`+v+`"`)
	return name + " 300 IN TXT " + strings.Join(parts, " ")
}

// sign returns msg signed by domain with selector sel1.
func sign(t *testing.T, msg []byte, domain string) []byte {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(msg), &dkim.SignOptions{Domain: domain, Selector: "sel1", Signer: dkimKey, Hash: crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// request returns the unsubscribe request of testdata with another From
// (and To, when to is not "").
func request(t *testing.T, from, to string) []byte {
	t.Helper()
	raw := string(readMail(t, "unsubscribe-request.eml"))
	raw = strings.Replace(raw, "From: Mia Rossi <mia@example.org>", "From: Mia Rossi <"+from+">", 1)
	if to != "" {
		raw = strings.Replace(raw, "To: unsubscribe@lists.shop.example", "To: "+to, 1)
	}
	return []byte(raw)
}

// TestUnsubscribeByMail: a request is suppressed only when a DKIM
// signature aligned with its From domain verifies against the key that the
// (test) DNS serves, as that domain's DMARC record asks: strict or relaxed
// alignment, the organizational domain's record for a subdomain without
// one. A broken signature, a signature of another domain, and an
// Authentication-Results header of an MTA that is not steward's own are
// refused; a DNS server that fails is "try again later".
func TestUnsubscribeByMail(t *testing.T) {
	srv := dnstest.Start(t,
		dkimRecord("sel1._domainkey.example.org."),
		dkimRecord("sel1._domainkey.mail.example.org."),
		dkimRecord("sel1._domainkey.esp-mailer.net."),
		dkimRecord("sel1._domainkey.strict.example."),
		dkimRecord("sel1._domainkey.mail.strict.example."),
		`_dmarc.example.org. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.org"`,
		`_dmarc.strict.example. 300 IN TXT "v=DMARC1; p=quarantine; adkim=s"`,
		"SERVFAIL sel1._domainkey.flaky.example.",
	)
	res, err := validate.NewDNSResolver(validate.DNSConfig{Server: srv.Addr, Timeout: time.Second, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	c := testClassifier()
	c.Resolver = res
	c.OwnMTAs = []string{"mx1.shop.example"}
	keys := testKeys()
	tok, _ := keys.Mint(Token{CustomerID: 7, List: "offers", AddressHash: keys.Hash(steward.ChannelEmail, "mia@example.org")})

	broken := sign(t, request(t, "mia@example.org", ""), "example.org")
	broken = bytes.Replace(broken, []byte("\nunsubscribe\n"), []byte("\nunsubscribe me from everything\n"), 1)
	withAR := func(id string) []byte {
		return append([]byte("Authentication-Results: "+id+";\n\tdkim=pass header.d=example.org header.s=sel1;\n\tspf=pass smtp.mailfrom=example.org\n"),
			request(t, "mia@example.org", "")...)
	}
	tests := []struct {
		name   string
		raw    []byte
		want   Effect
		detail string
		scope  string
	}{
		{"signed by the From domain", sign(t, request(t, "mia@example.org", ""), "example.org"), EffectUnsubscribe, "DKIM passes for example.org, aligned with the From domain (DMARC policy reject)", ""},
		{"broken signature", broken, EffectUnverified, "the DKIM signature of example.org does not verify", ""},
		{"signed by an ESP's domain", sign(t, request(t, "mia@example.org", ""), "esp-mailer.net"), EffectUnverified, "DKIM passes for esp-mailer.net, which is not aligned with the From domain example.org", ""},
		{"not signed", request(t, "mia@example.org", ""), EffectUnverified, "the message has no DKIM signature (DMARC policy reject)", ""},
		{"a subdomain signs, relaxed alignment", sign(t, request(t, "mia@example.org", ""), "mail.example.org"), EffectUnsubscribe, "DKIM passes for mail.example.org, aligned", ""},
		{"a subdomain signs, strict alignment", sign(t, request(t, "ops@strict.example", ""), "mail.strict.example"), EffectUnverified, "not aligned with the From domain strict.example (DMARC policy quarantine)", ""},
		{"the organizational domain's record governs a subdomain", sign(t, request(t, "ops@news.strict.example", ""), "strict.example"), EffectUnverified, "not aligned with the From domain news.strict.example (DMARC policy quarantine)", ""},
		{"no DMARC record, aligned signature", sign(t, request(t, "mia@mail.example.org", ""), "mail.example.org"), EffectUnsubscribe, "DKIM passes for mail.example.org", ""},
		{"steward's own MTA verified it", withAR("mx1.shop.example"), EffectUnsubscribe, "mx1.shop.example (a trusted MTA) found DKIM passing for example.org", ""},
		{"another MTA's results are not believed", withAR("mx.elsewhere.example"), EffectUnverified, "no DKIM signature", ""},
		{"a token in the address names the list", sign(t, request(t, "mia@example.org", "unsubscribe+"+tok+"@lists.shop.example"), "example.org"), EffectUnsubscribe, "aligned", "offers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := c.Classify(context.Background(), tt.raw, Envelope{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != KindUnsubscribe || len(m.Findings) != 1 {
				t.Fatalf("got %+v, want one unsubscribe finding", m)
			}
			f := m.Findings[0]
			if f.Effect != tt.want || !strings.Contains(f.Detail, tt.detail) || f.Scope != tt.scope {
				t.Errorf("got %s %q (scope %q), want %s %q (scope %q)", f.Effect, f.Detail, f.Scope, tt.want, tt.detail, tt.scope)
			}
		})
	}
	t.Run("the key's DNS server fails", func(t *testing.T) {
		_, err := c.Classify(context.Background(), sign(t, request(t, "mia@flaky.example", ""), "flaky.example"), Envelope{})
		if !IsTemporary(err) {
			t.Errorf("Classify = %v, want a temporary failure", err)
		}
	})
	t.Run("the recipient comes from LMTP's envelope", func(t *testing.T) {
		raw := sign(t, request(t, "mia@example.org", "Mia <mia@example.org>"), "example.org")
		raw = bytes.Replace(raw, []byte("Subject: unsubscribe"), []byte("Subject: stop"), 1)
		if _, err := c.Classify(context.Background(), raw, Envelope{}); err == nil {
			t.Fatal("a message to no unsubscribe address, without the word, taken for a request")
		}
		m, err := c.Classify(context.Background(), raw, Envelope{To: []string{fmt.Sprintf("unsubscribe+%s@lists.shop.example", tok)}})
		if err != nil || m.Findings[0].Scope != "offers" {
			t.Errorf("Classify with the envelope = %+v, %v; want a request for the offers list", m, err)
		}
	})
}
