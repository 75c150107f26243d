package suppress

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
	"github.com/steward-crm/steward/rules"
)

// DeliveryStatus is the body of an RFC 3464 message/delivery-status part
// (or RFC 6533 message/global-delivery-status): what the reporting MTA
// says about the message as a whole, and about each recipient.
type DeliveryStatus struct {
	ReportingMTA string
	ArrivalDate  time.Time
	// OriginalMessageID is the reported message's Message-ID when the
	// report names it (Google's X-Original-Message-ID), without <>.
	OriginalMessageID string
	Recipients        []RecipientStatus
}

// RecipientStatus is one per-recipient group of a delivery status.
type RecipientStatus struct {
	// FinalRecipient is the address the report is about; OriginalRecipient
	// the address as the sender gave it, when the report says (ORCPT).
	// Both are addresses of type rfc822 only, "" otherwise.
	FinalRecipient    string
	OriginalRecipient string
	// Action is failed, delayed, delivered, relayed or expanded, in lower
	// case.
	Action string
	// Status is the RFC 3463 enhanced status code, as the report gives it
	// (only the code, without a comment).
	Status         string
	DiagnosticCode string
	RemoteMTA      string
	LastAttempt    time.Time
}

// Address returns the address the sender wrote to: the original recipient
// when the report names one, else the final recipient.
func (r RecipientStatus) Address() string {
	if r.OriginalRecipient != "" {
		return r.OriginalRecipient
	}
	return r.FinalRecipient
}

// maxStatusBody bounds the delivery-status part read, far above any real
// one (a few hundred bytes per recipient).
const maxStatusBody = 1 << 20

// ParseDeliveryStatus reads a message/delivery-status body: groups of
// header-like fields separated by blank lines, the first about the
// message, each next one about one recipient. A group without
// Final-Recipient or Action is skipped; a body without any per-recipient
// group is an error.
func ParseDeliveryStatus(r io.Reader) (*DeliveryStatus, error) {
	groups, err := readFieldGroups(r, "delivery status")
	if err != nil {
		return nil, err
	}
	ds := &DeliveryStatus{}
	for i, g := range groups {
		h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(g)))
		if err != nil {
			return nil, fmt.Errorf("delivery status group %d: %w", i+1, err)
		}
		// Some MTAs (Exim among them) put the recipient fields right after
		// the message's in one group; others leave the message's fields
		// out. So every group is read for both.
		if i == 0 || h.Has("Reporting-MTA") {
			ds.ReportingMTA = typedValue(h.Get("Reporting-MTA"))
			ds.ArrivalDate = parseDate(h.Get("Arrival-Date"))
			ds.OriginalMessageID = messageID(h.Get("X-Original-Message-ID"))
		}
		if !h.Has("Final-Recipient") && !h.Has("Action") {
			continue
		}
		rs := RecipientStatus{
			FinalRecipient:    rfc822Address(h.Get("Final-Recipient")),
			OriginalRecipient: rfc822Address(h.Get("Original-Recipient")),
			Action:            strings.ToLower(strings.TrimSpace(stripComment(h.Get("Action")))),
			Status:            enhancedCode(h.Get("Status")),
			DiagnosticCode:    typedValue(h.Get("Diagnostic-Code")),
			RemoteMTA:         typedValue(h.Get("Remote-MTA")),
			LastAttempt:       parseDate(h.Get("Last-Attempt-Date")),
		}
		if rs.Address() == "" || rs.Action == "" {
			continue
		}
		ds.Recipients = append(ds.Recipients, rs)
	}
	if len(ds.Recipients) == 0 {
		return nil, errors.New("delivery status names no recipient with an action")
	}
	return ds, nil
}

// readFieldGroups reads a body of field groups (at most maxStatusBody
// bytes) and splits it; a body without any is an error naming what.
func readFieldGroups(r io.Reader, what string) ([][]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxStatusBody))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	groups := fieldGroups(body)
	if len(groups) == 0 {
		return nil, fmt.Errorf("empty %s", what)
	}
	return groups, nil
}

// fieldGroups splits a body of field groups at blank lines (also lines of
// white space only), each group ending in an empty line as
// textproto.ReadHeader wants.
func fieldGroups(body []byte) [][]byte {
	body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
	var groups [][]byte
	var cur []byte
	for line := range bytes.SplitSeq(body, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			if len(cur) > 0 {
				groups = append(groups, append(cur, '\n'))
				cur = nil
			}
			continue
		}
		if len(cur) == 0 && (line[0] == ' ' || line[0] == '\t') {
			continue // a continuation without a field
		}
		cur = append(append(cur, line...), '\n')
	}
	if len(cur) > 0 {
		groups = append(groups, append(cur, '\n'))
	}
	return groups
}

