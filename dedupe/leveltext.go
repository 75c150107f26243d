package dedupe

import "strings"

// LevelText says in words how two values compared at a comparison level,
// for the stewards who read a suggestion's evidence: "exact_household" on
// the last name reads "the same, at one address or phone". The level names
// themselves stay the stable identifiers of the API and the stored model.
// A level this package does not know (another producer's) reads as its
// name with spaces.
func LevelText(field, level string) string {
	if t, ok := levelText(field, level); ok {
		return t
	}
	return strings.ReplaceAll(level, "_", " ")
}

// levelText looks the words for field's level up, those of the field
// first and then those every field shares.
func levelText(field, level string) (string, bool) {
	if t, ok := fieldLevelTexts[field+"/"+level]; ok {
		return t, true
	}
	t, ok := sharedLevelTexts[level]
	return t, ok
}

// sharedLevelTexts are the words for levels that mean the same on every
// field.
var sharedLevelTexts = map[string]string{
	LevelMissing:     "missing on one side",
	LevelExact:       "the same",
	LevelDifferent:   "different",
	"close":          "nearly the same (a typo)",
	"similar":        "similar",
	"transliterated": "the same in another script",
	"phonetic":       "sounds alike",
}

// fieldLevelTexts are the words for levels of one comparison, keyed by
// field/level (see comparisonSpecs).
var fieldLevelTexts = map[string]string{
	"first_name/nickname": "a nickname of the other",
	"first_name/prefix":   "an initial or the start of the other",
	"first_name/swapped":  "first and last name swapped",

	"last_name/exact_household": "the same, at one address or phone (a family's name)",

	"birth_date/transposed_digits": "two digits swapped",
	"birth_date/one_digit":         "one digit apart",
	"birth_date/day_month_swapped": "day and month swapped",
	"birth_date/same_year":         "the same year only",
	"birth_date/placeholder":       "the same year, on 1 January (a placeholder day)",
	"birth_date/years_apart":       "a generation apart",

	"email/exact_spells_names":     "the same, spelling the names",
	"email/same_local_part":        "the same before the @, another domain",
	"email/two_edits":              "up to two letters apart",
	"email/near_spells_names":      "nearly the same, spelling the names",
	"email/exact_other_first_name": "one mailbox, another first name (a family's)",
	"email/placeholder":            "an address many records share",

	"address+phone/address_and_phone":   "same address and phone",
	"address+phone/address_other_phone": "same address, other phone",
	"address+phone/address":             "same address",
	"address+phone/phone":               "same phone",
	"address+phone/phone_other_address": "same phone, other address",
	"address+phone/same_street":         "same street, other house number",
	"address+phone/same_postal_code":    "same postal code, other street",
	"address+phone/same_city":           "same city, other street",
	"address+phone/city":                "same city",
	"address+phone/same_region":         "same region, other city",
	"address+phone/other_phone":         "other phone",

	"company/close": "nearly the same",

	"national_id/one_edit": "one character apart",
}
