package cleanse

import (
	"net/mail"
	"strings"
)

// RuleEmailDisplayName names the fix that takes an address out of a
// display-name form ("John Doe <john@gmail.com>" → "john@gmail.com").
const RuleEmailDisplayName = "email.display_name"

// DisplayAddress splits an address written with a display name, as mail
// programs copy it ("John Doe <john@gmail.com>", `"Doe, John"
// <john@gmail.com>`, Doe, John <john@gmail.com>), into the name and the
// address between the angle brackets, both trimmed. ok is false for
// anything else: a bare address, an address in brackets alone, or text
// whose part in brackets holds no @-sign, white space or more brackets.
// The address is taken exactly as written inside the brackets, for the
// syntax check to judge; the name is decoded as RFC 5322 and RFC 2047
// write it (quotes, =?UTF-8?…?= words) where net/mail can read it.
func DisplayAddress(s string) (name, addr string, ok bool) {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, ">") {
		return "", "", false
	}
	i := strings.LastIndexByte(s, '<')
	if i <= 0 {
		return "", "", false
	}
	phrase := strings.TrimSpace(s[:i])
	addr = s[i+1 : len(s)-1]
	if phrase == "" || strings.ContainsAny(phrase, "<>") || !strings.Contains(addr, "@") ||
		strings.ContainsAny(addr, "<> \t\r\n") {
		return "", "", false
	}
	name = phrase
	if a, err := mail.ParseAddress(phrase + " <" + addr + ">"); err == nil && a.Name != "" {
		name = a.Name
	} else if len(phrase) >= 2 && phrase[0] == '"' && phrase[len(phrase)-1] == '"' {
		name = strings.ReplaceAll(strings.ReplaceAll(phrase[1:len(phrase)-1], `\"`, `"`), `\\`, `\`)
	}
	return name, addr, true
}
