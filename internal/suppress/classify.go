package suppress

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"github.com/steward-crm/steward/rules"
)

// Kind is what an inbound message is.
type Kind string

// Kinds of inbound messages.
const (
	KindDSN         Kind = "dsn"         // an RFC 3464 delivery status notification (a bounce, a delay)
	KindComplaint   Kind = "complaint"   // an RFC 5965 feedback report (ARF) from a mailbox provider
	KindUnsubscribe Kind = "unsubscribe" // a request sent to a List-Unsubscribe mailto: address
	KindAutoReply   Kind = "auto_reply"  // an out-of-office or other automatic reply: nothing to do
)

// Effect is what an inbound message means for one address.
type Effect string

// Effects.
const (
	EffectHardBounce    Effect = "hard_bounce"    // the mailbox does not exist: suppressed and marked invalid
	EffectSoftBounce    Effect = "soft_bounce"    // a temporary failure: counted, too many within the window suppress
	EffectSenderProblem Effect = "sender_problem" // policy, reputation, the message itself: nothing against the address
	EffectDelivered     Effect = "delivered"      // a delivery report of success
	EffectComplaint     Effect = "complaint"      // the person reported a message as spam: suppressed
	EffectUnsubscribe   Effect = "unsubscribe"    // an authenticated request by mail: suppressed
	EffectUnverified    Effect = "unverified"     // an unsubscribe request whose sender could not be authenticated: nothing
	EffectNone          Effect = "none"           // a report that asks for nothing (feedback type not-spam, an unknown action)
)

// Finding is what an inbound message says about one address.
type Finding struct {
	// Address is the address as the message gives it; "" when only a
	// token names it.
	Address string `json:"address,omitempty"`
	// Token is a steward token the message carries for the address (a
	// VERP return path, a List-Unsubscribe link, the address a request was
	// sent to), which names the customer, the list and the address's hash.
	Token *Token `json:"-"`
	// CustomerID and List are the token's, for the record (never its
	// address hash).
	CustomerID int64  `json:"customer_id,omitempty"`
	List       string `json:"list,omitempty"`
	Effect     Effect `json:"effect"`
	// Status is the enhanced status code of a delivery report.
	Status string `json:"status,omitempty"`
	// Scope is the list an unsubscribe request is for, "" for every
	// message.
	Scope string `json:"scope,omitempty"`
	// Detail is what a person reading the record needs: the remote
	// server's diagnostic, the feedback type, the authentication result.
	Detail string `json:"detail,omitempty"`
}

// Message is a classified inbound message.
type Message struct {
	Kind Kind `json:"kind"`
	// ID is the message's Message-ID without <>, or "sha256:" and a hash
	// of its bytes when it has none, so the same message always has the
	// same ID.
	ID string `json:"message_id"`
	// OriginalID is the Message-ID of the message a report is about, when
	// the report carries it.
	OriginalID string `json:"original_message_id,omitempty"`
	// Date is when the event happened: the report's arrival or last
	// attempt date, else the message's Date; zero when it has none.
	Date     time.Time `json:"date"`
	Findings []Finding `json:"findings"`
}

// AsideError is a message that cannot be classified: it is kept aside,
// with Reason, for a person to look at.
type AsideError struct{ Reason string }

func (e *AsideError) Error() string { return e.Reason }

func aside(format string, args ...any) error {
	return &AsideError{Reason: fmt.Sprintf(format, args...)}
}

// Envelope is what the delivering MTA said about a message: LMTP's MAIL
// FROM and RCPT TO. For messages read from files it is empty and the
// recipients come from the headers (Delivered-To, X-Original-To,
// Envelope-To, To).
type Envelope struct {
	From string
	To   []string
}

// Classifier reads inbound messages: delivery reports, complaint reports,
// unsubscribe requests.
type Classifier struct {
	// Rules says which status codes are hard bounces.
	Rules *rules.Suppression
	// Keys verify the tokens that steward's links and return paths carry;
	// nil reads none.
	Keys *Keys
	// Resolver looks up DKIM keys and DMARC policies; without one an
	// unsubscribe request is deferred (ErrTemporary) until one is there.
	Resolver TXTResolver
	// OwnMTAs are the authserv-ids of the MTAs whose
	// Authentication-Results headers are believed.
	OwnMTAs []string
}

// maxOriginalHeader bounds the reported message's header read.
const maxOriginalHeader = 256 << 10

// report is what walking a message's parts found.
type report struct {
	status   []byte // message/delivery-status
	feedback []byte // message/feedback-report
	original *textproto.Header
}

