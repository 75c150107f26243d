package cleanse

import (
	"regexp"
	"strings"

	"github.com/steward-crm/steward/internal/lib/fold"
	"github.com/steward-crm/steward/internal/lib/phonemeta"
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
	// CallingCode is the country calling code (98, 44, 1), 0 when the
	// number is not valid.
	CallingCode int
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
	// The plain form is read even where libphonenumber would read the
	// input otherwise (two digits with punctuation, input longer than 250
	// bytes): Phone has always read it so.
	plain, _ := phonemeta.Plain(fold.Digits(s))
	n, err := phonemeta.Parse(plain, region)
	if err != nil {
		f = append(f, Fix{Before: s, After: s, Rule: RulePhoneUnparsable})
		return s, info, f
	}
	info.Extension = n.GetExtension()
	// One pass finds the number's region and type: a number of a known
	// type is a valid one (what IsValidNumber says).
	switch m := phonemeta.Classify(n); {
	case m.Valid():
		info.Valid = true
		info.Type = phonemeta.TypeName(m.Type)
		info.E164 = m.E164()
	case n.GetCountryCode() == 98 && iranMobile.MatchString(m.NSN):
		info.Possible = true
		info.Type = "mobile"
		info.E164 = m.E164()
	default:
		f = append(f, Fix{Before: s, After: s, Rule: RulePhoneInvalid})
		return s, info, f
	}
	info.CallingCode = int(n.GetCountryCode())
	out := info.E164
	if info.Extension != "" {
		out += ";ext=" + info.Extension
	}
	f.step(RulePhoneE164, s, out)
	return out, info, f
}

// iranMobile is the national number of an Iranian mobile line: 9 and nine
// digits.
var iranMobile = regexp.MustCompile(`^9\d{9}$`)
