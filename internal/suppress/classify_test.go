package suppress

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/steward-crm/steward/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testKeys are fixed keys, so that the tokens in testdata verify: the
// VERP address of arf-yahoo-verp.eml is customer 1's, list newsletter,
// ann.lee@yahoo.com.
func testKeys() *Keys {
	hk, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	tk, _ := hex.DecodeString("f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff")
	return &Keys{HashKey: hk, TokenKeys: [][]byte{tk}}
}

func testClassifier() *Classifier {
	s := rules.Default().Suppression
	return &Classifier{Rules: &s, Keys: testKeys()}
}

func readMail(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "mail", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestClassify reads the real delivery reports (Postfix, Exim, Microsoft,
// Google), complaint reports and other mail of testdata/mail, each as
// an email operations team would: what each says for which address.
func TestClassify(t *testing.T) {
	tests := []struct {
		file string
		kind Kind
		// want lists address=effect status for each finding; aside is the
		// start of the reason a message is kept aside for.
		want  []string
		aside string
	}{
		{file: "postfix-5.1.1.eml", kind: KindDSN, want: []string{"bob.gone@example.net=hard_bounce 5.1.1"}},
		{file: "postfix-nullmx.eml", kind: KindDSN, want: []string{"orders@parked.example=hard_bounce 5.1.10"}},
		{file: "postfix-delayed.eml", kind: KindDSN, want: []string{"cy@slow.example=soft_bounce 4.4.1"}},
		// Exim writes Status: 5.0.0; the diagnostic says what happened.
		{file: "exim-two-recipients.eml", kind: KindDSN, want: []string{"dave@hosting.example=hard_bounce 5.1.1", "erin@hosting.example=soft_bounce 5.2.2"}},
		{file: "microsoft-5.1.10.eml", kind: KindDSN, want: []string{"frank.old@contoso.example=hard_bounce 5.1.10"}},
		{file: "google-5.1.1.eml", kind: KindDSN, want: []string{"grace.nobody@gmail.com=hard_bounce 5.1.1"}},
		// Unauthenticated mail blocked: the sender's problem, not Heidi's.
		{file: "google-5.7.26.eml", kind: KindDSN, want: []string{"heidi@gmail.com=sender_problem 5.7.26"}},
		{file: "google-delayed-4.2.2.eml", kind: KindDSN, want: []string{"ivan.full@gmail.com=soft_bounce 4.2.2"}},
		// Yahoo hides the recipient; the VERP return path names her.
		{file: "arf-yahoo-verp.eml", kind: KindComplaint, want: []string{"token:1/newsletter=complaint "}},
		{file: "arf-abuse-rcpt.eml", kind: KindComplaint, want: []string{"judy.k@isp.example=complaint "}},
		{file: "auto-reply.eml", kind: KindAutoReply},
		{file: "human-reply.eml", aside: "not a delivery report"},
		{file: "broken-report.eml", aside: "delivery report: empty delivery status"},
	}
	c := testClassifier()
	var golden bytes.Buffer
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := c.Classify(context.Background(), readMail(t, tt.file), Envelope{})
			var ae *AsideError
			if tt.aside != "" {
				if !errors.As(err, &ae) || !strings.HasPrefix(ae.Reason, tt.aside) {
					t.Fatalf("Classify = %+v, %v; want kept aside: %s…", m, err, tt.aside)
				}
				golden.WriteString(tt.file + ": kept aside: " + ae.Reason + "\n")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != tt.kind {
				t.Errorf("kind %s, want %s", m.Kind, tt.kind)
			}
			var got []string
			for _, f := range m.Findings {
				who := f.Address
				if f.Token != nil && who == "" {
					who = "token:" + strconv.FormatInt(f.Token.CustomerID, 10) + "/" + f.Token.List
				}
				got = append(got, who+"="+string(f.Effect)+" "+f.Status)
			}
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Errorf("findings %q, want %q", got, tt.want)
			}
			out, _ := json.Marshal(m)
			golden.WriteString(tt.file + ": " + string(out) + "\n")
		})
	}
	checkGolden(t, "classified.golden", golden.Bytes())
}

// checkGolden compares got with testdata/NAME, or rewrites it with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the classifier says now (go test -update rewrites it):\n%s", path, got)
	}
}
