package jobs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/suppress"
	"github.com/steward-crm/steward/rules"
)

// TestSuppressJob: the nightly suppress job ingests the inbox Maildir (a
// hard bounce suppressed and marked invalid, a reply kept aside) and
// imports the ESP folder's exports (a SendGrid spam report; a file no
// provider wrote left where it is), counting what it did; the kept-aside
// message and the unknown file make the run a warning. The next run finds
// nothing new to do.
func TestSuppressJob(t *testing.T) {
	eachStore(t, func(t *testing.T, open func() steward.Store) {
		ctx := context.Background()
		s := open()
		seedCustomers(t, s,
			steward.Record{Source: "shop", SourceID: "1", FirstName: "Grace", Email: "grace.nobody@gmail.com"},
			steward.Record{Source: "shop", SourceID: "2", FirstName: "Judy", Email: "judy@isp.example.com"})
		dir := t.TempDir()
		inbox := filepath.Join(dir, "bounces")
		for _, sub := range []string{"new", "cur", "tmp"} {
			os.MkdirAll(filepath.Join(inbox, sub), 0o700)
		}
		for i, name := range []string{"google-5.1.1.eml", "human-reply.eml"} {
			data, err := os.ReadFile(filepath.Join("..", "suppress", "testdata", "mail", name))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(inbox, "new", "1773.M"+string(rune('0'+i))+".mx1"), data, 0o600)
		}
		esp := filepath.Join(dir, "esp")
		os.Mkdir(esp, 0o700)
		os.WriteFile(filepath.Join(esp, "sendgrid-spam_reports.csv"), []byte("email,created,ip\njudy@isp.example.com,1773471550,192.0.2.30\n"), 0o600)
		os.WriteFile(filepath.Join(esp, "notes.txt"), []byte("call the ESP on Monday\n"), 0o600)

		sup := rules.Default().Suppression
		keys := suppress.NewKeys()
		ap := &suppress.Applier{Keys: keys, Rules: &sup, Actor: "job:suppress"}
		job := &Suppress{
			Inbox: inbox, ESPDir: esp, Applier: ap,
			Ingester: &suppress.Ingester{Classifier: &suppress.Classifier{Rules: &sup, Keys: keys}, Applier: ap,
				Aside: &suppress.AsideDir{Dir: filepath.Join(dir, "failed")}},
		}
		rn := &Runner{Store: s, StaleAfter: time.Minute}
		rec, err := rn.Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		c := rec.Counts
		if c["messages"] != 1 || c["dsn"] != 1 || c["kept_aside"] != 1 || c["suppressed"] != 2 || c["marked_invalid"] != 1 || c["esp_files"] != 1 || c["esp_rows"] != 1 {
			t.Errorf("counts %v", c)
		}
		if rec.Status != steward.JobWarning || len(rec.Warnings) != 2 || !strings.Contains(rec.Warnings[0], "kept aside") || !strings.Contains(rec.Warnings[1], "notes.txt") {
			t.Errorf("run %s, warnings %q", rec.Status, rec.Warnings)
		}
		for _, addr := range []string{"grace.nobody@gmail.com", "judy@isp.example.com"} {
			got, err := s.Suppressed(ctx, []string{keys.Hash(steward.ChannelEmail, suppress.Normalize(steward.ChannelEmail, addr, ""))}, "")
			if err != nil || len(got) != 1 {
				t.Errorf("%s not suppressed: %v %v", addr, got, err)
			}
		}
		if _, err := os.Stat(filepath.Join(esp, "imported", "sendgrid-spam_reports.csv")); err != nil {
			t.Errorf("the imported export was not moved: %v", err)
		}
		if _, err := os.Stat(filepath.Join(esp, "notes.txt")); err != nil {
			t.Errorf("the unknown file was moved: %v", err)
		}
		rec, err = rn.Start(ctx, job, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Counts["messages"] != 0 || rec.Counts["suppressed"] != 0 || rec.Counts["esp_files"] != 0 {
			t.Errorf("a second run: %v, want nothing new", rec.Counts)
		}
	})
}
