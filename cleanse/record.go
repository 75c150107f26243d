package cleanse

import (
	"strings"

	"github.com/steward-crm/steward"
)

// Attributes Record sets besides the canonical fields.
const (
	AttrTitle      = "title"       // titles removed from the name (Dr, آقای)
	AttrNameSuffix = "name_suffix" // generational suffix removed from the name (Jr)
	AttrPhoneType  = "phone_type"  // number type of a standardized phone (mobile, fixed_line …)
)

// Options configure Record.
type Options struct {
	// DefaultCountry (ISO 3166-1 alpha-2) is the country of a record with
	// an empty country field whose own values show none (InferCountry):
	// its phones are read for it and its postal code checked against it.
	// The country field itself is not filled in with it.
	DefaultCountry string
	// DateOrder reads ambiguous day/month dates; the zero value flags
	// them.
	DateOrder DateOrder
}

// Version numbers what Record makes of a value. It goes up with every
// change to a rule that standardizes stored values differently (2: US
// cities in capitals), so that the customers standardized before are
// standardized again (the standardize job runs over every customer).
const Version = 2

// Record standardizes every canonical field of r in place and returns what
// it changed, in canonical field order, each Fix with its Field set:
//
//   - country: CountryCode (ISO 3166-1 alpha-2), first, because the other
//     fields depend on it; an empty one is filled in from what the
//     record's phone or Persian address shows (InferCountry, a
//     RuleCountryInferred fix saying from what), unless that is
//     DefaultCountry, which applies anyway;
//   - first_name, last_name: PersonNames (titles and suffixes moved to
//     the "title" and "name_suffix" attributes, a lone title in the first
//     name moved there too, initials glued to a family name and a full
//     name in one field split);
//   - company: Company; email: Email; phone: Phone for the record's
//     country, else DefaultCountry (type in the "phone_type" attribute);
//   - address_line1, address_line2: StreetLine; city: City; region: Region;
//     postal_code: PostalCode; birth_date: Date with DateOrder;
//     national_id: Text.
//
// Fixes whose After equals Before are flags: the value was kept. Record is
// idempotent: applied to its own output it changes nothing.
func Record(r *steward.Record, opts Options) []Fix {
	var out []Fix // most records need few fixes: no room made in advance
	add := func(field string, fs []Fix) {
		for _, f := range fs {
			f.Field = field
			out = append(out, f)
		}
	}

	var fs []Fix
	r.Country, fs = CountryCode(r.Country)
	add(steward.FieldCountry, fs)
	// A record without a country has its phone read for the default
	// country, which InferCountry looks at too: read it once, and again
	// only when the country inferred is another.
	var phone *phoneRead
	if r.Country == "" {
		p := phoneRead{}
		p.out, p.info, p.fixes = Phone(r.Phone, opts.DefaultCountry)
		if code, why := inferCountry(r, p.info); code != "" && !strings.EqualFold(code, opts.DefaultCountry) {
			out = append(out, Fix{Field: steward.FieldCountry, After: code, Rule: RuleCountryInferred, Why: why})
			r.Country = code
		} else {
			phone = &p
		}
	}
	country := opts.DefaultCountry
	if _, ok := Country(r.Country); ok {
		country = r.Country
	}
	country = strings.ToUpper(country)

	out = append(out, personNames(r)...)

	r.Company, fs = Company(r.Company)
	add(steward.FieldCompany, fs)
	r.Email, fs = Email(r.Email)
	add(steward.FieldEmail, fs)

	var info PhoneNumber
	if phone != nil {
		r.Phone, info, fs = phone.out, phone.info, phone.fixes
	} else {
		r.Phone, info, fs = Phone(r.Phone, country)
	}
	add(steward.FieldPhone, fs)
	if info.Type != "" && r.Get(AttrPhoneType) != info.Type {
		add(AttrPhoneType, []Fix{{Before: r.Get(AttrPhoneType), After: info.Type, Rule: RulePhoneType}})
		r.Set(AttrPhoneType, info.Type)
	}

	r.AddressLine1, fs = StreetLine(r.AddressLine1, country)
	add(steward.FieldAddressLine1, fs)
	r.AddressLine2, fs = StreetLine(r.AddressLine2, country)
	add(steward.FieldAddressLine2, fs)
	r.City, fs = City(r.City, country)
	add(steward.FieldCity, fs)
	r.Region, fs = Region(r.Region, country)
	add(steward.FieldRegion, fs)
	r.PostalCode, fs = PostalCode(r.PostalCode, country)
	add(steward.FieldPostalCode, fs)
	r.BirthDate, fs = Date(r.BirthDate, opts.DateOrder)
	add(steward.FieldBirthDate, fs)
	r.NationalID, fs = Text(r.NationalID)
	add(steward.FieldNationalID, fs)
	return out
}

// phoneRead is what Phone returned for a record's phone.
type phoneRead struct {
	out   string
	info  PhoneNumber
	fixes []Fix
}

// personNames standardizes first and last name together (PersonNames)
// and moves titles and suffixes to attributes.
func personNames(r *steward.Record) []Fix {
	p, out := PersonNames(r.FirstName, r.LastName)
	r.FirstName, r.LastName = p.First, p.Last
	if p.Title != "" {
		title := p.Title
		if old := r.Get(AttrTitle); old != "" {
			title = old + " " + title
		}
		out = append(out, Fix{Field: AttrTitle, Before: r.Get(AttrTitle), After: title, Rule: RuleNameTitle})
		r.Set(AttrTitle, title)
	}
	if p.Suffix != "" {
		suffix := p.Suffix
		if old := r.Get(AttrNameSuffix); old != "" {
			suffix = old + " " + suffix
		}
		out = append(out, Fix{Field: AttrNameSuffix, Before: r.Get(AttrNameSuffix), After: suffix, Rule: RuleNameSuffix})
		r.Set(AttrNameSuffix, suffix)
	}
	return out
}
