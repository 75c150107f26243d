package steward

import (
	"context"
	"time"
)

// Channel is a way of reaching a customer that can be suppressed.
type Channel string

// Channels.
const (
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
)

// SuppressionReason says why an address must not be written to.
type SuppressionReason string

// Suppression reasons.
const (
	ReasonUnsubscribed SuppressionReason = "unsubscribed" // the person asked (one-click, mail, a form)
	ReasonHardBounce   SuppressionReason = "hard_bounce"  // the address does not exist (a 5.1.x delivery report)
	ReasonSoftBounces  SuppressionReason = "soft_bounces" // too many temporary failures within the window
	ReasonComplaint    SuppressionReason = "complaint"    // the person reported a message as spam
	ReasonESP          SuppressionReason = "esp"          // an email provider's suppression list said so
	ReasonManual       SuppressionReason = "manual"       // a steward or an admin
	ReasonErased       SuppressionReason = "erased"       // the person asked to be forgotten: only the hash is left, so that they are never written to again
)

// SuppressionReasons lists the reasons.
func SuppressionReasons() []SuppressionReason {
	return []SuppressionReason{ReasonUnsubscribed, ReasonHardBounce, ReasonSoftBounces, ReasonComplaint, ReasonESP, ReasonManual, ReasonErased}
}

// Suppression says that an address (an email address, or a phone number
// for SMS) must not be written to: all messages, or one list's. It is
// kept per address, not per customer, so that it survives merges (any
// member's suppression stays) and erasure: erasing a customer removes the
// address but keeps its keyed hash, and a later import of the same
// address is still suppressed.
type Suppression struct {
	ID      int64   `json:"id"`
	Channel Channel `json:"channel"`
	// Address is the normalized address; "" once the customer it belonged
	// to was erased.
	Address string `json:"address,omitempty"`
	// Hash is the keyed hash of the channel and normalized address (HMAC
	// with a key from the configuration), what lookups use.
	Hash string `json:"hash"`
	// Scope is "" for every message, or a list's name.
	Scope  string            `json:"scope,omitempty"`
	Reason SuppressionReason `json:"reason"`
	// Source names what reported it: "one-click", "dsn", "arf",
	// "mailchimp", "cli" …
	Source string `json:"source"`
	// Evidence is what proves it: a message id, a DSN status, an ESP's
	// row; never more personal data than the address.
	Evidence  string    `json:"evidence,omitempty"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
}

// SuppressionStore keeps suppressions and the bounces that lead to them.
type SuppressionStore interface {
	// Suppress stores s unless the address (its Hash) is already
	// suppressed in the same scope, and reports whether it was new. Either
	// way s is filled from the stored suppression, so suppressing twice
	// changes nothing (one-click unsubscribe is idempotent).
	Suppress(ctx context.Context, s *Suppression) (bool, error)
	// Suppressed returns, of the hashes given, those suppressed for
	// scope: in scope "" (every message) or in scope itself.
	Suppressed(ctx context.Context, hashes []string, scope string) (map[string]bool, error)
	// Suppressions returns the suppressions of one address hash, oldest
	// first.
	Suppressions(ctx context.Context, hash string) ([]*Suppression, error)
	// ForgetSuppressedAddress removes the address, and the evidence that
	// may repeat it (an ESP's row), from its suppressions, keeping the
	// hash (erasure).
	ForgetSuppressedAddress(ctx context.Context, hash string) error
	// RecordSoftBounce stores a temporary delivery failure of an address
	// and returns how many it had since the time given.
	RecordSoftBounce(ctx context.Context, hash string, at time.Time, evidence string, since time.Time) (int, error)
	// RecordSoftBounceOnce is RecordSoftBounce counting once per key (the reported message), however often it is read; counted says whether this call counted it.
	RecordSoftBounceOnce(ctx context.Context, hash, key string, at time.Time, evidence string, since time.Time) (n int, counted bool, err error)
}

// CheckSuppression checks what every store refuses in a suppression, so
// that every backend refuses the same things.
func CheckSuppression(s *Suppression) error {
	switch {
	case s.Channel != ChannelEmail && s.Channel != ChannelSMS:
		return Errorf(EINVALID, "A suppression's channel is email or sms, not %q.", s.Channel)
	case s.Hash == "":
		return Errorf(EINVALID, "A suppression needs the keyed hash of its address.")
	}
	for _, r := range SuppressionReasons() {
		if s.Reason == r {
			return nil
		}
	}
	return Errorf(EINVALID, "Unknown suppression reason %q.", s.Reason)
}
