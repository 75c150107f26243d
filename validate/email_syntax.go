package validate

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/steward-crm/steward/cleanse"
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Length limits of RFC 5321 (4.5.3.1) and RFC 1035. The domain limit is 255
// octets on the wire, which is 253 characters in dotted text form.
const (
	maxLocalLen   = 64
	maxDomainLen  = 253
	maxLabelLen   = 63
	maxAddressLen = 254
)

// Syntax is the verdict of EmailSyntax on one address.
type Syntax struct {
	// Valid reports whether the address can be stored as a contact address.
	Valid bool
	// Reason says why; ReasonOK when Valid.
	Reason Reason
	// Local is the part before the @-sign, as written. Set only when Valid.
	Local string
	// Domain is the domain in its ASCII (A-label) form: as written when it
	// was ASCII, the lower-case punycode form of an internationalized
	// domain otherwise. Set only when Valid.
	Domain string
	// SMTPUTF8 reports a non-ASCII local part, which only servers that
	// support SMTPUTF8 (RFC 6531) can deliver to.
	SMTPUTF8 bool
}

// Message returns the human sentence for the verdict.
func (s Syntax) Message() string { return s.Reason.Message() }

func syntaxError(r Reason) Syntax { return Syntax{Reason: r} }

// Character classes of ASCII bytes in an address.
const (
	clsOther  uint8 = iota // not allowed anywhere
	clsAtext               // RFC 5322 atext that is not a letter, digit or hyphen
	clsLetter              // A-Z a-z
	clsDigit               // 0-9
	clsHyphen              // -
	clsDot                 // .
	clsAt                  // @
)

// asciiClass classifies every ASCII byte; built once by a pure function of
// the RFC grammar, not configuration.
var asciiClass = func() (t [128]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clsLetter
		t[c-'a'+'A'] = clsLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clsDigit
	}
	for _, c := range "!#$%&'*+/=?^_`{|}~" {
		t[c] = clsAtext
	}
	t['-'] = clsHyphen
	t['.'] = clsDot
	t['@'] = clsAt
	return t
}()

// asciiReason names the problem with an ASCII byte that is not allowed where
// it stands.
func asciiReason(c byte, inDomain bool) Reason {
	switch {
	case c == ' ' || c == '\t':
		return ReasonWhitespace
	case c < 0x20 || c == 0x7f:
		return ReasonControlChar
	case c == '(' || c == ')':
		return ReasonComment
	case c == '<' || c == '>':
		return ReasonDisplayName
	case c == '"' && !inDomain:
		return ReasonQuotedLocal
	case c == '@':
		return ReasonMultipleAt
	case inDomain:
		return ReasonInvalidCharDom
	}
	return ReasonInvalidCharLocal
}

// EmailSyntax checks that addr is an address a CRM can store and send to:
// a dot-atom local part (UTF-8 allowed, RFC 6531) and a domain name with a
// real-looking top-level domain. Legal RFC 5322 forms that are no contact
// address (quoted local parts, comments, IP literals, folding whitespace)
// are invalid with their own reason. addr is taken as it is: trimming and
// case folding belong to cleansing.
//
// ASCII addresses are checked in one pass without allocating; others take
// a slower path that validates every character and converts the domain to
// its IDNA ASCII form.
func EmailSyntax(addr string) Syntax {
	n := len(addr)
	if n == 0 {
		return syntaxError(ReasonEmpty)
	}
	if addr[n-1] == '>' {
		if _, _, ok := cleanse.DisplayAddress(addr); ok {
			// "John Doe <john@gmail.com>": say so, rather than that it
			// holds a space; cleanse.Email takes the address out.
			return syntaxError(ReasonDisplayName)
		}
	}
	// Local part: dot-atom.
	i := 0
	prevDot := true
	for ; i < n; i++ {
		c := addr[i]
		if c >= utf8.RuneSelf {
			return emailSyntaxUnicode(addr)
		}
		switch asciiClass[c] {
		case clsLetter, clsDigit, clsHyphen, clsAtext:
			prevDot = false
			continue
		case clsDot:
			if i == 0 {
				return syntaxError(ReasonDotStart)
			}
			if prevDot {
				return syntaxError(ReasonConsecutiveDots)
			}
			prevDot = true
			continue
		case clsAt:
		default:
			return syntaxError(asciiReason(c, false))
		}
		break
	}
	if i == n {
		return syntaxError(ReasonMissingAt)
	}
	if i == 0 {
		return syntaxError(ReasonEmptyLocal)
	}
	if prevDot {
		return syntaxError(ReasonDotEnd)
	}
	if i > maxLocalLen {
		return syntaxError(ReasonLocalTooLong)
	}
	local, domain := addr[:i], addr[i+1:]
	r, puny := checkDomainASCII(domain)
	if r == reasonNonASCII {
		return emailSyntaxUnicode(addr)
	}
	if r != ReasonOK {
		return syntaxError(r)
	}
	if puny {
		if r := checkPunycode(domain); r != ReasonOK {
			return syntaxError(r)
		}
	}
	if n > maxAddressLen {
		return syntaxError(ReasonAddressTooLong)
	}
	return Syntax{Valid: true, Reason: ReasonOK, Local: local, Domain: domain}
}

