package validate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/steward-crm/steward"
)

// FieldCheck names one of steward's own field checks, beyond what
// go-playground/validator's tags say; the rules file's fields.X.check.
type FieldCheck string

// Steward's own field checks, named in FieldRule.Check.
const (
	CheckEmail      FieldCheck = "email"       // EmailSyntax; example domains, likely typos, disposable domains and role accounts warn
	CheckPhone      FieldCheck = "phone"       // Phone, in the record's country
	CheckPostalCode FieldCheck = "postal_code" // the format of the record's country
	CheckNationalID FieldCheck = "national_id" // Iranian national ID (10 digits) or legal entity ID (11) when the country is IR
	CheckCountry    FieldCheck = "country"     // an ISO 3166-1 alpha-2 code
)

// FieldChecks lists steward's own field checks.
func FieldChecks() []FieldCheck {
	return []FieldCheck{CheckEmail, CheckPhone, CheckPostalCode, CheckNationalID, CheckCountry}
}

// FieldRule is what one field must satisfy.
type FieldRule struct {
	// Field is a canonical field or an attribute name (lower case).
	Field string
	// Required makes an empty value a finding.
	Required bool
	// Tag is a go-playground/validator tag applied to a non-empty value,
	// e.g. "max=100", "alphaunicode", "datetime=2006-01-02".
	Tag string
	// Check names one of steward's checks (CheckEmail …), or "".
	Check FieldCheck
	// Severity of this rule's findings; error when empty. A check's
	// "maybe" results (a possible phone number, a disposable email) are
	// always warnings.
	Severity steward.Severity
}

// RecordRulesConfig declares the rules for records; NewRecordRules checks
// and compiles it.
type RecordRulesConfig struct {
	Fields []FieldRule
	// DefaultCountry (ISO 3166-1 alpha-2) applies to records without a
	// country: phone numbers without +code, postal codes, national IDs.
	DefaultCountry string
	// RequireName wants a first or last name, or a company.
	RequireName bool
	// RequireContact wants at least one valid contact: an email address or
	// a phone number that passes its check.
	RequireContact bool
}

// DefaultRecordRulesConfig returns the rules steward applies without a rules
// file: a customer needs a name (first/last or company) and at least one
// valid contact (email or phone); email, phone, postal code, country,
// national ID and birth date (ISO 8601) are checked when present.
func DefaultRecordRulesConfig(defaultCountry string) RecordRulesConfig {
	return RecordRulesConfig{
		DefaultCountry: defaultCountry,
		RequireName:    true,
		RequireContact: true,
		Fields: []FieldRule{
			{Field: steward.FieldFirstName, Tag: "max=100"},
			{Field: steward.FieldLastName, Tag: "max=100"},
			{Field: steward.FieldCompany, Tag: "max=200"},
			{Field: steward.FieldEmail, Check: CheckEmail},
			{Field: steward.FieldPhone, Check: CheckPhone},
			{Field: steward.FieldPostalCode, Check: CheckPostalCode},
			{Field: steward.FieldCountry, Check: CheckCountry},
			{Field: steward.FieldNationalID, Check: CheckNationalID},
			{Field: steward.FieldBirthDate, Tag: "datetime=2006-01-02"},
		},
	}
}

// RecordRules are compiled rules, safe for concurrent use. Build them with
// NewRecordRules.
type RecordRules struct {
	cfg    RecordRulesConfig
	tags   *validator.Validate
	lists  *Lists
	postal *PostalRules
}

