package suppress

import (
	"strings"
	"testing"

	"github.com/steward-crm/steward/rules"
)

func TestBounceEffect(t *testing.T) {
	s := rules.Default().Suppression
	tests := []struct {
		name, action, status, diag string
		want                       Effect
		code                       string
	}{
		{"unknown user", "failed", "5.1.1", "smtp; 550 5.1.1 User unknown", EffectHardBounce, "5.1.1"},
		{"mailbox disabled", "failed", "5.2.1", "", EffectHardBounce, "5.2.1"},
		{"null MX", "failed", "5.1.10", "", EffectHardBounce, "5.1.10"},
		{"mailbox full is soft", "failed", "5.2.2", "", EffectSoftBounce, "5.2.2"},
		{"temporary failure", "failed", "4.4.7", "", EffectSoftBounce, "4.4.7"},
		{"delayed", "delayed", "4.4.1", "", EffectSoftBounce, "4.4.1"},
		{"delayed without status", "delayed", "", "", EffectSoftBounce, "4.0.0"},
		{"policy block", "failed", "5.7.1", "", EffectSenderProblem, "5.7.1"},
		{"reputation deferral", "delayed", "4.7.0", "", EffectSenderProblem, "4.7.0"},
		{"bad sender address", "failed", "5.1.8", "", EffectSenderProblem, "5.1.8"},
		{"message too big", "failed", "5.3.4", "", EffectSenderProblem, "5.3.4"},
		{"bare class, precise diagnostic", "failed", "5.0.0", "smtp; 550 5.1.1 <x@y>: Recipient address rejected", EffectHardBounce, "5.1.1"},
		{"bare class, policy in diagnostic", "failed", "5.0.0", "smtp; 554 5.7.1 Service unavailable; Client host blocked", EffectSenderProblem, "5.7.1"},
		{"bare class, no detail", "failed", "5.0.0", "smtp; 550 Requested action not taken", EffectSoftBounce, "5.0.0"},
		{"no status, diagnostic code", "failed", "", "smtp; 550-5.1.1 The email account does not exist", EffectHardBounce, "5.1.1"},
		{"other permanent failure counts", "failed", "5.4.4", "", EffectSoftBounce, "5.4.4"},
		{"a specific status wins over the diagnostic", "failed", "5.1.1", "smtp; 550 5.7.1 blocked", EffectHardBounce, "5.1.1"},
		{"delivered", "delivered", "2.0.0", "", EffectDelivered, "2.0.0"},
		{"relayed", "relayed", "2.0.0", "", EffectDelivered, "2.0.0"},
		{"unknown action", "bounced", "5.1.1", "", EffectNone, "5.1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BounceEffect(&s, tt.action, tt.status, tt.diag)
			if got.Effect != tt.want || got.Code != tt.code {
				t.Errorf("BounceEffect(%s, %s, %q) = %+v, want %s %s", tt.action, tt.status, tt.diag, got, tt.want, tt.code)
			}
		})
	}
	// The rules decide what is hard: without 5.2.1 a disabled mailbox is
	// only counted.
	narrow := rules.Suppression{HardBounceCodes: []string{"5.1.1"}}
	if got := BounceEffect(&narrow, "failed", "5.2.1", ""); got.Effect != EffectSoftBounce {
		t.Errorf("5.2.1 under hard_bounce_codes [5.1.1]: %s, want soft_bounce", got.Effect)
	}
}

func TestParseDeliveryStatus(t *testing.T) {
	// CRLF, several blank lines, a folded diagnostic, a recipient of a
	// type other than rfc822, a group without an action.
	body := "Reporting-MTA: dns; mx.example.com\r\nArrival-Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n\r\n" +
		"Final-Recipient: RFC822; <Ann@Example.org>\r\nAction: Failed (permanent)\r\nStatus: 5.1.1 (bad mailbox)\r\n" +
		"Diagnostic-Code: smtp; 550 5.1.1\r\n  no such user\r\n\r\n" +
		"Final-Recipient: x400; /C=US/ADMD=/PRMD=/O=EX/\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n" +
		"Final-Recipient: rfc822; bob@example.org\r\n\r\n"
	ds, err := ParseDeliveryStatus(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ds.ReportingMTA != "mx.example.com" || ds.ArrivalDate.IsZero() || len(ds.Recipients) != 1 {
		t.Fatalf("got %+v", ds)
	}
	r := ds.Recipients[0]
	if r.Address() != "Ann@Example.org" || r.Action != "failed" || r.Status != "5.1.1" || r.DiagnosticCode != "550 5.1.1 no such user" {
		t.Errorf("recipient %+v", r)
	}
	for _, bad := range []string{"", "\n\n", "Reporting-MTA: dns; x\n\n", "Final-Recipient: rfc822; a@b\n"} {
		if _, err := ParseDeliveryStatus(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseDeliveryStatus(%q) accepted it", bad)
		}
	}
}

func FuzzParseDeliveryStatus(f *testing.F) {
	f.Add("Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; a@b.c\nAction: failed\nStatus: 5.1.1\n")
	f.Add("Final-Recipient: rfc822;x@y\nAction: delayed\nStatus: 4.0.0\nDiagnostic-Code: smtp; 452 4.2.2\n full\n")
	f.Add(" folded\n\n\n")
	s := rules.Default().Suppression
	f.Fuzz(func(t *testing.T, body string) {
		ds, err := ParseDeliveryStatus(strings.NewReader(body))
		if err != nil {
			return
		}
		for _, r := range ds.Recipients {
			if r.Address() == "" || r.Action == "" {
				t.Fatalf("a recipient without address or action: %+v", r)
			}
			if e := BounceEffect(&s, r.Action, r.Status, r.DiagnosticCode); e.Effect == "" {
				t.Fatalf("no effect for %+v", r)
			}
		}
	})
}

func FuzzParseFeedbackReport(f *testing.F) {
	f.Add("Feedback-Type: abuse\nUser-Agent: x/1\nVersion: 1\nOriginal-Rcpt-To: <a@b.c>\n")
	f.Add("Feedback-Type:\n")
	f.Fuzz(func(t *testing.T, body string) {
		fr, err := ParseFeedbackReport(strings.NewReader(body))
		if err == nil && fr.FeedbackType == "" {
			t.Fatal("a report without a feedback type")
		}
	})
}
