package suppress

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// SNS fetches what Amazon SNS messages point at: the certificate that
// signs them and the URL that confirms a subscription. HTTPSNS is the one
// that asks Amazon; tests use their own.
type SNS interface {
	Certificate(ctx context.Context, certURL string) (*x509.Certificate, error)
	Confirm(ctx context.Context, subscribeURL string) error
}

// snsHost is the host of every URL an SNS message may point at.
var snsHost = regexp.MustCompile(`^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// checkSNSURL refuses a URL that is not https on an SNS host, so that a
// forged message cannot make steward fetch anything else.
func checkSNSURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || !snsHost.MatchString(u.Hostname()) || u.User != nil || (u.Port() != "" && u.Port() != "443") {
		return fmt.Errorf("not an Amazon SNS URL: %q", s)
	}
	return nil
}

// HTTPSNS fetches SNS signing certificates (cached by URL) and confirms
// subscriptions over HTTPS, only on Amazon SNS hosts.
type HTTPSNS struct {
	Client *http.Client

	mu    sync.Mutex
	certs map[string]*x509.Certificate
}

func (h *HTTPSNS) client() *http.Client {
	if h.Client != nil {
		return h.Client
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (h *HTTPSNS) get(ctx context.Context, u string) ([]byte, error) {
	if err := checkSNSURL(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := h.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<10))
}

// Certificate implements SNS.
func (h *HTTPSNS) Certificate(ctx context.Context, certURL string) (*x509.Certificate, error) {
	h.mu.Lock()
	c, ok := h.certs[certURL]
	h.mu.Unlock()
	if ok {
		return c, nil
	}
	data, err := h.get(ctx, certURL)
	if err != nil {
		return nil, fmt.Errorf("sns certificate: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("sns certificate: not PEM")
	}
	c, err = x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("sns certificate: %w", err)
	}
	h.mu.Lock()
	if h.certs == nil {
		h.certs = make(map[string]*x509.Certificate)
	}
	h.certs[certURL] = c
	h.mu.Unlock()
	return c, nil
}

// Confirm implements SNS.
func (h *HTTPSNS) Confirm(ctx context.Context, subscribeURL string) error {
	_, err := h.get(ctx, subscribeURL)
	return err
}

// snsMessage is an SNS HTTP(S) delivery.
type snsMessage struct {
	Type             string
	MessageID        string `json:"MessageId"`
	Token            string
	TopicArn         string
	Subject          *string
	Message          string
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string
	SubscribeURL     string
}

// stringToSign is what SNS signs of a message (its fields in a fixed
// order, each name and value on a line).
func (m *snsMessage) stringToSign() string {
	var b strings.Builder
	add := func(k, v string) { b.WriteString(k + "\n" + v + "\n") }
	add("Message", m.Message)
	add("MessageId", m.MessageID)
	if m.Type == "Notification" {
		if m.Subject != nil {
			add("Subject", *m.Subject)
		}
	} else {
		add("SubscribeURL", m.SubscribeURL)
	}
	add("Timestamp", m.Timestamp)
	if m.Type != "Notification" {
		add("Token", m.Token)
	}
	add("TopicArn", m.TopicArn)
	add("Type", m.Type)
	return b.String()
}

// verify checks the message's signature with the certificate its
// SigningCertURL (an SNS host) serves: SignatureVersion 1 is RSA with
// SHA-1, 2 with SHA-256.
func (m *snsMessage) verify(ctx context.Context, sns SNS) error {
	if err := checkSNSURL(m.SigningCertURL); err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return errors.New("signature is not base64")
	}
	cert, err := sns.Certificate(ctx, m.SigningCertURL)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("the signing certificate's key is not RSA")
	}
	text := []byte(m.stringToSign())
	switch m.SignatureVersion {
	case "1":
		sum := sha1.Sum(text)
		return rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
	case "2":
		sum := sha256.Sum256(text)
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	}
	return fmt.Errorf("unknown signature version %q", m.SignatureVersion)
}

// SES handles Amazon SES notifications delivered by SNS over HTTPS:
// bounce notifications (Permanent: by each recipient's status;
// Transient: a soft bounce; Undetermined: nothing) and complaints. Each
// message's SNS signature is verified with the certificate its signing
// URL serves (on an SNS host only), and only messages of the topics named
// are taken, since anyone can make a topic that Amazon signs; a
// subscription to one of them is confirmed.
func (w *Webhooks) SES(sns SNS, topics []string) http.Handler {
	return w.handler("ses", func(r *http.Request, body []byte) ([]Event, error) {
		var m snsMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, badRequest("want an Amazon SNS message")
		}
		if err := m.verify(r.Context(), sns); err != nil {
			return nil, unauthorized("SNS signature does not verify: " + err.Error())
		}
		if !slices.Contains(topics, m.TopicArn) {
			return nil, &webhookError{http.StatusForbidden, "messages of topic " + m.TopicArn + " are not taken here"}
		}
		switch m.Type {
		case "SubscriptionConfirmation":
			if err := sns.Confirm(r.Context(), m.SubscribeURL); err != nil {
				return nil, fmt.Errorf("confirm the subscription to %s: %w", m.TopicArn, err)
			}
			w.logger().Info("ses: subscribed", "topic", m.TopicArn)
			return nil, nil
		case "Notification":
		default:
			return nil, nil // UnsubscribeConfirmation
		}
		return w.sesEvents(m.Message)
	})
}

// sesEvents reads an SES notification (or an event of an event
// destination, which names its type eventType).
func (w *Webhooks) sesEvents(msg string) ([]Event, error) {
	var n struct {
		NotificationType string `json:"notificationType"`
		EventType        string `json:"eventType"`
		Bounce           struct {
			BounceType        string `json:"bounceType"`
			BounceSubType     string `json:"bounceSubType"`
			Timestamp         time.Time
			FeedbackID        string `json:"feedbackId"`
			BouncedRecipients []struct {
				EmailAddress   string `json:"emailAddress"`
				Action         string `json:"action"`
				Status         string `json:"status"`
				DiagnosticCode string `json:"diagnosticCode"`
			} `json:"bouncedRecipients"`
		} `json:"bounce"`
		Complaint struct {
			ComplaintFeedbackType string `json:"complaintFeedbackType"`
			Timestamp             time.Time
			FeedbackID            string `json:"feedbackId"`
			ComplainedRecipients  []struct {
				EmailAddress string `json:"emailAddress"`
			} `json:"complainedRecipients"`
		} `json:"complaint"`
		Mail struct {
			MessageID string `json:"messageId"`
		} `json:"mail"`
	}
	if err := json.Unmarshal([]byte(msg), &n); err != nil {
		return nil, badRequest("the SNS message is not an SES notification")
	}
	kind := n.NotificationType
	if kind == "" {
		kind = n.EventType
	}
	var out []Event
	switch kind {
	case "Bounce":
		b := n.Bounce
		for _, rcpt := range b.BouncedRecipients {
			ev := Event{Finding: Finding{Address: rcpt.EmailAddress, Detail: rcpt.DiagnosticCode}, Key: n.Mail.MessageID, At: b.Timestamp,
				Evidence: fmt.Sprintf("ses %s/%s %s", b.BounceType, b.BounceSubType, b.FeedbackID)}
			switch {
			case b.BounceSubType == "Suppressed" || b.BounceSubType == "OnAccountSuppressionList":
				ev.Effect, ev.Detail = effectESP, "SES suppression list"
			case b.BounceType == "Permanent":
				code := enhancedCode(rcpt.Status)
				if code == "" {
					code = "5.1.1" // SES: the address does not exist, or was suppressed for it
				}
				se := BounceEffect(w.Applier.Rules, "failed", code, rcpt.DiagnosticCode)
				ev.Effect, ev.Status = se.Effect, se.Code
			case b.BounceType == "Transient":
				ev.Effect, ev.Status = EffectSoftBounce, enhancedCode(rcpt.Status)
			default:
				continue
			}
			out = append(out, ev)
		}
	case "Complaint":
		c := n.Complaint
		if c.ComplaintFeedbackType == "not-spam" {
			return nil, nil
		}
		for _, rcpt := range c.ComplainedRecipients {
			out = append(out, Event{Finding: Finding{Address: rcpt.EmailAddress, Effect: EffectComplaint, Detail: "complaint " + c.ComplaintFeedbackType},
				Key: n.Mail.MessageID, At: c.Timestamp, Evidence: "ses complaint " + c.FeedbackID})
		}
	}
	return out, nil
}
