package steward

import (
	"sort"
	"strings"
)

// Canonical field names, as they appear in CSV headers (case-insensitive),
// the rules file and the audit trail.
const (
	FieldFirstName    = "first_name"
	FieldLastName     = "last_name"
	FieldCompany      = "company"
	FieldEmail        = "email"
	FieldPhone        = "phone"
	FieldAddressLine1 = "address_line1"
	FieldAddressLine2 = "address_line2"
	FieldCity         = "city"
	FieldRegion       = "region"
	FieldPostalCode   = "postal_code"
	FieldCountry      = "country"
	FieldBirthDate    = "birth_date"
	FieldNationalID   = "national_id"
)

// Column names that identify where a record comes from rather than what it
// says about the customer.
const (
	ColumnID     = "id"
	ColumnSource = "source"
)

// CanonicalFields returns the customer data fields of the canonical record in
// their canonical column order (id and source excluded). The slice is new on
// every call, so callers may modify it.
func CanonicalFields() []string {
	return []string{
		FieldFirstName, FieldLastName, FieldCompany, FieldEmail, FieldPhone,
		FieldAddressLine1, FieldAddressLine2, FieldCity, FieldRegion,
		FieldPostalCode, FieldCountry, FieldBirthDate, FieldNationalID,
	}
}

// CanonicalColumns returns the full canonical CSV header: id, source and the
// canonical fields.
func CanonicalColumns() []string {
	return append([]string{ColumnID, ColumnSource}, CanonicalFields()...)
}

// IsCanonicalField reports whether name (already lower-cased) is one of the
// canonical data fields.
func IsCanonicalField(name string) bool {
	return fieldPtr(&Record{}, name) != nil
}

// Record is one customer's data as it arrives from a source system or file:
// the canonical fields, where it came from, and any other columns kept as
// attributes. Empty string means missing.
type Record struct {
	// Source names the system or file family the record came from ("shop",
	// "febrl"); with SourceID it identifies the record across re-imports.
	Source string `json:"source,omitempty"`
	// SourceID is the record's id in its source system (the CSV "id" column).
	SourceID string `json:"id,omitempty"`

	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name,omitempty"`
	Company      string `json:"company,omitempty"`
	Email        string `json:"email,omitempty"`
	Phone        string `json:"phone,omitempty"`
	AddressLine1 string `json:"address_line1,omitempty"`
	AddressLine2 string `json:"address_line2,omitempty"`
	City         string `json:"city,omitempty"`
	Region       string `json:"region,omitempty"`
	PostalCode   string `json:"postal_code,omitempty"`
	Country      string `json:"country,omitempty"`
	BirthDate    string `json:"birth_date,omitempty"`
	NationalID   string `json:"national_id,omitempty"`

	// Attributes holds every non-canonical column, keyed by its lower-cased
	// header name.
	Attributes map[string]string `json:"attributes,omitempty"`
}

func fieldPtr(r *Record, name string) *string {
	switch name {
	case FieldFirstName:
		return &r.FirstName
	case FieldLastName:
		return &r.LastName
	case FieldCompany:
		return &r.Company
	case FieldEmail:
		return &r.Email
	case FieldPhone:
		return &r.Phone
	case FieldAddressLine1:
		return &r.AddressLine1
	case FieldAddressLine2:
		return &r.AddressLine2
	case FieldCity:
		return &r.City
	case FieldRegion:
		return &r.Region
	case FieldPostalCode:
		return &r.PostalCode
	case FieldCountry:
		return &r.Country
	case FieldBirthDate:
		return &r.BirthDate
	case FieldNationalID:
		return &r.NationalID
	}
	return nil
}

// Get returns the value of a canonical field, of id/source, or of an
// attribute, by its lower-case column name; "" when absent.
func (r *Record) Get(name string) string {
	switch name {
	case ColumnID:
		return r.SourceID
	case ColumnSource:
		return r.Source
	}
	if p := fieldPtr(r, name); p != nil {
		return *p
	}
	return r.Attributes[name]
}

// Set assigns a canonical field, id/source, or an attribute by its lower-case
// column name. Setting an attribute to "" removes it.
func (r *Record) Set(name, value string) {
	switch name {
	case ColumnID:
		r.SourceID = value
		return
	case ColumnSource:
		r.Source = value
		return
	}
	if p := fieldPtr(r, name); p != nil {
		*p = value
		return
	}
	if value == "" {
		delete(r.Attributes, name)
		return
	}
	if r.Attributes == nil {
		r.Attributes = make(map[string]string)
	}
	r.Attributes[name] = value
}

// AttributeNames returns the record's attribute keys in sorted order.
func (r *Record) AttributeNames() []string {
	names := make([]string, 0, len(r.Attributes))
	for k := range r.Attributes {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Clone returns a deep copy of r.
func (r *Record) Clone() Record {
	c := *r
	if r.Attributes != nil {
		c.Attributes = make(map[string]string, len(r.Attributes))
		for k, v := range r.Attributes {
			c.Attributes[k] = v
		}
	}
	return c
}

// FullName returns first and last name joined by a space, trimmed.
func (r *Record) FullName() string {
	return strings.TrimSpace(r.FirstName + " " + r.LastName)
}

// Diff returns the canonical fields and attributes whose values differ
// between a and b, as changes from a (before) to b (after), in canonical
// order followed by sorted attribute names.
func Diff(a, b *Record) []FieldChange {
	var out []FieldChange
	for _, f := range CanonicalFields() {
		if x, y := a.Get(f), b.Get(f); x != y {
			out = append(out, FieldChange{Field: f, Before: x, After: y})
		}
	}
	seen := make(map[string]bool)
	for _, rec := range []*Record{a, b} {
		for _, k := range rec.AttributeNames() {
			if seen[k] {
				continue
			}
			seen[k] = true
			if x, y := a.Attributes[k], b.Attributes[k]; x != y {
				out = append(out, FieldChange{Field: k, Before: x, After: y})
			}
		}
	}
	return out
}

// FieldChange is one field's value before and after a change.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}
