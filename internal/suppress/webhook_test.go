package suppress

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func post(t *testing.T, h http.Handler, target, contentType, body string, header map[string]string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func newWebhooks(t *testing.T) (*ingestFixture, *Webhooks) {
	f := newIngestFixture(t, t.TempDir())
	return f, &Webhooks{Applier: f.in.Applier, Store: f.st}
}

// TestSendGridWebhook: SendGrid's signed events apply (a bounce by its
// status, a block never, a spam report); a forged or unsigned request is
// 401 and changes nothing.
func TestSendGridWebhook(t *testing.T) {
	f, w := newWebhooks(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pub, err := ParseSendGridKey(base64.StdEncoding.EncodeToString(der))
	if err != nil {
		t.Fatal(err)
	}
	rs := *w.Applier.Rules
	rs.SendGridGroups = map[string]string{"42": "newsletter"}
	ap := *w.Applier
	ap.Rules = &rs
	w.Applier = &ap
	h := w.SendGrid(pub)
	body := `[{"email":"dave@hosting.example","timestamp":1772783112,"event":"bounce","type":"bounce","status":"5.1.1","reason":"550 5.1.1 User unknown","sg_message_id":"m1.filter0001"},
{"email":"heidi@gmail.com","timestamp":1773227529,"event":"bounce","type":"blocked","status":"5.7.26","reason":"550 5.7.26 unauthenticated","sg_message_id":"m2.filter0001"},
{"email":"judy.k@isp.example","timestamp":1773471550,"event":"spamreport","sg_message_id":"m3.filter0001"},
{"email":"ivan.full@gmail.com","timestamp":1773471551,"event":"open","sg_message_id":"m4.filter0001"},
{"email":"erin@shop.example","timestamp":1773471552,"event":"group_unsubscribe","asm_group_id":42,"sg_message_id":"m5.filter0001"},
{"email":"frank@shop.example","timestamp":1773471553,"event":"group_unsubscribe","asm_group_id":7,"sg_message_id":"m6.filter0001"}]`
	sign := func(ts, body string) string {
		sum := sha256.Sum256([]byte(ts + body))
		sig, _ := ecdsa.SignASN1(rand.Reader, key, sum[:])
		return base64.StdEncoding.EncodeToString(sig)
	}
	headers := func(sig, ts string) map[string]string {
		return map[string]string{"X-Twilio-Email-Event-Webhook-Signature": sig, "X-Twilio-Email-Event-Webhook-Timestamp": ts}
	}
	if code := post(t, h, "/webhooks/sendgrid", "application/json", body, headers(sign("1773471600", body), "1773471601")); code != http.StatusUnauthorized {
		t.Errorf("a signature of another timestamp: %d, want 401", code)
	}
	if code := post(t, h, "/webhooks/sendgrid", "application/json", body, nil); code != http.StatusUnauthorized {
		t.Errorf("no signature: %d, want 401", code)
	}
	if got := f.suppression(t, "dave@hosting.example"); got != "" {
		t.Fatalf("a refused request suppressed Dave: %s", got)
	}
	if code := post(t, h, "/webhooks/sendgrid", "application/json", body, headers(sign("1773471600", body), "1773471600")); code != http.StatusOK {
		t.Fatalf("signed events: %d, want 200", code)
	}
	for _, tt := range []struct{ addr, want string }{
		{"dave@hosting.example", "hard_bounce sendgrid"},
		{"heidi@gmail.com", ""},
		{"judy.k@isp.example", "complaint sendgrid"},
		{"ivan.full@gmail.com", ""},
		// A group unsubscribe is the group's list only: named by the
		// rules, or after the group.
		{"erin@shop.example", "unsubscribed sendgrid newsletter"},
		{"frank@shop.example", "unsubscribed sendgrid sendgrid-group-7"},
	} {
		if got := f.suppression(t, tt.addr); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.addr, got, tt.want)
		}
	}
	if got := f.verdict(t, "dave@hosting.example"); got != "invalid hard_bounce" {
		t.Errorf("Dave's verdict %q", got)
	}
}