// reasonNonASCII tells the fast path to hand the address to the Unicode
// path; it never leaves the package.
const reasonNonASCII Reason = "non_ascii"

// checkDomainASCII checks an ASCII domain: LDH labels of 1-63 characters
// without a hyphen at either end, at least two labels, and an alphabetic (or
// xn--) top-level domain that is not reserved. It reports whether any label
// is an xn-- A-label, which the caller must decode to check further.
func checkDomainASCII(d string) (Reason, bool) {
	if len(d) == 0 {
		return ReasonEmptyDomain, false
	}
	if d[0] == '[' {
		return ReasonIPLiteral, false
	}
	puny := false
	start := 0
	dots := 0
	tldAlpha, tldDigits := true, true
	for j := 0; j <= len(d); j++ {
		if j < len(d) {
			c := d[j]
			if c >= utf8.RuneSelf {
				return reasonNonASCII, false
			}
			switch asciiClass[c] {
			case clsLetter:
				tldDigits = false
				continue
			case clsDigit:
				tldAlpha = false
				continue
			case clsHyphen:
				tldAlpha, tldDigits = false, false
				continue
			case clsDot:
			default:
				return asciiReason(c, true), false
			}
		}
		label := d[start:j]
		switch {
		case len(label) == 0 && start == 0:
			return ReasonDotStart, false
		case len(label) == 0 && j == len(d):
			return ReasonDotEnd, false
		case len(label) == 0:
			return ReasonConsecutiveDots, false
		case len(label) > maxLabelLen:
			return ReasonLabelTooLong, false
		case label[0] == '-' || label[len(label)-1] == '-':
			return ReasonLabelHyphen, false
		case len(label) >= 4 && label[2] == '-' && label[3] == '-':
			if !hasPrefixFold(label, "xn--") {
				return ReasonReservedHyphens, false
			}
			puny = true
		}
		if j < len(d) {
			dots++
			start = j + 1
			tldAlpha, tldDigits = true, true
		}
	}
	if len(d) > maxDomainLen {
		return ReasonDomainTooLong, false
	}
	if dots == 0 {
		return ReasonDotlessDomain, false
	}
	tld := d[start:]
	switch {
	case tldDigits:
		return ReasonNumericTLD, false
	case hasPrefixFold(tld, "xn--"):
	case !tldAlpha || len(tld) < 2:
		return ReasonInvalidTLD, false
	case isReservedTLD(tld):
		return ReasonReservedTLD, false
	}
	return ReasonOK, puny
}

