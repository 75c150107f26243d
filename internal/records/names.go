package records

import (
	"strings"
	"sync"
	"unicode"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/cleanse"
)

// knownName is what a column's name says it holds.
type knownName struct {
	target string
	// rank is how sure the name alone makes the match, below 1 (the
	// canonical name itself).
	rank float64
	// attribute: target is an attribute (email_opt_out …), not a
	// canonical column.
	attribute bool
	// transform reads the values (yes/no → true/false), for attributes.
	transform Transform
	// fullName: the column holds whole names, which go to first_name and
	// are split into first and last name when standardized.
	fullName bool
}

// Ranks of known names: a name that says exactly what the column holds, a
// generic one that may be one of several (Phone beside Mobile), and a
// qualified one that is a second choice (Work Email, Home Phone).
const (
	rankCanonical = 0.98 // the canonical name written otherwise: First Name, E-mail
	rankExact     = 0.95
	rankGeneric   = 0.93
	rankSecond    = 0.8
)

// knownNames are the column names exports use, in English and Persian,
// keyed by nameKey: Shopify, HubSpot, Salesforce and Mailchimp exports,
// Persian shop and form exports.
var knownNames = sync.OnceValue(func() map[string]knownName {
	m := make(map[string]knownName)
	add := func(k knownName, names ...string) {
		for _, n := range names {
			m[nameKey(n)] = k
		}
	}
	col := func(target string, rank float64, names ...string) {
		add(knownName{target: target, rank: rank}, names...)
	}
	col(steward.ColumnID, rankExact, "customer id", "customer no", "customer number", "client id", "contact id",
		"record id", "member id", "cust id", "cust no", "user id", "شناسه", "کد مشتری", "شماره مشتری", "شناسه مشتری")
	col(steward.FieldFirstName, rankExact, "first name", "firstname", "first", "given name", "given names", "forename",
		"fname", "vorname", "prenom", "prénom", "nombre", "نام", "نام کوچک", "اسم")
	col(steward.FieldLastName, rankExact, "last name", "lastname", "last", "surname", "family name", "familyname",
		"lname", "nachname", "apellido", "apellidos", "نام خانوادگی", "فامیلی", "فامیل", "نام فامیلی", "نام فامیل")
	add(knownName{target: steward.FieldFirstName, rank: 0.9, fullName: true}, "name", "full name", "fullname",
		"customer name", "contact name", "client name", "display name", "نام و نام خانوادگی",
		"نام و نامخانوادگی", "نام کامل", "نام مشتری", "نام شخص")
	col(steward.FieldCompany, rankExact, "company", "company name", "organization", "organisation",
		"organization name", "organisation name", "org", "business", "business name", "employer", "account name",
		"firm", "شرکت", "نام شرکت", "سازمان", "نام سازمان")
	col(steward.FieldEmail, rankExact, "email", "e-mail", "email address", "e-mail address", "mail", "email id",
		"primary email", "ایمیل", "پست الکترونیک", "پست الکترونیکی", "آدرس ایمیل", "نشانی ایمیل",
		"آدرس پست الکترونیک", "رایانامه")
	col(steward.FieldEmail, rankSecond, "work email", "personal email", "business email", "home email",
		"other email", "secondary email", "email 2", "alternate email")
	col(steward.FieldPhone, rankExact, "mobile", "mobile phone", "mobile number", "mobile phone number", "cell",
		"cell phone", "cellphone", "cell number", "موبایل", "تلفن همراه", "شماره موبایل", "شماره همراه", "همراه",
		"شماره تلفن همراه")
	col(steward.FieldPhone, rankGeneric, "phone", "phone number", "telephone", "telephone number", "tel", "tel no", "tel number", "phone no", "telephone no",
		"contact number", "primary phone", "شماره تماس", "تلفن", "شماره تلفن", "تماس")
	col(steward.FieldPhone, rankSecond, "home phone", "work phone", "business phone", "office phone", "other phone",
		"phone 2", "تلفن ثابت", "تلفن منزل", "تلفن محل کار")
	col(steward.FieldAddressLine1, rankExact, "address", "address1", "address 1", "address line 1", "street",
		"street address", "street 1", "address street", "نشانی", "آدرس", "آدرس پستی", "نشانی پستی")
	col(steward.FieldAddressLine2, rankExact, "address2", "address 2", "address line 2", "street 2", "apartment",
		"apartment suite", "suite", "unit", "apt")
	col(steward.FieldCity, rankExact, "city", "town", "town city", "suburb", "locality", "municipality", "شهر")
	col(steward.FieldRegion, rankExact, "province code", "state code", "region code", "province", "state",
		"state province", "province state", "state region", "region", "county", "استان")
	col(steward.FieldPostalCode, rankExact, "zip", "zip code", "zipcode", "postal code", "postcode", "post code",
		"postal", "zip postal code", "postal zip code", "plz", "کد پستی", "کدپستی")
	col(steward.FieldCountry, rankExact, "country code", "country", "country name", "nation", "country region", "کشور")
	col(steward.FieldBirthDate, rankExact, "birth date", "birthdate", "date of birth", "dob", "birthday", "born",
		"تاریخ تولد")
	col(steward.FieldNationalID, rankExact, "national id", "national code", "national number", "national id number",
		"ssn", "social security number", "kod melli", "code melli", "کد ملی", "شماره ملی", "کدملی")
	// The canonical names written otherwise (First Name, E-mail), over
	// any synonym of the same key.
	for _, c := range steward.CanonicalColumns() {
		add(knownName{target: c, rank: rankCanonical}, c)
	}
	// Codes beat names: a Province Code is what cleanse reads best.
	for _, k := range []string{"province code", "state code", "region code", "country code"} {
		v := m[nameKey(k)]
		v.rank = 0.96
		m[nameKey(k)] = v
	}
	consent := func(target string, t Transform, names ...string) {
		add(knownName{target: target, rank: rankExact, attribute: true, transform: t}, names...)
	}
	consent("email_opt_out", TransformNot, "accepts email marketing", "accepts marketing", "email marketing consent",
		"email subscribed", "accepts email")
	consent("email_opt_out", TransformBool, "email opt out", "hasoptedoutofemail", "opted out of email",
		"email unsubscribed", "unsubscribed", "do not email")
	consent("sms_opt_out", TransformNot, "accepts sms marketing", "sms marketing consent", "accepts sms")
	consent("sms_opt_out", TransformBool, "sms opt out", "sms unsubscribed")
	return m
})

