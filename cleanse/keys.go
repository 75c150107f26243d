package cleanse

import (
	"strings"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/steward-crm/steward/internal/lib/fold"
	"github.com/steward-crm/steward/internal/lib/phonemeta"
	"golang.org/x/net/idna"
)

// EmailKey returns the key under which two email addresses reach the same
// mailbox, or "" when s is not an address (no single "@", an empty part,
// a domain without a dot, white space inside, a domain IDNA rejects).
//
// The address is trimmed and lower-cased (mailbox names are case-blind at
// every provider that matters), Persian and full-width digits folded, the
// domain converted to its ASCII (punycode) form. Provider rules:
//
//   - gmail.com and googlemail.com: dots in the local part and a "+tag"
//     are ignored, and the domain becomes gmail.com;
//   - Microsoft (outlook, hotmail, live, msn), Apple (icloud, me, mac),
//     Fastmail, Proton, Yandex, Zoho: a "+tag" is ignored;
//   - Yahoo (yahoo.*, ymail.com, rocketmail.com): a "-keyword" is ignored.
func EmailKey(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = foldEmailRunes(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.IndexByte(s[:at], '@') >= 0 {
		return ""
	}
	local, domain := s[:at], strings.TrimSuffix(s[at+1:], ".")
	if strings.ContainsAny(s, " \t\r\n<>,;:\"()[]\\") {
		return ""
	}
	d, err := emailDomainASCII(domain)
	if err != nil || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return ""
	}
	local = strings.ToLower(local)
	switch providerOf(d) {
	case providerGmail:
		if i := strings.IndexByte(local, '+'); i >= 0 {
			local = local[:i]
		}
		local = strings.ReplaceAll(local, ".", "")
		d = "gmail.com"
	case providerPlus:
		if i := strings.IndexByte(local, '+'); i > 0 {
			local = local[:i]
		}
	case providerDash:
		if i := strings.IndexByte(local, '-'); i > 0 {
			local = local[:i]
		}
	}
	if local == "" {
		return ""
	}
	return local + "@" + d
}

// emailIDNA converts domains as browsers and mail clients do (UTS 46,
// non-transitional), checking hyphens and bidi rules.
var emailIDNA = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.BidiRule(), idna.StrictDomainName(false))

func emailDomainASCII(domain string) (string, error) {
	ascii := true
	for i := 0; i < len(domain); i++ {
		if domain[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(domain), nil
	}
	return emailIDNA.ToASCII(domain)
}

// foldEmailRunes folds Persian, Arabic-Indic and full-width digits and the
// full-width "@" and "." that mobile keyboards produce.
func foldEmailRunes(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	return strings.Map(func(r rune) rune {
		if d := fold.Digit(r); d >= 0 {
			return d
		}
		switch r {
		case '＠':
			return '@'
		case '．', '。':
			return '.'
		}
		if fold.Invisible(r) {
			return -1
		}
		return r
	}, s)
}

type provider int

const (
	providerOther provider = iota
	providerGmail
	providerPlus
	providerDash
)

func providerOf(domain string) provider {
	switch domain {
	case "gmail.com", "googlemail.com":
		return providerGmail
	case "outlook.com", "hotmail.com", "live.com", "msn.com", "passport.com",
		"icloud.com", "me.com", "mac.com",
		"fastmail.com", "fastmail.fm", "protonmail.com", "protonmail.ch", "proton.me", "pm.me",
		"yandex.ru", "yandex.com", "ya.ru", "zoho.com", "zohomail.com":
		return providerPlus
	case "ymail.com", "rocketmail.com":
		return providerDash
	}
	name, _, _ := strings.Cut(domain, ".")
	switch name {
	case "hotmail", "outlook", "live":
		return providerPlus
	case "yahoo":
		return providerDash
	}
	return providerOther
}

// PhoneKey returns the key under which two phone numbers ring the same
// line: the E.164 form ("+989121234567") when libphonenumber parses s for
// defaultRegion (ISO 3166-1 alpha-2, used when s has no "+" or "00"
// prefix) and the number is valid or at least of a possible length; else
// the digits with leading zeros stripped, and after an international
// prefix ("+", "00") the default region's country code too, without a
// "+"; "" when s has no digits. Persian, Arabic-Indic and full-width
// digits are folded first; letters (vanity numbers) and the extension are
// not part of the key. PhoneKey(PhoneKey(s, r), r) == PhoneKey(s, r).
func PhoneKey(s, defaultRegion string) string {
	plus, digits := phoneDigits(s)
	if digits == "" {
		return ""
	}
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))
	in := digits
	if plus {
		in = "+" + digits
	}
	if e, ok := phoneE164(in, region); ok {
		return e
	}
	d := digits
	intl := plus || strings.HasPrefix(d, "00")
	d = strings.TrimLeft(d, "0")
	if cc := phonenumbers.GetCountryCodeForRegion(region); intl && cc > 0 {
		p := itoa(cc)
		if strings.HasPrefix(d, p) && len(d)-len(p) >= 7 {
			d = strings.TrimLeft(d[len(p):], "0")
		}
	}
	if d == "" {
		d = "0"
	}
	if e, ok := phoneE164(d, region); ok {
		return e
	}
	return d
}

// phoneE164 parses a "+"-prefixed or national number for region and
// formats it as E.164 when it is valid or of a possible length.
func phoneE164(s, region string) (string, bool) {
	n, err := phonemeta.Parse(s, region)
	if err != nil {
		return "", false
	}
	// The length check is cheap; the patterns are matched only for a
	// number of an impossible length.
	if !phonenumbers.IsPossibleNumber(n) && !phonemeta.Classify(n).Valid() {
		return "", false
	}
	e := phonenumbers.Format(n, phonenumbers.E164)
	if strings.HasPrefix(phonenumbers.GetNationalSignificantNumber(n), "0") {
		// Leading zeros of a national number (Italy, or noise such as
		// "000000") must survive a second parse, or the key is unstable.
		m, err := phonemeta.Parse(e, "")
		if err != nil || phonenumbers.Format(m, phonenumbers.E164) != e {
			return "", false
		}
	}
	return e, true
}

// phoneDigits returns whether s starts with "+" and its ASCII digits
// before any extension marker (x, ext, #, ;, ",").
func phoneDigits(s string) (plus bool, digits string) {
	var b strings.Builder
	for _, r := range s {
		if d := fold.Digit(r); d >= 0 {
			b.WriteRune(d)
			continue
		}
		if (r == '+' || r == '＋') && b.Len() == 0 {
			plus = true
			continue
		}
		if r == 'x' || r == 'X' || r == '#' || r == ';' || r == ',' {
			if b.Len() > 0 {
				break
			}
		}
	}
	return plus, b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
