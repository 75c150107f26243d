package cleanse

import (
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers/v2"
)

// Rule names of Phone.
const (
	RulePhoneE164       = "phone.e164"       // written in E.164
	RulePhoneInvalid    = "phone.invalid"    // flag: not a valid number for its region, kept as written
	RulePhoneUnparsable = "phone.unparsable" // flag: not a phone number, kept as written
	RulePhoneType       = "phone.type"       // number type recorded in the phone_type attribute
)

// PhoneNumber is what Phone learnt about a number.
type PhoneNumber struct {
	// E164 is the number in E.164 form, "" when it is not valid.
	E164 string
	// Extension is the extension, digits only, "" when none.
	Extension string
	// Type is the number type from libphonenumber's metadata: mobile,
	// fixed_line, fixed_line_or_mobile, toll_free, premium_rate, voip,
	// pager, uan, voicemail, shared_cost, personal_number, or unknown.
	Type string
	// Valid reports a number valid by the metadata; Possible one of a
	// possible length for a range the metadata has not caught up with
	// (new Iranian 09xx mobile prefixes).
	Valid, Possible bool
}

// Phone standardizes a phone number to E.164 with
// github.com/nyaruka/phonenumbers (libphonenumber's metadata). Numbers
// without an international prefix ("+", "00") are read for defaultRegion
// (ISO 3166-1 alpha-2: the record's country, else a default). Persian and
// Arabic-Indic digits are folded. An extension is kept, written after the
// number as ";ext=123" (RFC 3966). The number must be valid for its region:
// a number read with the wrong default region is garbage, so a number that
// is not valid is flagged (RulePhoneInvalid) and kept exactly as written,
// never dropped or guessed. One exception: an Iranian mobile number
// (+98 9xx xxx xxxx) in a range newer than the metadata is "possible",
// standardized, and typed mobile. Text that is not a phone number at all
// is flagged RulePhoneUnparsable.
func Phone(s, defaultRegion string) (string, PhoneNumber, []Fix) {
	var f fixes
	var info PhoneNumber
	if strings.TrimSpace(s) == "" {
		return s, info, nil
	}
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))
	n, err := phonenumbers.Parse(plainPhone(foldDigits(s)), region)
	if err != nil {
		f = append(f, Fix{Before: s, After: s, Rule: RulePhoneUnparsable})
		return s, info, f
	}
	info.Extension = n.GetExtension()
	// GetNumberType finds the number's region and matches its patterns:
	// a number of a known type is a valid one (what IsValidNumber does,
	// without doing it twice).
	switch typ := phonenumbers.GetNumberType(n); {
	case typ != phonenumbers.UNKNOWN:
		info.Valid = true
		info.Type = phoneTypeName(typ)
	case n.GetCountryCode() == 98 && iranMobile.MatchString(phonenumbers.GetNationalSignificantNumber(n)):
		info.Possible = true
		info.Type = "mobile"
	default:
		f = append(f, Fix{Before: s, After: s, Rule: RulePhoneInvalid})
		return s, info, f
	}
	info.E164 = phonenumbers.Format(n, phonenumbers.E164)
	out := info.E164
	if info.Extension != "" {
		out += ";ext=" + info.Extension
	}
	f.step(RulePhoneE164, s, out)
	return out, info, f
}

// plainPhone returns "+" and the digits of a number written with only
// digits, spaces and the usual punctuation (- . ( ) /), or s itself when
// it holds anything else (an extension, letters, "tel:"). libphonenumber
// reads both the same way, and the plain form spares it the slow
// extension patterns.
func plainPhone(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b = append(b, c)
		case c == '+' && len(b) == 0:
			b = append(b, c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return s
		}
	}
	return string(b)
}

// iranMobile is the national number of an Iranian mobile line: 9 and nine
// digits.
var iranMobile = regexp.MustCompile(`^9\d{9}$`)

func phoneTypeName(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.FIXED_LINE:
		return "fixed_line"
	case phonenumbers.MOBILE:
		return "mobile"
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return "fixed_line_or_mobile"
	case phonenumbers.TOLL_FREE:
		return "toll_free"
	case phonenumbers.PREMIUM_RATE:
		return "premium_rate"
	case phonenumbers.SHARED_COST:
		return "shared_cost"
	case phonenumbers.VOIP:
		return "voip"
	case phonenumbers.PERSONAL_NUMBER:
		return "personal_number"
	case phonenumbers.PAGER:
		return "pager"
	case phonenumbers.UAN:
		return "uan"
	case phonenumbers.VOICEMAIL:
		return "voicemail"
	}
	return "unknown"
}