// namePrefixes qualify a known name without changing what it holds:
// Default Address Zip, Mailing City, Customer Email. A name found only
// after one is removed ranks a little lower.
var namePrefixes = []string{"defaultaddress", "address", "mailing", "billing", "shipping", "primary", "customer",
	"client", "contact", "member", "personal", "user"}

// lookupName returns what a header name says its column holds.
func lookupName(header string) (knownName, bool) {
	names := knownNames()
	key := nameKey(header)
	if k, ok := names[key]; ok {
		return k, true
	}
	for _, p := range namePrefixes {
		if rest, ok := strings.CutPrefix(key, p); ok && rest != "" {
			if k, ok := names[rest]; ok {
				k.rank *= 0.95
				return k, true
			}
		}
	}
	// A numbered column: Email 1 is the first email, Phone 2 a second.
	if base := strings.TrimRight(key, "0123456789"); base != key && base != "" {
		if k, ok := names[base]; ok {
			if key[len(base):] == "1" {
				k.rank *= 0.97
			} else {
				k.rank = min(k.rank, rankSecond) * 0.95
			}
			return k, true
		}
	}
	return knownName{}, false
}

// nameKey is how header names are compared with known names: letters
// and digits only, lower case, Arabic letter forms read as Persian (ي as
// ی), so that "E-mail Address", "email_address" and "EmailAddress" meet.
// "#" reads as "no" (Customer # is Customer No).
func nameKey(s string) string {
	s, _ = cleanse.Text(strings.ReplaceAll(s, "#", " no "))
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
