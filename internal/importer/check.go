package importer

import (
	"fmt"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/validate"
)

// Codes of the findings the importer itself makes; records.ReadFile and
// validate.Record add theirs.
const (
	CodeRepeatedID = "repeated_id" // the row's id appeared earlier in the file
	CodeDuplicate  = "duplicate"   // the row looks like a customer (blocked or suggested)
	CodeErased     = "erased"      // the row's (source, id) belongs to an erased customer
)

// Validator checks one standardized record and returns its findings; no
// error finding means the record is valid.
type Validator func(r *steward.Record) []steward.Finding

// RecordValidator checks records with validate.Record and rules, and puts
// the offending value in front of each message, so that an admin reading
// the rejects file sees what was wrong without looking the row up.
func RecordValidator(rules *validate.RecordRules) Validator {
	return func(r *steward.Record) []steward.Finding {
		fs := validate.Record(r, rules)
		out := make([]steward.Finding, 0, len(fs))
		for _, f := range fs {
			msg := f.Message
			if v := r.Get(f.Field); v != "" && steward.IsCanonicalField(f.Field) {
				msg = fmt.Sprintf("%s %q: %s", f.Field, v, msg)
			}
			f.Message = msg
			out = append(out, f)
		}
		return out
	}
}
