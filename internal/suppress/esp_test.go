package suppress

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadESP reads each provider's real export columns: what every row
// means for its address, and the rows that cannot be read, with their
// lines.
func TestReadESP(t *testing.T) {
	tests := []struct {
		file     string
		format   ESPFormat
		want     string // address=effect status scope, in order
		problems string
		refused  string
	}{
		{file: "mailchimp-cleaned.csv", format: Mailchimp, want: "bob.gone@example.net=hard_bounce, old.address@example.com=hard_bounce"},
		{file: "mailchimp-unsubscribed.csv", format: Mailchimp, want: "mia@example.org=unsubscribe", problems: `3: "not-an-address" is not an email address`},
		{file: "mailchimp-subscribed.csv", format: Mailchimp, refused: "subscribed members"},
		{file: "sendgrid-bounces.csv", format: SendGrid, want: "dave@hosting.example=hard_bounce 5.1.1, heidi@gmail.com=sender_problem 5.7.26, erin@hosting.example=soft_bounce 5.2.2"},
		{file: "sendgrid-spam_reports.csv", format: SendGrid, want: "judy.k@isp.example=complaint"},
		{file: "sendgrid-unsubscribes.csv", format: SendGrid, want: "leo@home.example=unsubscribe"},
		{file: "mailgun-bounces.csv", format: Mailgun, want: "frank.old@contoso.example=hard_bounce 5.1.10, grace.nobody@gmail.com=hard_bounce 5.1.1"},
		{file: "mailgun-complaints.csv", format: Mailgun, want: "kate@partner.example=complaint"},
		{file: "mailgun-unsubscribes.csv", format: Mailgun, want: "ivan.full@gmail.com=unsubscribe, cy@slow.example=unsubscribe offers"},
		{file: "ses-suppression.csv", format: SES, want: "orders@parked.example=hard_bounce, noah@example.com=complaint", problems: `4: unknown SES reason "UNSUBSCRIBE" (want BOUNCE or COMPLAINT)`},
		{file: "plain-list.txt", format: Plain, want: "paul@example.com=esp, quinn@example.com=esp", problems: `6: "not an address" is not an email address`},
		{file: "ses-suppression.csv", format: SendGrid, refused: `not a sendgrid export: no "email" column`},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+string(tt.format), func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "esp", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got []string
			problems, err := ReadESP(f, tt.format, tt.file, nil, func(r ESPRecord) error {
				s := r.Address + "=" + string(r.Effect)
				if r.Status != "" {
					s += " " + r.Status
				}
				if r.Scope != "" {
					s += " " + r.Scope
				}
				if r.At.IsZero() && tt.format != Plain {
					t.Errorf("line %d: no time read", r.Line)
				}
				got = append(got, s)
				return nil
			})
			if tt.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tt.refused) || len(got) > 0 {
					t.Fatalf("ReadESP = %v (rows %q), want refused: %s", err, got, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ", ") != tt.want {
				t.Errorf("rows %q\nwant %q", strings.Join(got, ", "), tt.want)
			}
			var ps []string
			for _, p := range problems {
				ps = append(ps, fmt.Sprintf("%d: %s", p.Line, p.Message))
			}
			if strings.Join(ps, "; ") != tt.problems {
				t.Errorf("problems %q, want %q", ps, tt.problems)
			}
		})
	}
}

func TestDetectESPFormat(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   ESPFormat
	}{
		{"export.csv", "Email Address,First Name,UNSUB_TIME", Mailchimp},
		{"cleaned_members_export_a8d0.csv", "Email Address,MEMBER_RATING,CLEAN_TIME", Mailchimp},
		{"suppression_bounces.csv", "email,created,reason,status", SendGrid},
		{"bounces.csv", "address,code,error,created_at", Mailgun},
		{"list.csv", "EmailAddress,Reason,LastUpdateTime", SES},
		{"SendGrid_unsubscribes.csv", "whatever", SendGrid},
		{"customers.csv", "id,first_name,email", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectESPFormat(tt.name, strings.Split(tt.header, ",")); got != tt.want {
				t.Errorf("DetectESPFormat(%s) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

// TestImportESP: importing the exports suppresses and marks invalid as
// the rows say (a policy block suppresses nothing, an unsubscribe is for
// the list asked), and importing them again changes nothing.
func TestImportESP(t *testing.T) {
	f := newIngestFixture(t, t.TempDir())
	ctx := context.Background()
	imp := func(file string, format ESPFormat, list string) *ESPSummary {
		t.Helper()
		r, err := os.Open(filepath.Join("testdata", "esp", file))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		sum, err := f.in.Applier.ImportESP(ctx, f.st, r, format, file, list)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	sum := imp("sendgrid-bounces.csv", SendGrid, "")
	if sum.Rows != 3 || sum.Suppressed != 1 || sum.SoftBounces != 1 || sum.Ignored != 1 || sum.Invalid != 1 {
		t.Errorf("sendgrid bounces: %+v; want Dave suppressed and invalid, Erin counted, Heidi's block ignored", sum)
	}
	imp("mailchimp-unsubscribed.csv", Mailchimp, "newsletter")
	imp("sendgrid-spam_reports.csv", SendGrid, "newsletter")
	for _, tt := range []struct{ addr, want string }{
		{"dave@hosting.example", "hard_bounce sendgrid"},
		{"heidi@gmail.com", ""},
		{"erin@hosting.example", ""},
		{"mia@example.org", "unsubscribed mailchimp newsletter"},
		{"judy.k@isp.example", "complaint sendgrid"}, // a complaint is for every message
	} {
		if got := f.suppression(t, tt.addr); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.addr, got, tt.want)
		}
	}
	if got := f.verdict(t, "dave@hosting.example"); got != "invalid hard_bounce" {
		t.Errorf("Dave's verdict: %q", got)
	}
	again := imp("sendgrid-bounces.csv", SendGrid, "")
	if again.Suppressed != 0 || again.SoftBounces != 0 || again.Invalid != 0 || again.AlreadySuppressed != 1 {
		t.Errorf("the same export again: %+v; want nothing new", again)
	}
}

func FuzzReadESP(f *testing.F) {
	f.Add("email,created,reason,status\na@b.co,1772783112,550 5.1.1 x,5.1.1\n")
	f.Add("Email Address,CLEAN_TIME\n\"a@b.co\",2026-01-01 10:00:00\n")
	f.Add("address,tags,created_at\na@b.co,*,x\n")
	f.Add("EmailAddress,Reason,LastUpdateTime\na@b.co,BOUNCE,1\n")
	f.Fuzz(func(t *testing.T, data string) {
		for _, format := range ESPFormats() {
			ReadESP(strings.NewReader(data), format, "f.csv", nil, func(r ESPRecord) error {
				if Normalize("email", r.Address, "") == "" || r.Effect == "" {
					t.Fatalf("%s: a row without an address or effect: %+v", format, r)
				}
				return nil
			})
		}
	})
}
