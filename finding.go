package steward

// Severity says whether a finding stops a record (error) or is only
// reported (warning).
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one problem with one field of a record: data to report, not
// an error. Validation (package validate), the import gate and the API all
// report findings in this one shape; a bulk import adds the row it belongs
// to.
type Finding struct {
	// Field is the canonical field, attribute or column name; "name" and
	// "contact" for the record-level rules that span several fields; ""
	// for the whole record (a row that could not be read).
	Field string `json:"field,omitempty"`
	// Code is stable, for programs: "invalid_email", "required",
	// "duplicate".
	Code string `json:"code"`
	// Message is a sentence a CRM admin understands, naming the value.
	Message  string   `json:"message"`
	Severity Severity `json:"severity"`
}

// IsError reports whether f stops its record: any severity but warning.
func (f Finding) IsError() bool { return f.Severity != SeverityWarning }

// HasError reports whether any of fs stops its record.
func HasError(fs []Finding) bool {
	for _, f := range fs {
		if f.IsError() {
			return true
		}
	}
	return false
}
