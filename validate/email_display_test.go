package validate

import (
	"context"
	"strings"
	"testing"
)

// TestVerifyDisplayName: an address copied with its display name is
// checked as the address in <>, and the result says the name was left
// out, instead of rejecting it for a space.
func TestVerifyDisplayName(t *testing.T) {
	v := &EmailVerifier{Lists: loadTestLists(t)}
	tests := []struct {
		addr, name, suggestion string
		verdict                Verdict
		reason                 Reason
	}{
		{"John Doe <john@gmail.com>", "John Doe", "", Valid, ReasonSyntaxOnly},
		{`"Doe, John" <john@gmial.com>`, "Doe, John", "john@gmail.com", Risky, ReasonTypo},
		{"Jane <jane@example.org>", "Jane", "", Risky, ReasonReservedDomain},
		{"John Doe <john..doe@gmail.com>", "John Doe", "", Invalid, ReasonConsecutiveDots},
		{"John Doe john@gmail.com", "", "", Invalid, ReasonWhitespace},
	}
	for _, tt := range tests {
		res, err := v.Verify(context.Background(), tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if res.Address != tt.addr || res.DisplayName != tt.name || res.Suggestion != tt.suggestion || res.Verdict != tt.verdict || res.Reason != tt.reason {
			t.Errorf("Verify(%s) = %+v, want name %q %s/%s suggestion %q", tt.addr, res, tt.name, tt.verdict, tt.reason, tt.suggestion)
		}
		if tt.name != "" && !strings.Contains(res.Message, "display name") {
			t.Errorf("Verify(%s) message %q does not mention the display name", tt.addr, res.Message)
		}
	}
}
