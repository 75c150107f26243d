package validate

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/steward-crm/steward/internal/lib/fold"
	"github.com/steward-crm/steward/internal/lib/phonemeta"
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

// Phone checks a phone number with Google's libphonenumber metadata
// (nyaruka/phonenumbers). defaultRegion (ISO 3166-1 alpha-2, e.g. "IR") is
// the country of numbers written without a +country code. Persian,
// Arabic-Indic and full-width digits are folded and invisible characters
// (a ZWNJ) dropped (internal/fold), before "00" is read as the
// international prefix. Normalized is the E.164 form.
//
// Iranian operators open mobile prefixes (09xx) faster than the metadata
// follows, so an Iranian number of the mobile shape (9 and nine more
// digits) that the metadata does not know is Possible, not invalid.
func Phone(number, defaultRegion string) PhoneResult {
	s := strings.TrimSpace(fold.Digits(number))
	if s == "" {
		return PhoneResult{Check: Check{Reason: ReasonPhoneEmpty}}
	}
	if strings.HasPrefix(s, "00") { // international prefix as typed in Iran and Europe
		s = "+" + s[2:]
	}
	n, err := phonemeta.Parse(s, strings.ToUpper(defaultRegion))
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
	// One pass finds the number's region and type; a number of a known
	// type is a valid one (what IsValidNumber says).
	m := phonemeta.Classify(n)
	res := PhoneResult{Region: m.Region}
	if m.Valid() {
		res.Valid, res.Reason, res.Normalized = true, ReasonPhoneOK, m.E164()
		res.Type = phonemeta.TypeName(m.Type)
		return res
	}
	res.Type = "unknown"
	if n.GetCountryCode() == 98 && len(m.NSN) == 10 && m.NSN[0] == '9' {
		res.Possible, res.Reason, res.Normalized = true, ReasonPhoneIranMobileLags, m.E164()
		res.Region, res.Type = "IR", "mobile"
		return res
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