// NewRecordRules checks cfg and compiles it. An unknown check, a bad
// severity or a validator tag that does not parse is an error here, never a
// panic later.
func NewRecordRules(cfg RecordRulesConfig) (*RecordRules, error) {
	rr := &RecordRules{cfg: cfg, tags: validator.New()}
	var errs []error
	for i, f := range cfg.Fields {
		if f.Field == "" {
			errs = append(errs, fmt.Errorf("field rule %d: no field", i+1))
		}
		switch f.Check {
		case "", CheckEmail, CheckPhone, CheckPostalCode, CheckNationalID, CheckCountry:
		default:
			errs = append(errs, fmt.Errorf("field %s: unknown check %q (want email, phone, postal_code, national_id or country)", f.Field, f.Check))
		}
		switch f.Severity {
		case "", steward.SeverityError, steward.SeverityWarning:
		default:
			errs = append(errs, fmt.Errorf("field %s: unknown severity %q (want error or warning)", f.Field, f.Severity))
		}
		if f.Tag != "" {
			if err := tryTag(rr.tags, f.Tag); err != nil {
				errs = append(errs, fmt.Errorf("field %s: validator tag %q: %w", f.Field, f.Tag, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var err error
	if rr.lists, err = LoadLists(); err != nil {
		return nil, err
	}
	if rr.postal, err = LoadPostalRules(); err != nil {
		return nil, err
	}
	if c := cfg.DefaultCountry; c != "" {
		if !rr.postal.isCountry(c) {
			return nil, fmt.Errorf("default country %q: %w", c, ErrUnknownCountry)
		}
	}
	return rr, nil
}

// ErrUnknownCountry is returned by NewRecordRules for a default country
// that is not one.
var ErrUnknownCountry = errors.New("not an ISO 3166-1 alpha-2 code")

// tryTag runs a tag once on an empty string; validator panics on a tag it
// cannot parse, which is turned into an error here.
func tryTag(v *validator.Validate, tag string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	err = v.Var("", tag)
	var ve validator.ValidationErrors
	if errors.As(err, &ve) {
		return nil // the tag parsed; an empty string merely fails it
	}
	return err
}

// Record checks r against rules and returns its findings, errors first in
// field order, none for a clean record.
func Record(r *steward.Record, rules *RecordRules) []steward.Finding {
	var out []steward.Finding
	country := strings.ToUpper(strings.TrimSpace(r.Country))
	if country == "" {
		country = strings.ToUpper(rules.cfg.DefaultCountry)
	}
	add := func(field, code, msg string, sev steward.Severity) {
		if sev == "" {
			sev = steward.SeverityError
		}
		out = append(out, steward.Finding{Field: field, Code: code, Message: msg, Severity: sev})
	}
	emailOK, phoneOK := false, false
	for _, f := range rules.cfg.Fields {
		v := strings.TrimSpace(r.Get(f.Field))
		if v == "" {
			if f.Required {
				add(f.Field, "required", fmt.Sprintf("%s is required.", f.Field), f.Severity)
			}
			continue
		}
		if f.Tag != "" {
			if err := rules.tags.Var(v, f.Tag); err != nil {
				var ve validator.ValidationErrors
				if errors.As(err, &ve) && len(ve) > 0 {
					add(f.Field, "invalid_"+ve[0].Tag(), tagMessage(f.Field, ve[0]), f.Severity)
				} else {
					add(f.Field, "invalid", err.Error(), f.Severity)
				}
			}
		}
		switch f.Check {
		case CheckEmail:
			s := EmailSyntax(v)
			if !s.Valid {
				add(f.Field, string(s.Reason), s.Message(), f.Severity)
				break
			}
			emailOK = true
			// A likely typo of a provider's domain first: gmial.com is
			// on the disposable lists (squatters catch mail there), but
			// the customer meant gmail.com.
			sug := rules.lists.SuggestAddress(s.Local, v[len(s.Local)+1:])
			if ReservedDomain(s.Domain) {
				add(f.Field, string(ReasonReservedDomain), ReasonReservedDomain.Message(), steward.SeverityWarning)
			} else if sug != "" {
				_, domain, _ := strings.Cut(sug, "@")
				add(f.Field, string(ReasonTypo), fmt.Sprintf("The domain looks like a typo of %s: did you mean %s? Correct it in the source if so.", domain, sug), steward.SeverityWarning)
			} else if rules.lists.Disposable(s.Domain) {
				add(f.Field, string(ReasonDisposable), ReasonDisposable.Message(), steward.SeverityWarning)
			}
			if _, role := rules.lists.Role(s.Local); role {
				add(f.Field, string(ReasonRoleAccount), ReasonRoleAccount.Message(), steward.SeverityWarning)
			}
		case CheckPhone:
			p := Phone(v, country)
			switch {
			case p.Valid:
				phoneOK = true
			case p.Possible:
				phoneOK = true
				add(f.Field, string(p.Reason), p.Message(), steward.SeverityWarning)
			default:
				add(f.Field, string(p.Reason), p.Message(), f.Severity)
			}
		case CheckPostalCode:
			if country == "" {
				add(f.Field, "postal_code_no_country", "The postal code cannot be checked without a country.", steward.SeverityWarning)
				break
			}
			c := rules.postal.Check(country, v)
			switch {
			case c.Reason == ReasonPostalUnknownCountry || c.Reason == ReasonPostalUnchecked:
				add(f.Field, string(c.Reason), c.Message(), steward.SeverityWarning)
			case !c.Valid:
				msg := c.Message()
				if ex := rules.postal.Example(country); ex != "" {
					msg = fmt.Sprintf("%s Expected a code like %s for %s.", msg, ex, country)
				}
				add(f.Field, string(c.Reason), msg, f.Severity)
			}
		case CheckNationalID:
			if country != "IR" {
				break
			}
			check := IranNationalID
			if d, ok := digitsOnly(v); ok && len(d) == 11 {
				check = IranLegalID
			}
			if c := check(v); !c.Valid {
				add(f.Field, string(c.Reason), c.Message(), f.Severity)
			} else if c.Reason == ReasonIDLeadingZeros {
				add(f.Field, string(c.Reason), c.Message(), steward.SeverityWarning)
			}
		case CheckCountry:
			if !rules.postal.isCountry(v) {
				add(f.Field, "country_unknown", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country code.", v), f.Severity)
			}
		}
	}
	if rules.cfg.RequireName && r.FirstName == "" && r.LastName == "" && r.Company == "" {
		add("name", "name_missing", "A customer needs a first or last name, or a company.", steward.SeverityError)
	}
	if rules.cfg.RequireContact && !emailOK && !phoneOK {
		if !hasCheck(rules.cfg.Fields, CheckEmail) && strings.TrimSpace(r.Email) != "" {
			emailOK = EmailSyntax(strings.TrimSpace(r.Email)).Valid
		}
		if !hasCheck(rules.cfg.Fields, CheckPhone) && strings.TrimSpace(r.Phone) != "" {
			p := Phone(r.Phone, country)
			phoneOK = p.Valid || p.Possible
		}
		if !emailOK && !phoneOK {
			add("contact", "no_valid_contact", "A customer needs at least one valid contact: an email address or a phone number.", steward.SeverityError)
		}
	}
	// Errors first, keeping field order within each severity.
	sorted := make([]steward.Finding, 0, len(out))
	for _, sev := range []steward.Severity{steward.SeverityError, steward.SeverityWarning} {
		for _, f := range out {
			if f.Severity == sev {
				sorted = append(sorted, f)
			}
		}
	}
	return sorted
}

func hasCheck(fields []FieldRule, check FieldCheck) bool {
	for _, f := range fields {
		if f.Check == check {
			return true
		}
	}
	return false
}

// tagText renders a failed validator tag for a message: "max=100".
// tagMessage says in words what a failed validator tag asks of a field,
// for the tags a rules file commonly uses; others are named as written.
func tagMessage(field string, fe validator.FieldError) string {
	p := fe.Param()
	switch fe.Tag() {
	case "max":
		return fmt.Sprintf("%s is longer than %s characters.", field, p)
	case "min":
		return fmt.Sprintf("%s is shorter than %s characters.", field, p)
	case "len":
		return fmt.Sprintf("%s must be exactly %s characters long.", field, p)
	case "oneof":
		return fmt.Sprintf("%s must be one of: %s.", field, strings.Join(strings.Fields(p), ", "))
	case "numeric", "number":
		return fmt.Sprintf("%s must contain digits only.", field)
	case "alpha":
		return fmt.Sprintf("%s must contain letters only.", field)
	case "iso3166_1_alpha2":
		return fmt.Sprintf("%s must be a two-letter ISO 3166-1 country code such as IR, GB or US.", field)
	case "datetime":
		if p == "2006-01-02" {
			return fmt.Sprintf("%s is not a date steward can read as year-month-day; "+
				"if day and month could be swapped (03/04/1980), set defaults.date_order in the rules file.", field)
		}
		return fmt.Sprintf("%s is not a date and time in the layout %s.", field, p)
	case "email":
		return fmt.Sprintf("%s is not an email address.", field)
	case "url", "uri":
		return fmt.Sprintf("%s is not a web address.", field)
	}
	if p != "" {
		return fmt.Sprintf("%s must satisfy %s=%s.", field, fe.Tag(), p)
	}
	return fmt.Sprintf("%s must satisfy %s.", field, fe.Tag())
}