// Classify reads one message and says what it means for which addresses.
// A message that is none of the kinds it knows, or cannot be read, is an
// *AsideError naming why; a judgement that needs a DNS answer it could not
// get wraps ErrTemporary.
func (c *Classifier) Classify(ctx context.Context, raw []byte, env Envelope) (*Message, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, aside("unreadable message header: %v", err)
	}
	h := mail.Header{Header: e.Header}
	m := &Message{ID: messageID(h.Get("Message-Id"))}
	if m.ID == "" {
		sum := sha256.Sum256(raw)
		m.ID = "sha256:" + hex.EncodeToString(sum[:16])
	}
	m.Date, _ = h.Date()
	rep, walkErr := walk(e)
	switch {
	case rep.status != nil:
		return c.classifyDSN(m, rep)
	case rep.feedback != nil:
		return c.classifyComplaint(m, rep)
	case walkErr != nil:
		return nil, aside("unreadable MIME structure: %v", walkErr)
	case isAutoReply(h):
		// Vacation replies go to the sender, never to an unsubscribe
		// address on a person's behalf.
		m.Kind = KindAutoReply
		return m, nil
	}
	if to, tok := c.unsubscribeRecipient(h, env); to != "" {
		return c.classifyUnsubscribe(ctx, m, raw, h, tok)
	}
	return nil, aside("not a delivery report, a complaint report or an unsubscribe request")
}

// walk finds the report parts of a message and the reported message's
// header.
func walk(e *message.Entity) (report, error) {
	var rep report
	err := e.Walk(func(path []int, part *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			return err
		}
		t, _, _ := part.Header.ContentType()
		switch strings.ToLower(t) {
		case "message/delivery-status", "message/global-delivery-status":
			if rep.status == nil {
				rep.status, err = io.ReadAll(io.LimitReader(part.Body, maxStatusBody))
			}
		case "message/feedback-report":
			if rep.feedback == nil {
				rep.feedback, err = io.ReadAll(io.LimitReader(part.Body, maxStatusBody))
			}
		case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
			if rep.original == nil && len(path) > 0 {
				oh, herr := textproto.ReadHeader(bufio.NewReader(io.LimitReader(part.Body, maxOriginalHeader)))
				if herr == nil || oh.Len() > 0 {
					rep.original = &oh
				}
			}
		}
		return err
	})
	return rep, err
}

func (c *Classifier) classifyDSN(m *Message, rep report) (*Message, error) {
	ds, err := ParseDeliveryStatus(bytes.NewReader(rep.status))
	if err != nil {
		return nil, aside("delivery report: %v", err)
	}
	m.Kind = KindDSN
	m.OriginalID = ds.OriginalMessageID
	var tok *Token
	if rep.original != nil {
		if id := messageID(rep.original.Get("Message-Id")); id != "" {
			m.OriginalID = id
		}
		tok = c.originalToken(rep.original)
	}
	if !ds.ArrivalDate.IsZero() {
		m.Date = ds.ArrivalDate
	}
	for _, r := range ds.Recipients {
		se := BounceEffect(c.Rules, r.Action, r.Status, r.DiagnosticCode)
		f := Finding{Address: r.Address(), Effect: se.Effect, Status: se.Code, Detail: r.DiagnosticCode}
		if f.Detail == "" {
			f.Detail = r.Action
		}
		if !r.LastAttempt.IsZero() {
			m.Date = r.LastAttempt
		}
		if len(ds.Recipients) == 1 {
			f = f.withToken(tok)
		}
		m.Findings = append(m.Findings, f)
	}
	return m, nil
}

func (c *Classifier) classifyComplaint(m *Message, rep report) (*Message, error) {
	fr, err := ParseFeedbackReport(bytes.NewReader(rep.feedback))
	if err != nil {
		return nil, aside("complaint report: %v", err)
	}
	m.Kind = KindComplaint
	if !fr.ArrivalDate.IsZero() {
		m.Date = fr.ArrivalDate
	}
	effect, detail := EffectComplaint, "feedback type "+fr.FeedbackType
	if fr.UserAgent != "" {
		detail += " from " + fr.UserAgent
	}
	switch fr.FeedbackType {
	case "abuse":
	case "not-spam":
		effect = EffectNone
	default:
		// fraud, virus, other: about the message, not the person's wish.
		effect = EffectNone
	}
	var tok *Token
	var to []string
	if t, ok := c.Keys.FindToken(fr.OriginalMailFrom); ok {
		tok = &t
	}
	if rep.original != nil {
		m.OriginalID = messageID(rep.original.Get("Message-Id"))
		if tok == nil {
			tok = c.originalToken(rep.original)
		}
		if addrs, err := (&mail.Header{Header: message.Header{Header: *rep.original}}).AddressList("To"); err == nil && len(addrs) == 1 {
			to = []string{addrs[0].Address}
		}
		// Microsoft's JMRP names the recipient in a header of its own.
		if a := angleAddress(rep.original.Get("X-HmXmrOriginalRecipient")); strings.Contains(a, "@") {
			to = []string{a}
		}
	}
	if len(fr.OriginalRcptTo) > 0 {
		to = fr.OriginalRcptTo
	}
	switch {
	case tok != nil:
		addr := ""
		if len(to) == 1 {
			addr = to[0]
		}
		m.Findings = append(m.Findings, Finding{Address: addr, Effect: effect, Detail: detail}.withToken(tok))
	case len(to) > 0:
		for _, a := range to {
			m.Findings = append(m.Findings, Finding{Address: a, Effect: effect, Detail: detail})
		}
	default:
		return nil, aside("complaint report (%s) that names no recipient: no Original-Rcpt-To, no recipient in the reported message, no steward token", fr.FeedbackType)
	}
	return m, nil
}