// TestMailgunWebhook: a signed permanent failure suppresses, a temporary
// one counts; a wrong signature or an old timestamp is 401.
func TestMailgunWebhook(t *testing.T) {
	f, w := newWebhooks(t)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	w.Now = func() time.Time { return now }
	key := []byte("key-3ax6xnjp29jd6fds4gc373sgvjxteol0")
	h := w.Mailgun(key)
	event := func(ts time.Time, sigKey []byte, severity, addr, msg string) string {
		stamp := fmt.Sprint(ts.Unix())
		m := hmac.New(sha256.New, sigKey)
		m.Write([]byte(stamp + "d5f0c6a1b2"))
		return fmt.Sprintf(`{"signature":{"timestamp":%q,"token":"d5f0c6a1b2","signature":%q},
"event-data":{"event":"failed","severity":%q,"reason":"bounce","recipient":%q,"timestamp":%d.25,
"delivery-status":{"code":550,"message":%q,"description":""},"message":{"headers":{"message-id":"20260310085734.1.ABC@mg.shop.example"}}}}`,
			stamp, hex.EncodeToString(m.Sum(nil)), severity, addr, ts.Unix(), msg)
	}
	if code := post(t, h, "/webhooks/mailgun", "application/json", event(now, []byte("another key"), "permanent", "grace.nobody@gmail.com", "550 5.1.1 no such user"), nil); code != http.StatusUnauthorized {
		t.Errorf("a wrong key: %d, want 401", code)
	}
	if code := post(t, h, "/webhooks/mailgun", "application/json", event(now.Add(-time.Hour), key, "permanent", "grace.nobody@gmail.com", "550 5.1.1 no such user"), nil); code != http.StatusUnauthorized {
		t.Errorf("an hour-old signature: %d, want 401", code)
	}
	if code := post(t, h, "/webhooks/mailgun", "application/json", event(now, key, "permanent", "grace.nobody@gmail.com", "550 5.1.1 The email account that you tried to reach does not exist"), nil); code != http.StatusOK {
		t.Fatalf("a signed failure: %d", code)
	}
	if code := post(t, h, "/webhooks/mailgun", "application/json", event(now, key, "temporary", "ivan.full@gmail.com", "452 4.2.2 over quota"), nil); code != http.StatusOK {
		t.Fatalf("a signed temporary failure: %d", code)
	}
	if got := f.suppression(t, "grace.nobody@gmail.com"); got != "hard_bounce mailgun" {
		t.Errorf("Grace: %q", got)
	}
	n, counted, _ := f.st.RecordSoftBounceOnce(context.Background(), testKeys().Hash("email", Normalize("email", "ivan.full@gmail.com", "")), "mailgun:20260310085734.1.ABC@mg.shop.example", now, "", now.Add(-time.Hour))
	if n != 1 || counted {
		t.Errorf("Ivan's soft bounce: %d, counted again %v; want the webhook's one, counted once", n, counted)
	}
}

// TestMailchimpWebhook: Mailchimp signs nothing, so the URL's secret
// decides; its URL check (GET) and events (form posts) are refused
// without it.
func TestMailchimpWebhook(t *testing.T) {
	f, w := newWebhooks(t)
	h := w.Mailchimp("s3cr3t-9f2a")
	form := url.Values{"type": {"unsubscribe"}, "fired_at": {"2026-03-01 21:45:09"}, "data[action]": {"unsub"},
		"data[email]": {"judy.k@isp.example"}, "data[list_id]": {"a6b5da1054"}}.Encode()
	if code := post(t, h, "/webhooks/mailchimp?secret=guess", "application/x-www-form-urlencoded", form, nil); code != http.StatusUnauthorized {
		t.Errorf("a wrong secret: %d, want 401", code)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webhooks/mailchimp?secret=s3cr3t-9f2a", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("Mailchimp's URL check: %d, want 200", rec.Code)
	}
	if code := post(t, h, "/webhooks/mailchimp?secret=s3cr3t-9f2a&list=newsletter", "application/x-www-form-urlencoded", form, nil); code != http.StatusOK {
		t.Fatalf("an unsubscribe: %d", code)
	}
	cleaned := url.Values{"type": {"cleaned"}, "fired_at": {"2026-03-02 08:00:00"}, "data[reason]": {"hard"}, "data[email]": {"frank.old@contoso.example"}}.Encode()
	post(t, h, "/webhooks/mailchimp?secret=s3cr3t-9f2a", "application/x-www-form-urlencoded", cleaned, nil)
	if got := f.suppression(t, "judy.k@isp.example"); got != "unsubscribed mailchimp newsletter" {
		t.Errorf("Judy: %q", got)
	}
	if got := f.suppression(t, "frank.old@contoso.example"); got != "hard_bounce mailchimp" {
		t.Errorf("Frank: %q", got)
	}
}

