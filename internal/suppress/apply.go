package suppress

import (
	"context"
	"fmt"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/rules"
)

// Applier turns what inbound mail and email providers report into
// suppressions, soft bounce counts and invalid verdicts.
type Applier struct {
	Keys  *Keys
	Rules *rules.Suppression
	// Actor is who the suppressions are recorded for: "cli", "lmtp",
	// "job:suppress", "webhook:sendgrid".
	Actor string
	// Now is the clock, for events without a date; nil is time.Now.
	Now func() time.Time
}

// Applied is what one finding did to the database.
type Applied struct {
	Finding
	// Address is the normalized address acted on; "" when none could be
	// told (a token whose customer no longer has the address).
	Address string `json:"address,omitempty"`
	// Suppressed is true when a suppression was made now (false when
	// the address was suppressed already, or nothing was to suppress).
	Suppressed bool `json:"suppressed"`
	// Reason is the reason of the suppression made or already there.
	Reason steward.SuppressionReason `json:"reason,omitempty"`
	// SoftBounces is the address's soft bounces within the window after a
	// soft bounce; Counted says whether this one was counted now.
	SoftBounces int  `json:"soft_bounces,omitempty"`
	Counted     bool `json:"counted,omitempty"`
	// Invalid is how many customers' addresses were marked invalid now.
	Invalid int `json:"invalid,omitempty"`
	// Note says why nothing was done, when nothing was.
	Note string `json:"note,omitempty"`
}

// Event is one report to apply: a finding, where it came from and when it
// happened.
type Event struct {
	Finding
	// Source names the reporter: "dsn", "arf", "mailto", "sendgrid" …
	Source string
	// Key identifies the reported message, so that one message's soft
	// bounce is counted once however often it is reported.
	Key string
	// Evidence is what the suppression records as proof.
	Evidence string
	At       time.Time
}

func (a *Applier) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// ApplyMessage applies every finding of a classified message, in the
// caller's transaction when st is one.
func (a *Applier) ApplyMessage(ctx context.Context, st steward.Store, m *Message) ([]Applied, error) {
	source := map[Kind]string{KindDSN: "dsn", KindComplaint: "arf", KindUnsubscribe: "mailto"}[m.Kind]
	key := m.OriginalID
	if key == "" {
		key = m.ID
	}
	out := make([]Applied, 0, len(m.Findings))
	for _, f := range m.Findings {
		ev := Event{Finding: f, Source: source, Key: key, At: m.Date,
			Evidence: fmt.Sprintf("%s %s", source, m.ID)}
		if f.Status != "" {
			ev.Evidence = fmt.Sprintf("%s %s %s", source, f.Status, m.ID)
		}
		ap, err := a.Apply(ctx, st, ev)
		if err != nil {
			return nil, err
		}
		out = append(out, ap)
	}
	return out, nil
}

