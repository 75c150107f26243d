package suppress

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
	"github.com/steward-crm/steward/rules"
)

// reportFiles are the messages of testdata/mail an ingest reads (the
// unsubscribe request needs a DNS server: TestUnsubscribeByMail).
var reportFiles = []string{
	"postfix-5.1.1.eml", "postfix-nullmx.eml", "postfix-delayed.eml", "exim-two-recipients.eml",
	"microsoft-5.1.10.eml", "google-5.1.1.eml", "google-5.7.26.eml", "google-delayed-4.2.2.eml",
	"arf-yahoo-verp.eml", "arf-abuse-rcpt.eml", "auto-reply.eml", "human-reply.eml", "broken-report.eml",
}

type ingestFixture struct {
	st  steward.Store
	in  *Ingester
	ids map[string]int64
}

// newIngestFixture stores customers with the addresses of testdata/mail
// (Ann first: the VERP token of arf-yahoo-verp.eml is customer 1's) and
// returns an ingester into them.
func newIngestFixture(t testing.TB, asideDir string) *ingestFixture {
	st := storetest.SQLite(t)
	ctx := context.Background()
	f := &ingestFixture{st: st, ids: make(map[string]int64)}
	for i, email := range []string{"ann.lee@yahoo.com", "Bob.Gone@Example.net", "bob.gone@example.net", "dave@hosting.example",
		"erin@hosting.example", "frank.old@contoso.example", "grace.nobody@gmail.com", "heidi@gmail.com",
		"ivan.full@gmail.com", "judy.k@isp.example", "cy@slow.example"} {
		c := &steward.Customer{Record: steward.Record{Source: "shop", SourceID: fmt.Sprint(i + 1), FirstName: "C", Email: email}}
		if err := st.CreateCustomer(ctx, c, steward.Meta{Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		f.ids[email] = c.ID
	}
	if f.ids["ann.lee@yahoo.com"] != 1 {
		t.Fatalf("Ann is customer %d, want 1", f.ids["ann.lee@yahoo.com"])
	}
	s := rules.Default().Suppression
	keys := testKeys()
	f.in = &Ingester{
		Classifier: &Classifier{Rules: &s, Keys: keys},
		Applier:    &Applier{Keys: keys, Rules: &s, Actor: "test"},
		Store:      st,
		Aside:      &AsideDir{Dir: asideDir},
		Batch:      4,
	}
	return f
}

func (f *ingestFixture) ingest(t *testing.T, path string) (Summary, []Result) {
	t.Helper()
	var sum Summary
	var results []Result
	err := f.in.IngestPath(context.Background(), path, func(r Result) error {
		sum.Add(r)
		results = append(results, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum, results
}

// suppression returns "reason source scope" of the address's suppression,
// "" when it has none.
func (f *ingestFixture) suppression(t *testing.T, addr string) string {
	t.Helper()
	list, err := f.st.Suppressions(context.Background(), testKeys().Hash(steward.ChannelEmail, Normalize(steward.ChannelEmail, addr, "")))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range list {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s", s.Reason, s.Source, s.Scope)))
	}
	return strings.Join(out, "; ")
}

// verdict returns "verdict reason" of the customer's latest email check.
func (f *ingestFixture) verdict(t *testing.T, email string) string {
	t.Helper()
	ec, err := f.st.EmailCheck(context.Background(), f.ids[email], email)
	if steward.ErrorCode(err) == steward.ENOTFOUND {
		return ""
	} else if err != nil {
		t.Fatal(err)
	}
	return ec.Verdict + " " + ec.Reason
}

// maildir makes a Maildir holding files of testdata/mail in new/.
func maildir(t *testing.T, files ...string) string {
	dir := filepath.Join(t.TempDir(), "bounces")
	for _, sub := range []string{"new", "cur", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range files {
		os.WriteFile(filepath.Join(dir, "new", fmt.Sprintf("1773%06d.M%dP1.mx1", i, i)), readMail(t, name), 0o600)
	}
	return dir
}

// TestIngestMaildir: every kind of message of testdata/mail, delivered
// into a Maildir, does what it says to the database: hard bounces
// suppress and mark the address of every active customer invalid, soft
// bounces are counted, a policy block and an auto-reply change nothing,
// complaints suppress (Yahoo's through the VERP token); the messages that
// are none of these are moved aside with the reason, and the rest are
// marked seen, so the next ingest reads nothing.
func TestIngestMaildir(t *testing.T) {
	aside := filepath.Join(t.TempDir(), "failed")
	f := newIngestFixture(t, aside)
	dir := maildir(t, reportFiles...)
	sum, results := f.ingest(t, dir)
	if sum.Messages != len(reportFiles) || sum.KeptAside != 2 || sum.Deferred != 0 {
		t.Fatalf("summary %+v; want %d messages, 2 kept aside", sum, len(reportFiles))
	}
	if sum.Kinds[KindDSN] != 8 || sum.Kinds[KindComplaint] != 2 || sum.Kinds[KindAutoReply] != 1 {
		t.Errorf("kinds %v", sum.Kinds)
	}
	for _, tt := range []struct{ addr, suppression, verdict string }{
		{"Bob.Gone@Example.net", "hard_bounce dsn", "invalid hard_bounce"},
		{"bob.gone@example.net", "hard_bounce dsn", "invalid hard_bounce"},
		{"orders@parked.example", "hard_bounce dsn", ""}, // no customer has it
		{"dave@hosting.example", "hard_bounce dsn", "invalid hard_bounce"},
		{"erin@hosting.example", "", ""}, // mailbox full: one soft bounce
		{"frank.old@contoso.example", "hard_bounce dsn", "invalid hard_bounce"},
		{"grace.nobody@gmail.com", "hard_bounce dsn", "invalid hard_bounce"},
		{"heidi@gmail.com", "", ""}, // blocked as unauthenticated: the sender's problem
		{"ivan.full@gmail.com", "", ""},
		{"cy@slow.example", "", ""},
		{"ann.lee@yahoo.com", "complaint arf", ""},
		{"judy.k@isp.example", "complaint arf", ""},
	} {
		if got := f.suppression(t, tt.addr); got != tt.suppression {
			t.Errorf("%s: suppression %q, want %q", tt.addr, got, tt.suppression)
		}
		if _, ok := f.ids[tt.addr]; ok {
			if got := f.verdict(t, tt.addr); got != tt.verdict {
				t.Errorf("%s: verdict %q, want %q", tt.addr, got, tt.verdict)
			}
		}
	}
	if sum.SoftBounces != 3 || sum.Invalid != 5 {
		t.Errorf("soft bounces counted %d, marked invalid %d; want 3 (Cy, Erin, Ivan) and 5 (Bob twice, Dave, Frank, Grace)", sum.SoftBounces, sum.Invalid)
	}
	// Kept aside: moved out of the Maildir into the aside Maildir, with
	// why; the rest marked seen.
	if n, _ := os.ReadDir(filepath.Join(dir, "new")); len(n) != 0 {
		t.Errorf("new/ still holds %d messages", len(n))
	}
	cur, _ := os.ReadDir(filepath.Join(dir, "cur"))
	if len(cur) != len(reportFiles)-2 || !strings.HasSuffix(cur[0].Name(), ":2,S") {
		t.Errorf("cur/ holds %d messages (%v), want %d marked seen", len(cur), cur, len(reportFiles)-2)
	}
	kept, _ := os.ReadDir(filepath.Join(aside, "new"))
	reasons, _ := os.ReadFile(filepath.Join(aside, "reasons.jsonl"))
	if len(kept) != 2 || bytes.Count(reasons, []byte("\n")) != 2 || !bytes.Contains(reasons, []byte("not a delivery report")) {
		t.Errorf("aside: %d messages, reasons:\n%s", len(kept), reasons)
	}
	for _, r := range results {
		if r.Aside != "" && r.AsideFile == "" {
			t.Errorf("%s kept aside nowhere", r.Origin)
		}
	}
	if again, _ := f.ingest(t, dir); again.Messages != 0 {
		t.Errorf("a second ingest of the Maildir read %d messages, want none", again.Messages)
	}
}

// TestIngestTwiceChangesNothing: ingesting the same files again (an mbox,
// a folder of .eml files) makes no suppression, counts no soft bounce,
// marks nothing invalid and keeps nothing aside twice. A soft bounce is
// counted once per reported message, also when a delay notice and the
// final failure report the same one; the third soft bounce within the
// window suppresses the address and marks it invalid.
func TestIngestTwiceChangesNothing(t *testing.T) {
	aside := filepath.Join(t.TempDir(), "failed")
	f := newIngestFixture(t, aside)
	dir := t.TempDir()
	for _, name := range reportFiles {
		os.WriteFile(filepath.Join(dir, name), readMail(t, name), 0o600)
	}
	// An mbox of delay notices for Cy: about three messages, one reported
	// twice, one the folder's.
	delayed := string(readMail(t, "postfix-delayed.eml"))
	var mbox strings.Builder
	for i, orig := range []string{"spring-2026", "b", "b", "c"} {
		m := strings.Replace(delayed, "Message-Id: <20260305132044.4Zrj2G0cZ7z9sYq@", fmt.Sprintf("Message-Id: <notice-%d@", i), 1)
		m = strings.Replace(m, "Message-ID: <spring-2026.cy@shop.example>", "Message-ID: <"+orig+".cy@shop.example>", 1)
		m = strings.ReplaceAll(m, "\nFrom ", "\n>From ")
		fmt.Fprintf(&mbox, "From MAILER-DAEMON Thu Mar  5 13:20:44 2026\n%s\n", m)
	}
	box := filepath.Join(t.TempDir(), "delays.mbox")
	os.WriteFile(box, []byte(mbox.String()), 0o600)

	first, _ := f.ingest(t, dir)
	boxSum, _ := f.ingest(t, box)
	if boxSum.Messages != 4 || boxSum.SoftBounces != 2 {
		t.Errorf("mbox: %+v; want 4 messages and 2 soft bounces counted (b and c; the first was read from the folder)", boxSum)
	}
	if got := f.suppression(t, "cy@slow.example"); got != "soft_bounces dsn" {
		t.Errorf("Cy after three soft bounces: %q, want soft_bounces", got)
	}
	if got := f.verdict(t, "cy@slow.example"); got != "invalid soft_bounces" {
		t.Errorf("Cy's verdict: %q", got)
	}
	reasons, _ := os.ReadFile(filepath.Join(aside, "reasons.jsonl"))
	for _, path := range []string{dir, box} {
		again, _ := f.ingest(t, path)
		if again.Suppressed != 0 || again.SoftBounces != 0 || again.Invalid != 0 {
			t.Errorf("ingesting %s again: %+v; want nothing new", filepath.Base(path), again)
		}
	}
	if again, _ := os.ReadFile(filepath.Join(aside, "reasons.jsonl")); !bytes.Equal(again, reasons) {
		t.Errorf("messages kept aside again:\n%s", again)
	}
	if first.KeptAside != 2 {
		t.Errorf("first ingest kept %d aside, want 2", first.KeptAside)
	}
	// The .eml files are the user's: left in place.
	if left, _ := os.ReadDir(dir); len(left) != len(reportFiles) {
		t.Errorf("the folder of .eml files has %d files left, want all %d", len(left), len(reportFiles))
	}
}

func TestReadMbox(t *testing.T) {
	box := "From a@b Thu Mar  5 13:20:44 2026\nSubject: one\n\n>From the start\n>>From quoted\nFrom here on\n\n" +
		"From c@d Thu Mar  5 13:20:45 2026\r\nSubject: two\r\n\r\nbody\r\n"
	var got []string
	err := ReadMbox(context.Background(), strings.NewReader(box), "box", func(m Mail) error {
		got = append(got, m.Origin+"="+string(m.Raw))
		return nil
	})
	want := []string{"box#1=Subject: one\n\nFrom the start\n>From quoted\nFrom here on\n", "box#2=Subject: two\r\n\r\nbody\r\n"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("ReadMbox = %q, %v\nwant %q", got, err, want)
	}
}

func FuzzReadMbox(f *testing.F) {
	f.Add("From a\nx\n\nFrom b\ny\n")
	f.Add(">From \n\nFrom \n")
	f.Fuzz(func(t *testing.T, box string) {
		total := 0
		err := ReadMbox(context.Background(), strings.NewReader(box), "f", func(m Mail) error {
			total += len(m.Raw)
			return nil
		})
		if err != nil || total > len(box) {
			t.Fatalf("ReadMbox: %v, %d bytes of messages from %d", err, total, len(box))
		}
	})
}
