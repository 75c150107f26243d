package rules

import (
	"errors"
	"strings"
	"testing"
)

// TestSuppressionSettings: the inbound mail and ESP settings are read, and
// their mistakes reported at their line: a hard bounce code of a policy
// rejection, an own MTA id that is no host name, an aside folder
// without an inbox.
func TestSuppressionSettings(t *testing.T) {
	r, err := Parse([]byte("suppression:\n  inbox: /var/mail/bounces\n  esp_dir: /srv/esp\n  own_mta_ids: [mx1.shop.example, \" mx2.shop.example \"]\n"), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Suppression; s.Inbox != "/var/mail/bounces" || s.ESPDir != "/srv/esp" || strings.Join(s.OwnMTAIDs, ",") != "mx1.shop.example,mx2.shop.example" || s.SoftBouncesBeforeInvalid != 3 {
		t.Errorf("suppression settings %+v", s)
	}
	g, err := Parse([]byte("suppression:\n  sendgrid_groups:\n    42: newsletter\n"), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Suppression.SendGridGroupList(42) + " " + g.Suppression.SendGridGroupList(7); got != "newsletter sendgrid-group-7" {
		t.Errorf("SendGrid groups 42 and 7 are the lists %q, want \"newsletter sendgrid-group-7\"", got)
	}
	if d := Default().Suppression; d.Inbox != "" || d.ESPDir != "" || len(d.OwnMTAIDs) != 0 {
		t.Errorf("the defaults read mail or exports: %+v", d)
	}
	tests := []struct{ name, file, want string }{
		{"policy codes", "suppression:\n  hard_bounce_codes: [\"5.1.*\", \"5.7.1\"]\n", `f.yaml:2:32: suppression.hard_bounce_codes[1]: "5.7.1" is a policy rejection`},
		{"own MTA id", "suppression:\n  own_mta_ids: [\"mx1.shop.example; dkim=pass\"]\n", `f.yaml:2:17: suppression.own_mta_ids[0]: want an authserv-id`},
		{"SendGrid group id", "suppression:\n  sendgrid_groups:\n    news: newsletter\n", `suppression.sendgrid_groups.news: want a SendGrid unsubscribe group id`},
		{"SendGrid group list", "suppression:\n  sendgrid_groups:\n    42: \"news letter\"\n", `suppression.sendgrid_groups.42: want a list name without spaces`},
		{"aside without inbox", "suppression:\n  aside_dir: /tmp/failed\n", `f.yaml:2:14: suppression.aside_dir: an aside folder needs an inbox to read`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.file), "f.yaml")
			var ps Problems
			if !errors.As(err, &ps) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %v, want a problem %q", err, tt.want)
			}
		})
	}
}
