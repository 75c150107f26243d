package suppress

import (
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

// Webhooks receive email providers' events (bounces, complaints,
// unsubscribes) as they happen and apply them as ImportESP applies their
// exports. Each provider's handler authenticates the request by the
// provider's signature scheme (SendGrid's ECDSA, Mailgun's HMAC, Amazon
// SNS's certificates), or by a shared secret in the URL where the
// provider signs nothing (Mailchimp). A request that does not
// authenticate is 401 and changes nothing; one the database cannot take
// now is 500, so the provider sends it again (applying an event twice
// changes nothing).
type Webhooks struct {
	Applier *Applier
	Store   steward.Store
	Logger  *slog.Logger
	// Now is the clock for signature ages; nil is time.Now.
	Now func() time.Time
}

// maxWebhookBody bounds a request body: providers batch at most some
// thousand events.
const maxWebhookBody = 8 << 20

// webhookError is an answer other than 200: its status and what the
// provider is told.
type webhookError struct {
	status int
	msg    string
}

func (e *webhookError) Error() string { return e.msg }

func unauthorized(msg string) error { return &webhookError{http.StatusUnauthorized, msg} }
func badRequest(msg string) error   { return &webhookError{http.StatusBadRequest, msg} }

func (w *Webhooks) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Webhooks) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// handler reads the body (POST only), lets parse authenticate it and
// turn it into events, and applies them in one transaction.
func (w *Webhooks) handler(source string, parse func(r *http.Request, body []byte) ([]Event, error)) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			rw.Header().Set("Allow", "POST")
			http.Error(rw, "POST events here", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxWebhookBody))
		if err != nil {
			http.Error(rw, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		events, err := parse(r, body)
		if err == nil {
			err = w.apply(r.Context(), source, events)
		}
		var we *webhookError
		switch {
		case err == nil:
			rw.WriteHeader(http.StatusOK)
		case errors.As(err, &we):
			w.logger().Warn("webhook refused", "source", source, "status", we.status, "reason", we.msg, "remote", r.RemoteAddr)
			http.Error(rw, we.msg, we.status)
		default:
			w.logger().Error("webhook events not applied", "source", source, "err", err)
			http.Error(rw, "the events could not be stored now; send them again", http.StatusInternalServerError)
		}
	})
}

