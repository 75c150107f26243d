package suppress

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
	"github.com/steward-crm/steward/rules"
)

// benchMailbox writes an mbox of n messages made from the real reports of
// testdata/mail, each about its own address and message: Postfix, Exim,
// Microsoft and Google bounces (hard, soft, policy), complaints, an
// auto-reply and one message in 50 that is kept aside. It returns the
// mbox and the addresses, for customers.
func benchMailbox(b *testing.B, n int) (string, []string) {
	templates := []struct {
		file, addr string
	}{
		{"postfix-5.1.1.eml", "bob.gone@example.net"},
		{"postfix-delayed.eml", "cy@slow.example"},
		{"exim-two-recipients.eml", "dave@hosting.example"},
		{"microsoft-5.1.10.eml", "frank.old@contoso.example"},
		{"google-5.1.1.eml", "grace.nobody@gmail.com"},
		{"google-5.7.26.eml", "heidi@gmail.com"},
		{"google-delayed-4.2.2.eml", "ivan.full@gmail.com"},
		{"arf-abuse-rcpt.eml", "judy.k@isp.example"},
		{"auto-reply.eml", ""},
	}
	var box strings.Builder
	var addrs []string
	for i := range n {
		file, addr := "human-reply.eml", ""
		if i%50 != 49 {
			t := templates[i%len(templates)]
			file, addr = t.file, t.addr
		}
		msg := string(readMail(b, file))
		if addr != "" {
			user, domain, _ := strings.Cut(addr, "@")
			own := fmt.Sprintf("%s.%d@%s", user, i, domain)
			msg = strings.ReplaceAll(msg, addr, own)
			if file == "exim-two-recipients.eml" {
				msg = strings.ReplaceAll(msg, "erin@", fmt.Sprintf("erin.%d@", i))
			}
			addrs = append(addrs, own)
		}
		msg = strings.Replace(msg, "Message-I", fmt.Sprintf("X-Bench: %d\nMessage-I", i), 1)
		msg = strings.Replace(msg, "@shop.example>", fmt.Sprintf(".%d@shop.example>", i), 1)
		msg = strings.ReplaceAll(msg, "\nFrom ", "\n>From ")
		fmt.Fprintf(&box, "From MAILER-DAEMON Thu Mar  5 13:20:44 2026\n%s\n", msg)
	}
	path := filepath.Join(b.TempDir(), "bounces.mbox")
	if err := os.WriteFile(path, []byte(box.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path, addrs
}

// BenchmarkIngestMail measures "ingest mail" on an mbox of real reports
// into an SQLite database holding a customer for each reported address:
// every message read, classified and applied (suppressions, soft bounces,
// invalid verdicts), the unclassifiable ones kept aside. Each round starts
// from a fresh database, made outside the timing.
func BenchmarkIngestMail(b *testing.B) {
	for _, n := range []int{10000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			box, addrs := benchMailbox(b, n)
			s := rules.Default().Suppression
			keys := testKeys()
			b.ReportAllocs()
			var msgs int
			for b.Loop() {
				b.StopTimer()
				st := storetest.SQLite(b)
				cs := make([]*steward.Customer, len(addrs))
				for i, a := range addrs {
					cs[i] = &steward.Customer{Record: steward.Record{Source: "shop", SourceID: fmt.Sprint(i), FirstName: "C", Email: a}}
				}
				if err := st.CreateCustomers(context.Background(), cs, steward.Meta{Actor: "bench"}); err != nil {
					b.Fatal(err)
				}
				in := &Ingester{
					Classifier: &Classifier{Rules: &s, Keys: keys},
					Applier:    &Applier{Keys: keys, Rules: &s, Actor: "bench"},
					Store:      st,
					Aside:      &AsideDir{Dir: filepath.Join(b.TempDir(), "failed")},
				}
				b.StartTimer()
				msgs = 0
				if err := in.IngestPath(context.Background(), box, func(Result) error { msgs++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			if msgs != n {
				b.Fatalf("ingested %d messages, want %d", msgs, n)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