// fakeSNS serves one certificate and records confirmations.
type fakeSNS struct {
	cert      *x509.Certificate
	confirmed []string
}

func (s *fakeSNS) Certificate(ctx context.Context, u string) (*x509.Certificate, error) {
	return s.cert, nil
}
func (s *fakeSNS) Confirm(ctx context.Context, u string) error {
	s.confirmed = append(s.confirmed, u)
	return nil
}

// TestSESWebhook: SES notifications come signed by SNS: a bounce and a
// complaint of the configured topic apply, a subscription to it is
// confirmed; a message of another topic is 403 even when Amazon signed
// it, and an altered one is 401.
func TestSESWebhook(t *testing.T) {
	f, w := newWebhooks(t)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sns.eu-west-1.amazonaws.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	sns := &fakeSNS{cert: cert}
	const topic = "arn:aws:sns:eu-west-1:123456789012:ses-bounces"
	h := w.SES(sns, []string{topic})
	message := func(typ, topicArn, msg string) string {
		m := snsMessage{Type: typ, MessageID: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b", TopicArn: topicArn, Message: msg,
			Timestamp: "2026-03-10T09:00:00.000Z", SignatureVersion: "2", Token: "2336412f37f",
			SigningCertURL: "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem"}
		if typ == "SubscriptionConfirmation" {
			m.SubscribeURL = "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + topicArn + "&Token=2336412f37f"
		}
		sum := sha256.Sum256([]byte(m.stringToSign()))
		sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
		m.Signature = base64.StdEncoding.EncodeToString(sig)
		out, _ := json.Marshal(m)
		return string(out)
	}
	bounce := `{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","timestamp":"2026-03-10T08:59:58.000Z","feedbackId":"0102018e1f",
"bouncedRecipients":[{"emailAddress":"frank.old@contoso.example","action":"failed","status":"5.1.10","diagnosticCode":"smtp; 550 5.1.10 RESOLVER.ADR.RecipientNotFound"}]},
"mail":{"messageId":"0102018e1e-ab12"}}`
	complaint := `{"notificationType":"Complaint","complaint":{"complaintFeedbackType":"abuse","timestamp":"2026-03-10T10:00:00.000Z","feedbackId":"0102018e20",
"complainedRecipients":[{"emailAddress":"judy.k@isp.example"}]},"mail":{"messageId":"0102018e1e-cd34"}}`

	if code := post(t, h, "/webhooks/ses", "text/plain", message("Notification", "arn:aws:sns:eu-west-1:999999999999:theirs", bounce), nil); code != http.StatusForbidden {
		t.Errorf("another topic: %d, want 403", code)
	}
	altered := strings.Replace(message("Notification", topic, bounce), "frank.old", "grace.nobody", 1)
	if code := post(t, h, "/webhooks/ses", "text/plain", altered, nil); code != http.StatusUnauthorized {
		t.Errorf("an altered message: %d, want 401", code)
	}
	if code := post(t, h, "/webhooks/ses", "text/plain", message("SubscriptionConfirmation", topic, "You have chosen to subscribe"), nil); code != http.StatusOK || len(sns.confirmed) != 1 {
		t.Errorf("a subscription: %d, confirmed %v", code, sns.confirmed)
	}
	for _, msg := range []string{bounce, complaint} {
		if code := post(t, h, "/webhooks/ses", "text/plain", message("Notification", topic, msg), nil); code != http.StatusOK {
			t.Fatalf("a signed notification: %d", code)
		}
	}
	if got := f.suppression(t, "frank.old@contoso.example"); got != "hard_bounce ses" {
		t.Errorf("Frank: %q", got)
	}
	if got := f.suppression(t, "judy.k@isp.example"); got != "complaint ses" {
		t.Errorf("Judy: %q", got)
	}
	if got := f.suppression(t, "grace.nobody@gmail.com"); got != "" {
		t.Errorf("Grace, named only in the altered message: %q", got)
	}
	if err := checkSNSURL("https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem"); err == nil {
		t.Error("a look-alike host taken for SNS")
	}
}
