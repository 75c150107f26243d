package validate

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers/v2"
)

// Reason codes of phone checks.
const (
	ReasonPhoneOK             Reason = "phone_ok"
	ReasonPhoneEmpty          Reason = "phone_empty"
	ReasonPhoneUnparseable    Reason = "phone_unparseable"
	ReasonPhoneCountryCode    Reason = "phone_invalid_country_code"
	ReasonPhoneTooShort       Reason = "phone_too_short"
	ReasonPhoneTooLong        Reason = "phone_too_long"
	ReasonPhoneInvalidLength  Reason = "phone_invalid_length"
	ReasonPhoneInvalid        Reason = "phone_invalid"
	ReasonPhoneIranMobileLags Reason = "phone_possible_new_prefix"
)

// PhoneResult is the verdict on a phone number.
type PhoneResult struct {
	Check
	// Possible is true for a number whose length fits its country but whose
	// range the metadata does not know (an Iranian mobile prefix newer than
	// the metadata): not Valid, not to be rejected either.
	Possible bool
	// Type is the kind of number: mobile, fixed_line, fixed_line_or_mobile,
	// toll_free, premium_rate, shared_cost, voip, personal_number, pager,
	// uan, voicemail or unknown.
	Type string
	// Region is the ISO 3166-1 alpha-2 code of the number's country.
	Region string
}

// Verdict returns "valid", "possible" or "invalid".
func (p PhoneResult) Verdict() string {
	switch {
	case p.Valid:
		return "valid"
	case p.Possible:
		return "possible"
	}
	return "invalid"
}

var phoneTypes = map[phonenumbers.PhoneNumberType]string{
	phonenumbers.FIXED_LINE:           "fixed_line",
	phonenumbers.MOBILE:               "mobile",
	phonenumbers.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
	phonenumbers.TOLL_FREE:            "toll_free",
	phonenumbers.PREMIUM_RATE:         "premium_rate",
	phonenumbers.SHARED_COST:          "shared_cost",
	phonenumbers.VOIP:                 "voip",
	phonenumbers.PERSONAL_NUMBER:      "personal_number",
	phonenumbers.PAGER:                "pager",
	phonenumbers.UAN:                  "uan",
	phonenumbers.VOICEMAIL:            "voicemail",
	phonenumbers.UNKNOWN:              "unknown",
}

// Phone checks a phone number with Google's libphonenumber metadata
// (nyaruka/phonenumbers). defaultRegion (ISO 3166-1 alpha-2, e.g. "IR") is
// the country of numbers written without a +country code. Persian and
// Arabic-Indic digits are folded. Normalized is the E.164 form.
//
// Iranian operators open mobile prefixes (09xx) faster than the metadata
// follows, so an Iranian number of the mobile shape (9 and nine more
// digits) that the metadata does not know is Possible, not invalid.
func Phone(number, defaultRegion string) PhoneResult {
	return checkPhone(number, defaultRegion, true)
}

// checkPhone is Phone; without typed it leaves Region and Type empty,
// which saves matching the number against every region's and type's
// patterns again (record rules need validity only).
func checkPhone(number, defaultRegion string, typed bool) PhoneResult {
	s := strings.TrimSpace(foldDigits(number))
	if s == "" {
		return PhoneResult{Check: Check{Reason: ReasonPhoneEmpty}}
	}
	if strings.HasPrefix(s, "00") { // international prefix as typed in Iran and Europe
		s = "+" + s[2:]
	}
	n, err := phonenumbers.Parse(s, strings.ToUpper(defaultRegion))
	if err != nil {
		if errors.Is(err, phonenumbers.ErrInvalidCountryCode) {
			return PhoneResult{Check: Check{Reason: ReasonPhoneCountryCode}}
		}
		if errors.Is(err, phonenumbers.ErrTooShortNSN) || errors.Is(err, phonenumbers.ErrTooShortAfterIDD) {
			return PhoneResult{Check: Check{Reason: ReasonPhoneTooShort}}
		}
		if errors.Is(err, phonenumbers.ErrNumTooLong) {
			return PhoneResult{Check: Check{Reason: ReasonPhoneTooLong}}
		}
		return PhoneResult{Check: Check{Reason: ReasonPhoneUnparseable}}
	}
	var res PhoneResult
	if typed {
		res.Region = phonenumbers.GetRegionCodeForNumber(n)
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	if phonenumbers.IsValidNumber(n) {
		res.Valid, res.Reason, res.Normalized = true, ReasonPhoneOK, e164
		if typed {
			res.Type = phoneTypes[phonenumbers.GetNumberType(n)]
		}
		return res
	}
	if typed {
		res.Type = "unknown"
	}
	if n.GetCountryCode() == 98 {
		if nsn := phonenumbers.GetNationalSignificantNumber(n); len(nsn) == 10 && nsn[0] == '9' {
			res.Possible, res.Reason, res.Normalized = true, ReasonPhoneIranMobileLags, e164
			res.Region, res.Type = "IR", "mobile"
			return res
		}
	}
	switch phonenumbers.IsPossibleNumberWithReason(n) {
	case phonenumbers.TOO_SHORT:
		res.Reason = ReasonPhoneTooShort
	case phonenumbers.TOO_LONG:
		res.Reason = ReasonPhoneTooLong
	case phonenumbers.INVALID_LENGTH:
		res.Reason = ReasonPhoneInvalidLength
	case phonenumbers.INVALID_COUNTRY_CODE:
		res.Reason = ReasonPhoneCountryCode
	default:
		res.Reason = ReasonPhoneInvalid
	}
	return res
}
