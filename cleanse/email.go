package cleanse

import "strings"

// Rule names of Email.
const (
	RuleEmailTrim    = "email.trim"    // white space, invisible characters, "mailto:" or <> removed
	RuleEmailDomain  = "email.domain"  // domain lower-cased, IDN domain in ASCII (punycode)
	RuleEmailInvalid = "email.invalid" // flag: not an email address, kept as written
)

// Email standardizes an email address for storage: white space and
// invisible characters removed, a "mailto:" prefix or enclosing <>
// dropped, the address taken out of a display-name form ("John Doe
// <john@gmail.com>", RuleEmailDisplayName, the name in the fix's Why; see
// DisplayAddress), the domain lower-cased and an internationalized domain written
// in its ASCII (punycode) form: "Ali@Bücher.DE" → "Ali@xn--bcher-kva.de".
// The local part is left exactly as written (its case included: only the
// receiving server may decide what it means); EmailKey is the form for
// matching. Something that is not an address is flagged
// (RuleEmailInvalid) and kept. Whether the address can receive mail is
// package validate's question.
func Email(s string) (string, []Fix) {
	var f fixes
	t := strings.TrimSpace(removeInvisible(s))
	t = strings.TrimPrefix(t, "mailto:")
	t = strings.TrimPrefix(t, "MAILTO:")
	if name, addr, ok := DisplayAddress(t); ok {
		s = f.step(RuleEmailTrim, s, t)
		f = append(f, Fix{Before: s, After: addr, Rule: RuleEmailDisplayName, Why: name})
		s, t = addr, addr
	}
	if strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">") {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	s = f.step(RuleEmailTrim, s, t)
	if s == "" {
		return s, f
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t") {
		f = append(f, Fix{Before: s, After: s, Rule: RuleEmailInvalid})
		return s, f
	}
	domain, err := emailDomainASCII(s[at+1:])
	if err != nil || domain == "" {
		f = append(f, Fix{Before: s, After: s, Rule: RuleEmailInvalid})
		return s, f
	}
	s = f.step(RuleEmailDomain, s, s[:at+1]+domain)
	return s, f
}
