// Package cleanse standardizes customer data: Unicode text with Persian and
// Arabic folding, person and company names, phone numbers (E.164), postal
// addresses, email addresses and dates. Every standardizer is a pure
// function that returns the new value and the fixes it made (field,
// before, after, rule), so a change can be explained and undone; applied
// to its own output it changes nothing.
//
// # Standardizers
//
// Text is the base of every text field. The field standardizers are
// PersonName (with SplitTitle, SplitSuffix, CaseName and SplitFullName),
// Company, Phone, CountryCode (LookupCountry), PostalCode, Region,
// StreetLine (USStreet, PersianStreet), Email and Date; Record applies them
// all to a steward.Record in place. A value a standardizer cannot make
// standard is kept as written and reported by a flag: a Fix whose After
// equals its Before. A fix that guessed or left something out (a
// restored ZIP code's zero, a country inferred by InferCountry, a display
// name taken off an address by DisplayAddress) is one a person should
// check: Findings turns those into warning findings for the import gate
// to report.
//
// Rules, by the name a Fix carries:
//
//	text.invisible       invisible and bidi control characters removed (a ZWNJ between Persian letters kept)
//	text.nfc             Unicode NFC
//	text.arabic-letters  ي ى → ی, ك → ک, Arabic presentation forms → letters
//	text.tashkeel        harakat and kashida removed
//	text.digits          Persian, Arabic-Indic and full-width digits → ASCII
//	text.width           full-width Latin letters and punctuation → ASCII
//	text.space           white space collapsed and trimmed
//	name.title           title moved out of a name (to the "title" attribute)
//	name.suffix          Jr, Sr, III moved out of a name (to "name_suffix")
//	name.case            Latin name cased (JOHN → John, mcdonald → McDonald)
//	name.split           full name in one field split into first and last
//	company.legal-form   legal form in one spelling (incorporated → Inc)
//	phone.e164           phone in E.164, extension as ";ext=N"
//	phone.type           number type recorded in the "phone_type" attribute
//	phone.invalid        flag: not a valid number for its region
//	phone.unparsable     flag: not a phone number
//	country.iso          country as ISO 3166-1 alpha-2
//	country.unknown      flag: no country steward knows
//	country.inferred     empty country filled in from the phone's calling code or a Persian address
//	postal.format        postal code laid out as the country writes it
//	postal.invalid       flag: not a postal code of the country
//	postal.leading_zero  US ZIP code given back the leading zero a spreadsheet dropped (2134 → 02134)
//	region.standard      state or province in the country's standard form
//	street.usps          US street line in USPS Publication 28 form
//	street.persian       Persian address words written in full
//	email.trim           white space, invisible characters, mailto: and <> removed
//	email.display_name   address taken out of "Name <address>", the display name left out
//	email.domain         domain lower-cased, IDN domain in punycode
//	email.invalid        flag: not an email address
//	date.iso             date as YYYY-MM-DD
//	date.jalali          Persian calendar date converted to Gregorian
//	date.ambiguous       flag: day and month cannot be told apart
//	date.invalid         flag: not a date
//
// # Match keys
//
// The *Key functions (MatchKey, NameKey, NameSkeleton, EmailKey, PhoneKey,
// CompanyKey) build folded keys for comparing values in duplicate
// detection; they are never stored or shown to users. MatchKey folds more
// than Text: ة → ه, hamza forms → their base letters, ZWNJ → nothing,
// Latin diacritics removed, lower case, punctuation → space.
//
// # Data and side effects
//
// The package does no I/O and never logs. Reference tables (countries,
// postal rules, subdivisions, USPS abbreviations, street words, titles,
// legal forms, names) are embedded from data/ (see data/README.md for
// sources and licences) and built once, on first use. All functions are
// safe for concurrent use.
package cleanse