// originalToken finds a steward token in the reported message's header:
// its return path (VERP), its List-Unsubscribe links, its recipient.
func (c *Classifier) originalToken(h *textproto.Header) *Token {
	for _, k := range []string{"Return-Path", "List-Unsubscribe", "X-Steward-Token", "To"} {
		for _, v := range h.Values(k) {
			if t, ok := c.Keys.FindToken(v); ok {
				return &t
			}
		}
	}
	return nil
}

// isAutoReply reports whether a message says it was sent by a program
// (RFC 3834 Auto-Submitted, and the headers vacation programs use).
func isAutoReply(h mail.Header) bool {
	if v := strings.ToLower(strings.TrimSpace(stripComment(h.Get("Auto-Submitted")))); v != "" && v != "no" {
		return true
	}
	if h.Has("X-Autoreply") || h.Has("X-Autorespond") {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "auto_reply", "bulk", "junk":
		return true
	}
	return false
}

// authHeaders are the headers authentication reads, taken before the
// message is consumed.
type authHeaders struct {
	authResults []string
}

// unsubscribeRecipient returns the address an unsubscribe request was
// sent to, and the token it carries: a recipient whose local part carries
// a steward token, or starts with "unsubscribe" or ends in
// "-unsubscribe" or "-leave" (as list managers name theirs), or any
// recipient when the subject is "unsubscribe". "" when the message is no
// such request.
func (c *Classifier) unsubscribeRecipient(h mail.Header, env Envelope) (string, *Token) {
	rcpts := env.To
	if len(rcpts) == 0 {
		for _, k := range []string{"Delivered-To", "X-Original-To", "Envelope-To"} {
			for _, v := range h.Values(k) {
				rcpts = append(rcpts, angleAddress(v))
			}
		}
		if addrs, err := h.AddressList("To"); err == nil {
			for _, a := range addrs {
				rcpts = append(rcpts, a.Address)
			}
		}
	}
	for _, r := range rcpts {
		local, _, ok := strings.Cut(r, "@")
		if !ok {
			continue
		}
		if t, ok := c.Keys.FindToken(local); ok {
			return r, &t
		}
		l := strings.ToLower(local)
		if strings.HasPrefix(l, "unsubscribe") || strings.HasSuffix(l, "-unsubscribe") || strings.HasSuffix(l, "-leave") {
			return r, nil
		}
	}
	subject, _ := h.Subject()
	subject = strings.ToLower(strings.TrimSpace(subject))
	for _, p := range []string{"re:", "aw:", "fw:", "fwd:"} {
		subject = strings.TrimSpace(strings.TrimPrefix(subject, p))
	}
	if len(rcpts) > 0 && (subject == "unsubscribe" || strings.HasPrefix(subject, "unsubscribe ")) {
		return rcpts[0], nil
	}
	return "", nil
}

func (c *Classifier) classifyUnsubscribe(ctx context.Context, m *Message, raw []byte, h mail.Header, tok *Token) (*Message, error) {
	m.Kind = KindUnsubscribe
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 {
		return nil, aside("unsubscribe request without exactly one From address")
	}
	addr := from[0].Address
	_, domain, ok := strings.Cut(addr, "@")
	if !ok || domain == "" {
		return nil, aside("unsubscribe request from %q, which is no address", addr)
	}
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	hdr := authHeaders{authResults: h.Values("Authentication-Results")}
	auth, err := c.authenticate(ctx, raw, hdr, domain)
	if err != nil {
		return nil, err
	}
	f := Finding{Address: addr, Effect: EffectUnsubscribe, Detail: auth.Detail}.withToken(tok)
	if tok != nil {
		f.Scope = tok.List
	}
	if !auth.Pass {
		f.Effect = EffectUnverified
	}
	m.Findings = []Finding{f}
	return m, nil
}

// withToken returns f carrying t (nil: none).
func (f Finding) withToken(t *Token) Finding {
	if t != nil {
		f.Token, f.CustomerID, f.List = t, t.CustomerID, t.List
	}
	return f
}

// IsTemporary reports whether err means "try again later".
func IsTemporary(err error) bool { return errors.Is(err, ErrTemporary) }