// Apply applies one event: a hard bounce, complaint, unsubscribe or
// provider's suppression suppresses the address (hard bounces, and soft
// bounces over the limit, also mark its customers' addresses invalid); a
// soft bounce is counted once per reported message and suppresses the
// address when the rules' soft_bounces_before_invalid are reached within
// soft_bounce_window; the rest changes nothing. Applying an event again
// changes nothing.
func (a *Applier) Apply(ctx context.Context, st steward.Store, ev Event) (Applied, error) {
	ap := Applied{Finding: ev.Finding}
	if ev.At.IsZero() {
		ev.At = a.now()
	}
	var reason steward.SuppressionReason
	switch ev.Effect {
	case EffectHardBounce:
		reason = steward.ReasonHardBounce
	case EffectComplaint:
		reason = steward.ReasonComplaint
	case EffectUnsubscribe:
		reason = steward.ReasonUnsubscribed
	case EffectSoftBounce:
		reason = steward.ReasonSoftBounces
	case effectESP:
		reason = steward.ReasonESP
	default:
		ap.Note = noteFor(ev.Effect)
		return ap, nil
	}
	addr, err := a.address(ctx, st, ev.Finding)
	if err != nil {
		return ap, err
	}
	if addr == "" {
		ap.Note = "no address: the report names none, and its token's customer no longer has the address it was sent to"
		return ap, nil
	}
	ap.Address = addr
	hash := a.Keys.Hash(steward.ChannelEmail, addr)
	if ev.Effect == EffectSoftBounce {
		since := time.Time{}
		if a.Rules.SoftBounceWindow > 0 {
			since = ev.At.Add(-a.Rules.SoftBounceWindow)
		}
		key := ev.Key
		if key == "" {
			key = ev.Source + ":" + ev.At.UTC().Format(time.RFC3339Nano)
		}
		n, counted, err := st.RecordSoftBounceOnce(ctx, hash, ev.Source+":"+key, ev.At, ev.Evidence, since)
		if err != nil {
			return ap, err
		}
		ap.SoftBounces, ap.Counted = n, counted
		if n < a.Rules.SoftBouncesBeforeInvalid {
			return ap, nil
		}
		ev.Evidence = fmt.Sprintf("%d soft bounces within %s, the latest %s", n, windowText(a.Rules.SoftBounceWindow), ev.Evidence)
	}
	sp := &steward.Suppression{Channel: steward.ChannelEmail, Address: addr, Hash: hash, Scope: ev.Scope,
		Reason: reason, Source: ev.Source, Evidence: ev.Evidence, Actor: a.Actor}
	if reason == steward.ReasonHardBounce || reason == steward.ReasonSoftBounces || reason == steward.ReasonComplaint {
		sp.Scope = "" // the address, not a list
	}
	created, err := st.Suppress(ctx, sp)
	if err != nil {
		return ap, fmt.Errorf("suppress: %w", err)
	}
	ap.Suppressed, ap.Reason = created, sp.Reason
	if reason == steward.ReasonHardBounce || reason == steward.ReasonSoftBounces {
		if ap.Invalid, err = a.markInvalid(ctx, st, ev.Address, addr, string(reason), ev.At); err != nil {
			return ap, err
		}
	}
	return ap, nil
}

// address returns the normalized address a finding is about. A token
// names it by hash: the finding's own address when it is that one, else
// the token's customer's current address when it is; without a match the
// finding's address, which the report names, is taken as it is.
func (a *Applier) address(ctx context.Context, st steward.Store, f Finding) (string, error) {
	given := Normalize(steward.ChannelEmail, f.Address, "")
	if f.Token == nil {
		return given, nil
	}
	if given != "" && f.Token.MatchesHash(a.Keys.Hash(steward.ChannelEmail, given)) {
		return given, nil
	}
	if n, err := a.Keys.TokenAddress(ctx, st, *f.Token); err != nil || n != "" {
		return n, err
	}
	return given, nil
}

// markInvalid records the verdict invalid on the address of every active
// customer who has it (as written in the report, else normalized), unless
// the address's latest check is newer than the event or already says so.
func (a *Applier) markInvalid(ctx context.Context, st steward.Store, written, normalized, reason string, at time.Time) (int, error) {
	cs, err := st.CustomersByEmail(ctx, written)
	if err != nil {
		return 0, err
	}
	if written != normalized {
		more, err := st.CustomersByEmail(ctx, normalized)
		if err != nil {
			return 0, err
		}
		cs = append(cs, more...)
	}
	n := 0
	seen := make(map[int64]bool)
	for _, c := range cs {
		if seen[c.CustomerID] {
			continue
		}
		seen[c.CustomerID] = true
		last, err := st.EmailCheck(ctx, c.CustomerID, c.Email)
		switch {
		case steward.ErrorCode(err) == steward.ENOTFOUND:
		case err != nil:
			return n, err
		case !last.CheckedAt.Before(at), last.Verdict == "invalid" && last.Reason == reason:
			continue
		}
		if err := st.RecordEmailCheck(ctx, c.CustomerID, c.Email, "invalid", reason, at); err != nil {
			return n, fmt.Errorf("mark address invalid: %w", err)
		}
		n++
	}
	return n, nil
}

// effectESP is a provider's suppression of a kind it does not say.
const effectESP Effect = "esp"

func noteFor(e Effect) string {
	switch e {
	case EffectSenderProblem:
		return "the sender's problem (policy, reputation, the message): nothing against the address"
	case EffectDelivered:
		return "a report of delivery"
	case EffectUnverified:
		return "not suppressed: the request's sender could not be authenticated"
	}
	return "nothing to do"
}

func windowText(d time.Duration) string {
	if d <= 0 {
		return "all time"
	}
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