// isReservedTLD reports special-use and reserved top-level domains that
// never receive mail: RFC 2606 (test, example, invalid, localhost), RFC 6762
// (local), RFC 7686 (onion), RFC 9476 (alt), .arpa infrastructure and the
// ICANN-reserved .internal.
func isReservedTLD(tld string) bool {
	switch len(tld) {
	case 3:
		return strings.EqualFold(tld, "alt")
	case 4:
		return strings.EqualFold(tld, "test") || strings.EqualFold(tld, "arpa")
	case 5:
		return strings.EqualFold(tld, "local") || strings.EqualFold(tld, "onion")
	case 7:
		return strings.EqualFold(tld, "example") || strings.EqualFold(tld, "invalid")
	case 8:
		return strings.EqualFold(tld, "internal")
	case 9:
		return strings.EqualFold(tld, "localhost")
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// checkPunycode decodes a domain with xn-- labels and checks the Unicode
// form like a domain typed in Unicode, so that punycode cannot smuggle in
// what the Unicode path rejects (symbols, mixed-script lookalikes).
func checkPunycode(d string) Reason {
	u, err := idna.Lookup.ToUnicode(d)
	if err != nil {
		return ReasonIDNA
	}
	if _, err := idna.Lookup.ToASCII(u); err != nil {
		return ReasonIDNA
	}
	for _, r := range u {
		if r >= utf8.RuneSelf {
			if reason := checkRune(r, true); reason != ReasonOK {
				return reason
			}
		}
	}
	return checkDomainScripts(u)
}

// emailSyntaxUnicode is the slow path for addresses with non-ASCII bytes.
func emailSyntaxUnicode(addr string) Syntax {
	if !utf8.ValidString(addr) {
		return syntaxError(ReasonInvalidUTF8)
	}
	// Characters that are wrong wherever they stand are reported first:
	// they are what a person must be told about (an invisible space, a
	// full-width letter from the wrong keyboard layout).
	at := -1
	for i, r := range addr {
		if r == '@' && at < 0 {
			at = i
		}
		if r < utf8.RuneSelf {
			continue
		}
		if reason := checkRune(r, at >= 0); reason != ReasonOK {
			return syntaxError(reason)
		}
	}
	if at < 0 {
		return syntaxError(ReasonMissingAt)
	}
	local, domain := addr[:at], addr[at+1:]
	if r := checkLocalUnicode(local); r != ReasonOK {
		return syntaxError(r)
	}
	// The local part is measured as written and in NFC, the form it is
	// stored and sent in; NFC can be longer (composition exclusions) or
	// shorter, and both must fit.
	nlocal := len(local)
	if !norm.NFC.IsNormalString(local) {
		nlocal = max(nlocal, len(norm.NFC.String(local)))
	}
	if nlocal > maxLocalLen {
		return syntaxError(ReasonLocalTooLong)
	}
	ascii := domain
	smtputf8 := false
	for i := 0; i < len(local); i++ {
		if local[i] >= utf8.RuneSelf {
			smtputf8 = true
			break
		}
	}
	if !isASCII(domain) {
		if domain == "" {
			return syntaxError(ReasonEmptyDomain)
		}
		// ASCII characters that IDNA would reject get their own reason.
		for i := 0; i < len(domain); i++ {
			c := domain[i]
			if c < utf8.RuneSelf && asciiClass[c] != clsLetter && asciiClass[c] != clsDigit &&
				asciiClass[c] != clsHyphen && asciiClass[c] != clsDot {
				if i == 0 && c == '[' {
					return syntaxError(ReasonIPLiteral)
				}
				return syntaxError(asciiReason(c, true))
			}
		}
		if r := checkDomainScripts(domain); r != ReasonOK {
			return syntaxError(r)
		}
		var err error
		ascii, err = idna.Lookup.ToASCII(domain)
		if err != nil {
			return syntaxError(ReasonIDNA)
		}
	}
	r, puny := checkDomainASCII(ascii)
	if r == reasonNonASCII {
		r = ReasonIDNA
	}
	if r != ReasonOK {
		return syntaxError(r)
	}
	if puny && hasPunycodeLabel(domain) {
		// Labels typed in Unicode were checked above; a label typed as
		// punycode, alone or beside Unicode ones ("Xn--….ǅ"), is checked
		// in its decoded form, which is what a reader would see.
		if r := checkPunycode(ascii); r != ReasonOK {
			return syntaxError(r)
		}
	}
	if nlocal+1+len(ascii) > maxAddressLen {
		return syntaxError(ReasonAddressTooLong)
	}
	return Syntax{Valid: true, Reason: ReasonOK, Local: local, Domain: ascii, SMTPUTF8: smtputf8}
}

// checkLocalUnicode checks a local part that may hold non-ASCII letters:
// dot-atom structure, allowed characters, no atom that starts with a
// combining mark, and one script (or a safe mix) in each dot-separated
// atom.
func checkLocalUnicode(local string) Reason {
	if local == "" {
		return ReasonEmptyLocal
	}
	prevDot := true
	atom := 0
	for i, r := range local {
		if r < utf8.RuneSelf {
			switch asciiClass[r] {
			case clsLetter, clsDigit, clsHyphen, clsAtext:
				prevDot = false
				continue
			case clsDot:
				if i == 0 {
					return ReasonDotStart
				}
				if prevDot {
					return ReasonConsecutiveDots
				}
				if !mixedScriptOK(local[atom:i]) {
					return ReasonConfusable
				}
				atom = i + 1
				prevDot = true
				continue
			}
			return asciiReason(byte(r), false)
		}
		if i == atom && unicode.In(r, unicode.M) {
			// A combining mark with no letter to combine with: an
			// atom of marks alone (U+0300) is no name of anyone.
			return ReasonInvalidCharLocal
		}
		prevDot = false
	}
	if prevDot {
		return ReasonDotEnd
	}
	if !mixedScriptOK(local[atom:]) {
		return ReasonConfusable
	}
	return ReasonOK
}

// hasPunycodeLabel reports whether domain has a label typed as an xn--
// A-label.
func hasPunycodeLabel(domain string) bool {
	for label := range strings.SplitSeq(domain, ".") {
		if hasPrefixFold(label, "xn--") {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
