package cleanse

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers/v2"
	"github.com/steward-crm/steward"
)

// RuleCountryInferred names the fix that fills an empty country field
// from the record's own values (see InferCountry).
const RuleCountryInferred = "country.inferred"

// InferCountry returns the country (ISO 3166-1 alpha-2) that r's own
// values show when its country field is empty, and in words what shows
// it; "" when nothing does, or when the signs disagree or fit several
// countries. The signs:
//
//   - a phone number in international form whose calling code belongs to
//     one country alone (+98 Iran, +49 Germany). A calling code shared by
//     several countries says nothing: +1 is the US, Canada and the
//     Caribbean, +44 the United Kingdom, Jersey, Guernsey and the Isle of
//     Man, +7 Russia and Kazakhstan;
//   - an address written in Persian: Arabic script with a Persian address
//     word (خیابان, کوچه, پلاک …), an Iranian province as region or city,
//     or letters Persian has and Arabic lacks (پ چ ژ گ) with none of
//     Urdu's, Pashto's or Kurdish's own: Iran;
//   - a phone number in national form that is an Iranian number, for a
//     customer whose name is written in Persian: Iran (alone, 0912 …
//     is as much a Philippine mobile number).
//
// The phone is read as Phone reads it for defaultCountry (the country a
// record without one is read for, may be ""), so that "0098 912 …" is
// the Iranian number it becomes and a national number says
// defaultCountry, which the caller does not write in. A national-form
// number without a Persian name or address says nothing more.
// InferCountry does not look at r.Country: the caller decides whether the
// field is empty.
func InferCountry(r *steward.Record, defaultCountry string) (code, why string) {
	_, phone, _ := Phone(r.Phone, defaultCountry)
	return inferCountry(r, phone)
}

// inferCountry is InferCountry with r.Phone read already (Record reads it
// once for both).
func inferCountry(r *steward.Record, phone PhoneNumber) (code, why string) {
	var phoneRegions []string
	var phoneWhy string
	if phone.E164 != "" {
		phoneRegions = phonenumbers.GetRegionCodesForCountryCode(phone.CallingCode)
		if len(phoneRegions) == 1 {
			phoneWhy = fmt.Sprintf("the phone %s (+%d is the calling code of %s alone)",
				phone.E164, phone.CallingCode, countryName(phoneRegions[0]))
		}
	}
	scriptWhy := persianAddress(r)
	switch {
	case len(phoneRegions) == 1 && scriptWhy != "":
		if phoneRegions[0] != "IR" {
			return "", "" // a foreign phone beside a Persian address
		}
		return "IR", phoneWhy + " and " + scriptWhy
	case len(phoneRegions) == 1:
		return phoneRegions[0], phoneWhy
	case len(phoneRegions) > 1:
		// A shared calling code: the country is one of several, and a
		// Persian address beside it is a contradiction, unless it is one.
		return "", ""
	case scriptWhy != "":
		return "IR", scriptWhy
	}
	if strings.TrimSpace(r.Phone) != "" && isArabicScript(r.FirstName+r.LastName) {
		if _, info, _ := Phone(r.Phone, "IR"); info.E164 != "" && info.CallingCode == 98 {
			return "IR", fmt.Sprintf("the phone %s, an Iranian number, and the name written in Persian", r.Phone)
		}
	}
	return "", ""
}

// countryName is the English name of a country code, or the code.
func countryName(code string) string {
	if c, ok := Country(code); ok && c.English != "" {
		return c.English
	}
	return code
}

// persianAddressSigns are words of Iranian addresses that Arabic
// addresses do not use (میدان and واحد are Arabic words too).
var persianAddressSigns = []string{"خیابان", "کوچه", "پلاک", "طبقه", "بن\u200cبست", "بنبست", "بزرگراه", "آزادراه", "بلوار"}

// persianAddress says why r's address reads as written in Iran, or "".
func persianAddress(r *steward.Record) string {
	if !isArabicScript(r.AddressLine1) && !isArabicScript(r.AddressLine2) && !isArabicScript(r.City) && !isArabicScript(r.Region) {
		return "" // most addresses: nothing to join and fold
	}
	joined := strings.Join([]string{r.AddressLine1, r.AddressLine2, r.City, r.Region}, " ")
	// As StreetLine writes it, so that "خ آزادی" is "خیابان آزادی" here
	// as it is once standardized.
	t, _ := Text(joined)
	t = PersianStreet(t)
	for _, w := range strings.Fields(t) {
		w = strings.Trim(w, ".,،:؛")
		for _, sign := range persianAddressSigns {
			if w == sign {
				return fmt.Sprintf("the address word %q", sign)
			}
		}
	}
	regions := loadRegions().byCountry["IR"]
	for _, v := range []string{r.Region, r.City} {
		if isArabicScript(v) {
			if _, ok := regions[regionKey(v)]; ok {
				return fmt.Sprintf("the Iranian province %q", strings.TrimSpace(v))
			}
		}
	}
	persian := false
	for _, c := range t {
		switch c {
		case 'پ', 'چ', 'ژ', 'گ':
			persian = true
		case 'ٹ', 'ڈ', 'ڑ', 'ں', 'ے', 'ھ', 'ۆ', 'ێ', 'ڵ', 'ڕ', 'ڤ', 'ښ', 'ږ', 'ځ', 'څ', 'ډ', 'ړ', 'ټ', 'ګ', 'ڼ', 'ۍ', 'ې', 'ہ', 'ۃ':
			return "" // Urdu, Pashto or Kurdish
		}
	}
	if persian {
		return "the address written in Persian letters"
	}
	return ""
}
