package validate

// Verdict is the overall judgement on an email address.
type Verdict string

// Verdicts, from best to worst; Unknown means the checks could not decide
// (a DNS server failed or timed out), never that the address is bad.
const (
	Valid   Verdict = "valid"
	Risky   Verdict = "risky"
	Unknown Verdict = "unknown"
	Invalid Verdict = "invalid"
)

// Reason is a stable, machine-readable code saying why a check gave its
// verdict. Reason.Message gives the sentence to show a person.
type Reason string

// Reason codes of email syntax checks.
const (
	ReasonOK               Reason = "ok"
	ReasonEmpty            Reason = "empty"
	ReasonMissingAt        Reason = "missing_at"
	ReasonMultipleAt       Reason = "multiple_at"
	ReasonEmptyLocal       Reason = "empty_local_part"
	ReasonEmptyDomain      Reason = "empty_domain"
	ReasonQuotedLocal      Reason = "quoted_local_part"
	ReasonComment          Reason = "comment"
	ReasonIPLiteral        Reason = "ip_literal"
	ReasonDisplayName      Reason = "display_name"
	ReasonWhitespace       Reason = "whitespace"
	ReasonControlChar      Reason = "control_char"
	ReasonInvalidCharLocal Reason = "invalid_char_local"
	ReasonInvalidCharDom   Reason = "invalid_char_domain"
	ReasonInvalidUTF8      Reason = "invalid_utf8"
	ReasonInvisibleChar    Reason = "invisible_char"
	ReasonBidiControl      Reason = "bidi_control"
	ReasonFullwidth        Reason = "fullwidth_char"
	ReasonSymbol           Reason = "symbol_char"
	ReasonConfusable       Reason = "confusable"
	ReasonDotStart         Reason = "dot_start"
	ReasonDotEnd           Reason = "dot_end"
	ReasonConsecutiveDots  Reason = "consecutive_dots"
	ReasonLocalTooLong     Reason = "local_part_too_long"
	ReasonDomainTooLong    Reason = "domain_too_long"
	ReasonLabelTooLong     Reason = "label_too_long"
	ReasonAddressTooLong   Reason = "address_too_long"
	ReasonLabelHyphen      Reason = "label_hyphen"
	ReasonReservedHyphens  Reason = "label_reserved_hyphens"
	ReasonIDNA             Reason = "idna_invalid"
	ReasonDotlessDomain    Reason = "dotless_domain"
	ReasonReservedTLD      Reason = "reserved_tld"
	ReasonNumericTLD       Reason = "numeric_tld"
	ReasonInvalidTLD       Reason = "invalid_tld"
)

// Reason codes of domain (DNS) checks and list flags.
const (
	ReasonMX             Reason = "mx"
	ReasonAFallback      Reason = "a_fallback"
	ReasonNullMX         Reason = "null_mx"
	ReasonNXDomain       Reason = "nxdomain"
	ReasonNoMailHost     Reason = "no_mail_host"
	ReasonDNSFailure     Reason = "dns_failure"
	ReasonDNSTimeout     Reason = "dns_timeout"
	ReasonDisposable     Reason = "disposable"
	ReasonRoleAccount    Reason = "role_account"
	ReasonSyntaxOnly     Reason = "syntax_only"
	ReasonNotChecked     Reason = "not_checked"
	ReasonKeyboardLayout Reason = "keyboard_layout"
	ReasonTypo           Reason = "typo_suggestion"
	ReasonReservedDomain Reason = "reserved_domain"
)

