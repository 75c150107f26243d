package validate

import "strings"

// reservedDomains are the second-level domains RFC 2606 reserves for
// documentation and examples. Their names exist in DNS (example.com even
// publishes a null MX), but no mailbox is ever there.
var reservedDomains = []string{"example.com", "example.net", "example.org"}

// ReservedDomain reports whether domain (ASCII, any case) is one of RFC
// 2606's example domains or a name under one (shop.example.com). An
// address there is well formed, so EmailSyntax accepts it; the verifier
// calls it risky (ReasonReservedDomain) without asking DNS. The reserved
// top-level domains (.test, .example, .invalid, .localhost, .local …)
// are EmailSyntax's: ReasonReservedTLD.
func ReservedDomain(domain string) bool {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	for _, r := range reservedDomains {
		if d == r || strings.HasSuffix(d, "."+r) {
			return true
		}
	}
	return false
}