func (w *Webhooks) apply(ctx context.Context, source string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	return w.Store.Atomic(ctx, func(ctx context.Context, st steward.Store) error {
		for _, ev := range events {
			ev.Source = source
			if Normalize(steward.ChannelEmail, ev.Address, "") == "" {
				continue // an event without an address of ours to act on
			}
			if _, err := w.Applier.Apply(ctx, st, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// ParseSendGridKey reads the verification key SendGrid shows for its
// signed Event Webhook: base64 of a DER (PKIX) ECDSA public key.
func ParseSendGridKey(s string) (*ecdsa.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("sendgrid verification key: %w", err)
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("sendgrid verification key: %w", err)
	}
	ek, ok := k.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("sendgrid verification key: not an ECDSA key")
	}
	return ek, nil
}

// SendGrid handles SendGrid's Event Webhook (a JSON array of events),
// signed: the ECDSA signature of the timestamp header and the body, by
// the key SendGrid shows as the webhook's verification key. bounce (type
// bounce: by its status; type blocked: the message's fault, nothing),
// spamreport and unsubscribe suppress every message, group_unsubscribe
// the group's list (rules: suppression.sendgrid_groups); dropped is
// SendGrid's own suppression; the rest (delivered, deferred, opens …) is
// no concern of suppressions.
func (w *Webhooks) SendGrid(key *ecdsa.PublicKey) http.Handler {
	return w.handler("sendgrid", func(r *http.Request, body []byte) ([]Event, error) {
		sig, err := base64.StdEncoding.DecodeString(r.Header.Get("X-Twilio-Email-Event-Webhook-Signature"))
		ts := r.Header.Get("X-Twilio-Email-Event-Webhook-Timestamp")
		if err != nil || len(sig) == 0 || ts == "" {
			return nil, unauthorized("missing or malformed signature")
		}
		h := sha256.New()
		h.Write([]byte(ts))
		h.Write(body)
		if key == nil || !ecdsa.VerifyASN1(key, h.Sum(nil), sig) {
			return nil, unauthorized("signature does not verify")
		}
		var raw []struct {
			Email      string  `json:"email"`
			Timestamp  float64 `json:"timestamp"`
			Event      string  `json:"event"`
			Type       string  `json:"type"`
			Status     string  `json:"status"`
			Reason     string  `json:"reason"`
			MessageID  string  `json:"sg_message_id"`
			ASMGroupID int     `json:"asm_group_id"`
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, badRequest("want a JSON array of events")
		}
		var out []Event
		for _, e := range raw {
			ev := Event{Finding: Finding{Address: e.Email, Detail: e.Reason}, Key: e.MessageID, At: unixTime(e.Timestamp)}
			switch e.Event {
			case "bounce":
				if e.Type == "blocked" {
					ev.Effect = EffectSenderProblem
					break
				}
				se := BounceEffect(w.Applier.Rules, "failed", enhancedCode(e.Status), e.Reason)
				ev.Effect, ev.Status = se.Effect, se.Code
			case "spamreport":
				ev.Effect, ev.Detail = EffectComplaint, "spam report"
			case "unsubscribe":
				ev.Effect, ev.Detail = EffectUnsubscribe, "unsubscribed"
			case "group_unsubscribe":
				// A group unsubscribe is one list's (the rules name it), never
				// every message's.
				ev.Effect, ev.Detail = EffectUnsubscribe, fmt.Sprintf("unsubscribed from group %d", e.ASMGroupID)
				ev.Scope = w.Applier.Rules.SendGridGroupList(e.ASMGroupID)
			case "dropped":
				ev.Effect, ev.Detail = effectESP, "dropped: "+e.Reason
			default:
				continue
			}
			ev.Evidence = fmt.Sprintf("sendgrid %s %s %s", e.Event, ev.Status, e.MessageID)
			out = append(out, ev)
		}
		return out, nil
	})
}

// mailgunMaxAge is how far a Mailgun signature's timestamp may be from
// now, against replays.
const mailgunMaxAge = 15 * time.Minute

// Mailgun handles Mailgun's webhooks (one JSON event per request), signed:
// the HMAC-SHA256 of timestamp and token with the account's webhook
// signing key, no older than 15 minutes. failed (permanent: by its
// status; temporary: a soft bounce), complained and unsubscribed apply.
func (w *Webhooks) Mailgun(signingKey []byte) http.Handler {
	return w.handler("mailgun", func(r *http.Request, body []byte) ([]Event, error) {
		var p struct {
			Signature struct {
				Timestamp string `json:"timestamp"`
				Token     string `json:"token"`
				Signature string `json:"signature"`
			} `json:"signature"`
			Data struct {
				Event     string  `json:"event"`
				Severity  string  `json:"severity"`
				Reason    string  `json:"reason"`
				Recipient string  `json:"recipient"`
				Timestamp float64 `json:"timestamp"`
				Tags      []string
				Status    struct {
					Code        int    `json:"code"`
					Message     string `json:"message"`
					Description string `json:"description"`
				} `json:"delivery-status"`
				Message struct {
					Headers struct {
						MessageID string `json:"message-id"`
					} `json:"headers"`
				} `json:"message"`
			} `json:"event-data"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, badRequest("want Mailgun's JSON event")
		}
		s := p.Signature
		m := hmac.New(sha256.New, signingKey)
		m.Write([]byte(s.Timestamp + s.Token))
		got, err := hex.DecodeString(s.Signature)
		if len(signingKey) == 0 || err != nil || !hmac.Equal(got, m.Sum(nil)) {
			return nil, unauthorized("signature does not verify")
		}
		sec, err := strconv.ParseInt(s.Timestamp, 10, 64)
		if err != nil || math.Abs(w.now().Sub(time.Unix(sec, 0)).Seconds()) > mailgunMaxAge.Seconds() {
			return nil, unauthorized("signature too old or from the future")
		}
		d := p.Data
		detail := strings.TrimSpace(d.Status.Message + " " + d.Status.Description)
		ev := Event{Finding: Finding{Address: d.Recipient, Detail: detail}, Key: d.Message.Headers.MessageID, At: unixTime(d.Timestamp)}
		switch d.Event {
		case "failed":
			code := enhancedCode(detail)
			switch {
			case d.Reason == "suppress-bounce" || d.Reason == "suppress-complaint" || d.Reason == "suppress-unsubscribe":
				ev.Effect, ev.Detail = effectESP, "Mailgun's suppression: "+d.Reason
			case d.Severity == "temporary":
				ev.Effect, ev.Status = EffectSoftBounce, code
			default:
				if code == "" && d.Status.Code >= 500 {
					code = "5.0.0"
				}
				se := BounceEffect(w.Applier.Rules, "failed", code, "")
				ev.Effect, ev.Status = se.Effect, se.Code
			}
		case "complained":
			ev.Effect, ev.Detail = EffectComplaint, "complaint"
		case "unsubscribed":
			ev.Effect, ev.Detail = EffectUnsubscribe, "unsubscribed"
		default:
			return nil, nil
		}
		ev.Evidence = fmt.Sprintf("mailgun %s %s %s", d.Event, ev.Status, d.Message.Headers.MessageID)
		return []Event{ev}, nil
	})
}

// Mailchimp handles Mailchimp's audience webhooks (form posts: type
// unsubscribe, or cleaned with reason hard or abuse). Mailchimp signs
// nothing: the URL carries a secret (?secret=…), compared in constant
// time; ?list=L makes its unsubscribes L's (an audience is a list). Mailchimp checks a URL with a GET before it saves it, answered
// 200 when the secret is right.
func (w *Webhooks) Mailchimp(secret string) http.Handler {
	post := w.handler("mailchimp", func(r *http.Request, body []byte) ([]Event, error) {
		if !secretOK(r, secret) {
			return nil, unauthorized("wrong or missing secret")
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, badRequest("want a form post")
		}
		at, _ := time.Parse("2006-01-02 15:04:05", form.Get("fired_at"))
		ev := Event{Finding: Finding{Address: form.Get("data[email]")}, At: at, Key: form.Get("data[list_id]") + ":" + form.Get("fired_at")}
		switch form.Get("type") {
		case "unsubscribe":
			ev.Effect, ev.Detail, ev.Scope = EffectUnsubscribe, "unsubscribed ("+form.Get("data[action]")+")", r.URL.Query().Get("list")
		case "cleaned":
			if form.Get("data[reason]") == "abuse" {
				ev.Effect, ev.Detail = EffectComplaint, "cleaned: abuse"
			} else {
				ev.Effect, ev.Detail = EffectHardBounce, "cleaned: "+form.Get("data[reason]")
			}
		default:
			return nil, nil
		}
		ev.Evidence = fmt.Sprintf("mailchimp %s list %s at %s", form.Get("type"), form.Get("data[list_id]"), form.Get("fired_at"))
		return []Event{ev}, nil
	})
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			if !secretOK(r, secret) {
				http.Error(rw, "wrong or missing secret", http.StatusUnauthorized)
				return
			}
			rw.WriteHeader(http.StatusOK)
			return
		}
		post.ServeHTTP(rw, r)
	})
}

// secretOK reports whether the request's ?secret= is secret (never when
// secret is empty).
func secretOK(r *http.Request, secret string) bool {
	got := r.URL.Query().Get("secret")
	return secret != "" && subtle.ConstantTimeCompare([]byte(got), []byte(secret)) == 1
}

func unixTime(f float64) time.Time {
	if f <= 0 {
		return time.Time{}
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
}
