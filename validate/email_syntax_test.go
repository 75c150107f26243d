package validate

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

type emailCase struct {
	line     int
	address  string
	expected string
	note     string
}

var escapeRE = regexp.MustCompile(`\\u\{([0-9A-Fa-f]{1,6})\}`)

// loadEmailCases reads the labelled cases; control and invisible characters
// are written \u{XXXX} in the file.
func loadEmailCases(t testing.TB) []emailCase {
	t.Helper()
	f, err := os.Open("testdata/cases-dev.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []emailCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 {
			t.Fatalf("line %d: %d columns", line, len(cols))
		}
		addr := escapeRE.ReplaceAllStringFunc(cols[0], func(m string) string {
			v, _ := strconv.ParseUint(escapeRE.FindStringSubmatch(m)[1], 16, 32)
			return string(rune(v))
		})
		c := emailCase{line: line, address: addr, expected: cols[1]}
		if len(cols) > 3 {
			c.note = cols[3]
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestEmailSyntaxAgreement measures agreement with the labelled cases:
// "valid" must be valid; "invalid" and "rfc-valid-but-impractical" must not.
func TestEmailSyntaxAgreement(t *testing.T) {
	cases := loadEmailCases(t)
	if len(cases) < 300 {
		t.Fatalf("only %d cases loaded", len(cases))
	}
	agree := 0
	var disagreements []string
	for _, c := range cases {
		got := EmailSyntax(c.address)
		want := c.expected == "valid"
		if got.Valid == want {
			agree++
			continue
		}
		disagreements = append(disagreements, fmt.Sprintf("line %d %q: want %s, got valid=%v reason=%s (%s)",
			c.line, c.address, c.expected, got.Valid, got.Reason, c.note))
	}
	for _, d := range disagreements {
		t.Log(d)
	}
	rate := float64(agree) / float64(len(cases))
	t.Logf("agreement: %d/%d (%.1f%%)", agree, len(cases), 100*rate)
	if rate < 0.98 {
		t.Errorf("agreement %d/%d below 98%%", agree, len(cases))
	}
}

func TestEmailSyntaxReasons(t *testing.T) {
	tests := []struct {
		name   string
		addr   string
		reason Reason
		domain string
	}{
		{"plain", "Ali.Rezaei@Example.com", ReasonOK, "Example.com"},
		{"plus tag", "ali+crm@gmail.com", ReasonOK, "gmail.com"},
		{"persian idn", "info@ایران.ir", ReasonOK, "xn--mgba3a4f16a.ir"},
		{"persian local part", "علی@example.ir", ReasonOK, "example.ir"},
		{"empty", "", ReasonEmpty, ""},
		{"no at", "ali.example.com", ReasonMissingAt, ""},
		{"two ats", "a@b@example.com", ReasonMultipleAt, ""},
		{"quoted", `"ali"@example.com`, ReasonQuotedLocal, ""},
		{"comment", "ali(home)@example.com", ReasonComment, ""},
		{"ip literal", "ali@[192.0.2.1]", ReasonIPLiteral, ""},
		{"display name", "Ali <ali@example.com>", ReasonDisplayName, ""},
		{"quoted display name", `"Rezaei, Ali" <ali@example.com>`, ReasonDisplayName, ""},
		{"space inside the brackets", "Ali <ali @example.com>", ReasonWhitespace, ""},
		{"angle", "<ali@example.com>", ReasonDisplayName, ""},
		{"leading space", " ali@example.com", ReasonWhitespace, ""},
		{"dot start", ".ali@example.com", ReasonDotStart, ""},
		{"dot end local", "ali.@example.com", ReasonDotEnd, ""},
		{"double dot", "a..li@example.com", ReasonConsecutiveDots, ""},
		{"local 65", strings.Repeat("a", 65) + "@example.com", ReasonLocalTooLong, ""},
		{"label 64", "a@" + strings.Repeat("b", 64) + ".com", ReasonLabelTooLong, ""},
		{"address 255", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".com", ReasonAddressTooLong, ""},
		{"hyphen label", "a@-b.com", ReasonLabelHyphen, ""},
		{"reserved hyphens", "a@ab--c.com", ReasonReservedHyphens, ""},
		{"bad punycode", "a@xn--0.com", ReasonIDNA, ""},
		{"dotless", "a@localhost", ReasonDotlessDomain, ""},
		{"reserved test", "a@shop.TEST", ReasonReservedTLD, ""},
		{"reserved local", "a@printer.local", ReasonReservedTLD, ""},
		{"numeric tld", "a@192.168.0.1", ReasonNumericTLD, ""},
		{"one-letter tld", "a@example.c", ReasonInvalidTLD, ""},
		{"hyphen tld", "a@example.co-uk", ReasonInvalidTLD, ""},
		{"punycode tld", "a@example.xn--mgba3a4f16a", ReasonOK, "example.xn--mgba3a4f16a"},
		{"underscore domain", "a@my_shop.com", ReasonInvalidCharDom, ""},
		{"zero width space", "ali\u200b@example.com", ReasonInvisibleChar, ""},
		{"zwnj in domain", "a@ex\u200cample.com", ReasonInvisibleChar, ""},
		{"soft hyphen", "a@exam\u00adple.com", ReasonInvisibleChar, ""},
		{"rtl override", "a@\u202eexample.com", ReasonBidiControl, ""},
		{"fullwidth at", "ali＠example.com", ReasonFullwidth, ""},
		{"fullwidth letters", "ａｌｉ@example.com", ReasonFullwidth, ""},
		{"cyrillic a in latin domain", "a@p\u0430ypal.com", ReasonConfusable, ""},
		{"all-lookalike cyrillic domain", "a@\u0440\u0430\u0443\u0440\u0430\u04cf.com", ReasonConfusable, ""},
		{"punycode lookalike", "a@xn--pypal-4ve.com", ReasonConfusable, ""},
		{"cyrillic domain ok", "a@доменное.com", ReasonOK, "xn--d1aca0agade.com"},
		{"greek in latin local", "p\u03b1ypal@example.com", ReasonConfusable, ""},
		{"combining mark alone", "\u0300@example.com", ReasonInvalidCharLocal, ""},
		{"combining marks alone", "\u0300\u0301@example.com", ReasonInvalidCharLocal, ""},
		{"combining mark after a dot", "ali.\u0301x@example.com", ReasonInvalidCharLocal, ""},
		{"combining mark on a letter", "jose\u0301@example.com", ReasonOK, "example.com"},
		{"emoji local", "😀@gmail.com", ReasonSymbol, ""},
		{"invalid utf8", "a\xff@example.com", ReasonInvalidUTF8, ""},
		{"latin han", "hans@m端ller.com", ReasonOK, "xn--mller-es7m.com"},
		{"punycode label beside unicode", "0@Xn--00C000A.ǅ", ReasonConfusable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EmailSyntax(tt.addr)
			if got.Reason != tt.reason {
				t.Fatalf("EmailSyntax(%q) reason = %s, want %s", tt.addr, got.Reason, tt.reason)
			}
			if got.Valid != (tt.reason == ReasonOK) {
				t.Fatalf("EmailSyntax(%q) valid = %v with reason %s", tt.addr, got.Valid, got.Reason)
			}
			if got.Domain != tt.domain {
				t.Errorf("EmailSyntax(%q) domain = %q, want %q", tt.addr, got.Domain, tt.domain)
			}
			if got.Message() == "" || got.Message() == string(got.Reason) {
				t.Errorf("reason %s has no message", got.Reason)
			}
		})
	}
}

func TestEmailSyntaxASCIIDoesNotAllocate(t *testing.T) {
	addrs := []string{"ali.rezaei+crm@gmail.com", "x@sub.example.co.uk", "bad..dots@example.com", `"q"@example.com`}
	allocs := testing.AllocsPerRun(100, func() {
		for _, a := range addrs {
			_ = EmailSyntax(a)
		}
	})
	if allocs != 0 {
		t.Fatalf("EmailSyntax allocates %.1f times per run on ASCII input", allocs)
	}
}

func FuzzEmailSyntax(f *testing.F) {
	for _, s := range []string{"ali@example.com", "a.b+c@xn--mgba3a4f16a.ir", "علی@ایران.ir", `"q"@x.com`, "a@[1.2.3.4]", "a@b", "ａ@b.com", "a@p\u0430ypal.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		s := EmailSyntax(addr)
		if s.Reason == "" {
			t.Fatalf("EmailSyntax(%q): empty reason", addr)
		}
		if !s.Valid {
			return
		}
		if s.Reason != ReasonOK || s.Local == "" || s.Domain == "" {
			t.Fatalf("EmailSyntax(%q): valid with %+v", addr, s)
		}
		// The stored form (local part and ASCII domain) is valid too, and
		// checking it again gives the same result.
		again := EmailSyntax(s.Local + "@" + s.Domain)
		if !again.Valid || again.Domain != s.Domain || again.Local != s.Local {
			t.Fatalf("EmailSyntax(%q) = %+v, but its ASCII form gives %+v", addr, s, again)
		}
		if s2 := EmailSyntax(addr); s2 != s {
			t.Fatalf("EmailSyntax(%q) not deterministic: %+v then %+v", addr, s, s2)
		}
	})
}

func BenchmarkEmailSyntax(b *testing.B) {
	addrs := []string{
		"ali.rezaei@gmail.com", "john.q.public+crm@example.co.uk", "info@shop-online.ir",
		"m.hosseini1365@yahoo.com", "sales@acme-widgets.com", "bad..dots@example.com",
		"first_last@sub.domain.example.org", "x@y.io",
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		_ = EmailSyntax(addrs[n%len(addrs)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "addresses/s")
}

func BenchmarkEmailSyntaxUnicode(b *testing.B) {
	addrs := []string{"علی@ایران.ir", "квіточка@пошта.укр", "hans@m端ller.com", "user@доменное.com"}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		_ = EmailSyntax(addrs[n%len(addrs)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "addresses/s")
}