// typedValue returns the value of a field "type; value" (Reporting-MTA:
// dns; mx.example.com), unfolded; a value without a type is returned as
// it is.
func typedValue(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if _, rest, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(rest)
	}
	return v
}

// rfc822Address returns the address of a recipient field whose type is
// rfc822 (or utf-8, RFC 6533), "" for other types (x400, unknown).
func rfc822Address(v string) string {
	typ, addr, ok := strings.Cut(v, ";")
	if !ok {
		addr, typ = typ, "rfc822"
	}
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "rfc822", "utf-8":
	default:
		return ""
	}
	addr = strings.TrimSpace(stripComment(addr))
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "<"), ">")
	if strings.ContainsAny(addr, " \t") || !strings.Contains(addr, "@") {
		return ""
	}
	return addr
}

// stripComment removes a trailing RFC 5322 comment: "failed (permanent)".
func stripComment(v string) string {
	if i := strings.IndexByte(v, '('); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

var enhancedCodeRE = regexp.MustCompile(`(?:^|[^0-9.])([245])\.([0-9]{1,3})\.([0-9]{1,3})(?:$|[^0-9.])`)

// enhancedCode returns the first RFC 3463 enhanced status code in s
// ("5.1.1"), "" when there is none.
func enhancedCode(s string) string {
	m := enhancedCodeRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1] + "." + m[2] + "." + m[3]
}

// messageID returns a Message-ID without its angle brackets and space.
func messageID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			return strings.TrimSpace(v[i+1 : i+j])
		}
	}
	return v
}

// parseDate reads an RFC 5322 date, zero when there is none.
func parseDate(v string) time.Time {
	v = strings.Join(strings.Fields(v), " ")
	if v == "" {
		return time.Time{}
	}
	t, err := mail.ParseDate(v)
	if err != nil {
		// Google adds a zone comment after the offset: "-0800 (PST)".
		if t, err = mail.ParseDate(stripComment(v)); err != nil {
			return time.Time{}
		}
	}
	return t
}

// StatusEffect is what a delivery report's status says about an address.
type StatusEffect struct {
	Effect Effect
	// Code is the enhanced status code the decision rests on: the Status
	// field's, or the diagnostic's when the Status field is only a class
	// (5.0.0) and the remote server said more.
	Code string
}

// BounceEffect decides what one recipient of a delivery report means for
// its address, as an email operations team reads it:
//
//   - delivered, relayed and expanded are no failure;
//   - an x.7.x status (policy: reputation, spam filters, authentication,
//     rate limits), a sender address status (x.1.7, x.1.8), a message too
//     big (x.2.3, x.3.4) and a content status (x.6.x) are the sender's
//     problem and never count against the address;
//   - a permanent failure whose code the rules call hard (hard_bounce_codes,
//     by default 5.1.* and 5.2.1) is a hard bounce;
//   - everything else that failed or was delayed (4.x.x, 5.2.2 mailbox
//     full, other permanent failures) is a soft bounce, counted.
//
// Status fields of a bare class (5.0.0, as Exim writes them) take the more
// precise code of the diagnostic when the remote server gave one.
func BounceEffect(s *rules.Suppression, action, status, diagnostic string) StatusEffect {
	code := status
	if diag := enhancedCode(diagnostic); diag != "" && (code == "" || (strings.HasSuffix(code, ".0.0") && diag[0] == code[0])) {
		code = diag
	}
	switch action {
	case "delivered", "relayed", "expanded":
		return StatusEffect{Effect: EffectDelivered, Code: code}
	case "failed", "delayed":
	default:
		return StatusEffect{Effect: EffectNone, Code: code}
	}
	if code == "" {
		code = "5.0.0"
		if action == "delayed" {
			code = "4.0.0"
		}
	}
	parts := strings.SplitN(code, ".", 3)
	subject, detail := parts[1], parts[2]
	switch {
	case subject == "7", subject == "6",
		subject == "1" && (detail == "7" || detail == "8"),
		subject == "2" && detail == "3", subject == "3" && detail == "4":
		return StatusEffect{Effect: EffectSenderProblem, Code: code}
	case action == "failed" && code[0] == '5' && s.IsHardBounce(code):
		return StatusEffect{Effect: EffectHardBounce, Code: code}
	}
	return StatusEffect{Effect: EffectSoftBounce, Code: code}
}