var reasonMessages = map[Reason]string{
	ReasonOK:               "The address is well formed.",
	ReasonEmpty:            "The address is empty.",
	ReasonMissingAt:        "The address has no @-sign.",
	ReasonMultipleAt:       "The address has more than one @-sign.",
	ReasonEmptyLocal:       "There is nothing before the @-sign.",
	ReasonEmptyDomain:      "There is nothing after the @-sign.",
	ReasonQuotedLocal:      "Quoted local parts are legal but not accepted as a contact address.",
	ReasonComment:          "Comments in parentheses are legal in mail headers but not in a contact address.",
	ReasonIPLiteral:        "An IP address instead of a domain is legal but not accepted as a contact address.",
	ReasonDisplayName:      "Only the bare address is accepted, without a display name or angle brackets (standardizing takes the address out of \"Name <address>\").",
	ReasonWhitespace:       "The address contains a space or line break (trim it first).",
	ReasonControlChar:      "The address contains a control character.",
	ReasonInvalidCharLocal: "The part before the @-sign contains a character that is not allowed.",
	ReasonInvalidCharDom:   "The part after the @-sign contains a character that is not allowed in a domain.",
	ReasonInvalidUTF8:      "The address is not valid UTF-8.",
	ReasonInvisibleChar:    "The address contains an invisible character (zero-width space, soft hyphen …).",
	ReasonBidiControl:      "The address contains a bidirectional control character.",
	ReasonFullwidth:        "The address contains full-width characters; type it with the normal (half-width) keyboard layout.",
	ReasonSymbol:           "The address contains an emoji or symbol character.",
	ReasonConfusable:       "The address mixes scripts whose letters look alike (for example a Cyrillic а among Latin letters).",
	ReasonDotStart:         "A part of the address starts with a period.",
	ReasonDotEnd:           "A part of the address ends with a period.",
	ReasonConsecutiveDots:  "The address has two periods in a row.",
	ReasonLocalTooLong:     "The part before the @-sign is longer than 64 bytes.",
	ReasonDomainTooLong:    "The domain is longer than 253 characters.",
	ReasonLabelTooLong:     "A part of the domain between periods is longer than 63 characters.",
	ReasonAddressTooLong:   "The address is longer than 254 bytes.",
	ReasonLabelHyphen:      "A part of the domain starts or ends with a hyphen.",
	ReasonReservedHyphens:  "A part of the domain has two hyphens in the third and fourth position, reserved for punycode (xn--).",
	ReasonIDNA:             "The internationalized domain name is not valid IDNA.",
	ReasonDotlessDomain:    "The domain has no top-level domain (no period after the @-sign).",
	ReasonReservedTLD:      "The domain ends in a reserved top-level domain (.test, .example, .invalid, .localhost, .local …) that never receives mail.",
	ReasonNumericTLD:       "The top-level domain is numeric (an IP address is not a mail domain).",
	ReasonInvalidTLD:       "The top-level domain must be at least two letters (or an xn-- name).",

	ReasonMX:             "The domain accepts mail (it has MX records).",
	ReasonAFallback:      "The domain has no MX records but has an address record that may accept mail.",
	ReasonNullMX:         "The domain declares that it accepts no mail (null MX, RFC 7505).",
	ReasonNXDomain:       "The domain does not exist.",
	ReasonNoMailHost:     "The domain exists but has neither MX nor address records.",
	ReasonDNSFailure:     "The domain's DNS servers failed to answer; try again later.",
	ReasonDNSTimeout:     "The DNS lookup timed out; try again later.",
	ReasonDisposable:     "The domain belongs to a disposable (throw-away) mail service.",
	ReasonRoleAccount:    "The address is a role account (info@, sales@ …), not a person.",
	ReasonSyntaxOnly:     "The address is well formed; the domain was not checked (offline).",
	ReasonNotChecked:     "The check was stopped before the domain was looked up.",
	ReasonKeyboardLayout: "The address looks typed with the Persian keyboard layout active; see the suggestion.",
	ReasonTypo:           "The domain looks like a typo of a well-known mail provider's; check the suggestion with the customer.",
	ReasonReservedDomain: "The domain is reserved for documentation and examples (RFC 2606: example.com, example.net, example.org) and never receives mail; ask the customer for a real address.",

	ReasonIDEmpty:         "The identifier is empty.",
	ReasonIDNotDigits:     "The identifier must contain only digits.",
	ReasonIDLength:        "The identifier has the wrong number of digits (national ID: 10, legal entity ID: 11).",
	ReasonIDRepeated:      "The identifier is one digit repeated, which is never issued.",
	ReasonIDChecksum:      "The identifier's check digit does not match: a digit is mistyped.",
	ReasonIDZeroSerial:    "The identifier's serial part is all zeros, which is never issued.",
	ReasonIDLeadingZeros:  "The national ID is valid once the leading zeros a spreadsheet dropped are restored.",
	ReasonNationalIDValid: "The national ID is valid.",
	ReasonLegalIDValid:    "The legal entity ID is valid.",

	ReasonPhoneOK:             "The phone number is valid.",
	ReasonPhoneEmpty:          "The phone number is empty.",
	ReasonPhoneUnparseable:    "The value is not a phone number.",
	ReasonPhoneCountryCode:    "The country calling code does not exist, or the number is local and no country was given.",
	ReasonPhoneTooShort:       "The phone number is too short.",
	ReasonPhoneTooLong:        "The phone number is too long.",
	ReasonPhoneInvalidLength:  "The phone number has a length no number of its country has.",
	ReasonPhoneInvalid:        "The phone number does not match any number range of its country.",
	ReasonPhoneIranMobileLags: "The number has the shape of an Iranian mobile number with a prefix too new for the numbering metadata; it may be valid.",

	ReasonPostalOK:             "The postal code has its country's format.",
	ReasonPostalEmpty:          "The postal code is empty.",
	ReasonPostalFormat:         "The postal code does not have its country's format.",
	ReasonPostalUnknownCountry: "The country is not a known ISO 3166-1 alpha-2 code, so the postal code cannot be checked.",
	ReasonPostalUnchecked:      "The country has no postal code system on record; the postal code was not checked.",
}

// Message returns the human sentence for r, or r itself for an unknown code.
func (r Reason) Message() string {
	if m, ok := reasonMessages[r]; ok {
		return m
	}
	return string(r)
}
